/**
 * The dedup stage's data files, read once at module load. Each carries a `version` that goes into the
 * reasons of a match, so a decision can be traced to the table it came from when the rules change.
 */
import boilerplate from '../../rules/dedup.boilerplate.rules.json';
import features from '../../rules/dedup.features.rules.json';
import t2s from '../../rules/dedup.t2s-chars.json';

export interface BoilerplateRules {
  version: string;
  phrases: string[];
  patterns: { name: string; regex: string }[];
}

export interface FeatureRules {
  version: string;
  legalForms: string[];
  industries: string[];
  commonNounTrades: string[];
  venues: string[];
  positionWords: string[];
  anchorNotAhead: string;
  determiners: string[];
  indefiniteDeterminers: string[];
  brandStops: string;
  places: { specific: string[]; township: string[] };
  placeStops: string;
  placeNotAhead: string;
  problemGroups: Record<string, string[]>;
  kindGroups: Record<string, string[]>;
  genericBrandWords: string[];
  /** Kind word → English words for that kind of polluter. */
  latinKinds: Record<string, string[]>;
}

export interface CharMapTable {
  version: string;
  from: string;
  to: string;
}

export const BOILERPLATE_RULES: BoilerplateRules = boilerplate;
export const FEATURE_RULES: FeatureRules = features;
export const T2S_TABLE: CharMapTable = t2s;

export const BOILERPLATE_TABLE = `dedup.boilerplate.rules.json@${BOILERPLATE_RULES.version}`;
export const FEATURE_TABLE = `dedup.features.rules.json@${FEATURE_RULES.version}`;
