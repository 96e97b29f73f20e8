/**
 * Case features: what a case knows about its incident, accumulated over its submissions. Reports of one
 * incident add identifying details one at a time (one names the company, another the road, a third the
 * township), so a new submission is compared with the union, not with one representative report.
 *
 * The object is plain JSON (stored as jsonb per case) and capped, so it stays small however many
 * submissions a case collects. Who reported is not kept here: whether a complainant already reported the
 * case (重复举报) must hold for every member, not the first few, and is read from the members themselves
 * (their complainant keys) when the case is a candidate.
 */
import { refineCaseDivision } from './division-block.util';
import { problemGroups } from './match-score.util';
import { minhash } from './minhash.util';
import type { EntityName, MatchSide } from './dedup.types';

export const CASE_FEATURES_VERSION = 1;

/** Upper bounds on each list: first-seen entries are kept (they established the case). */
export const CASE_FEATURE_CAPS = {
  entities: 4,
  aliases: 8,
  kinds: 4,
  places: 12,
  townships: 6,
  problemGroups: 8,
  /** MinHash signatures of the first and the latest members. */
  signatures: 4,
  divisionCandidates: 8,
} as const;

export interface CaseFeatures {
  version: number;
  category: string | null;
  /** The most specific division of the case (county over city over province), or null. */
  divisionCode: string | null;
  /** Polluter names the members declared (firm names, legal form trimmed). */
  entities: EntityName[];
  /** Names the members mention only in passing (everyday-noun trades without legal form). */
  aliases: string[];
  kinds: string[];
  places: string[];
  townships: string[];
  problemGroups: string[];
  /** MinHash signatures (64 × uint32 as numbers) of the first member and the latest ones. */
  signatures: number[][];
  /**
   * While the case has no division: the candidate counties its members' ambiguous place names left possible
   * (西湖区: Hangzhou's or Nanchang's). A report from any other county is another incident.
   */
  divisionCandidates?: string[];
  /** Every member's text is mostly in Latin script: whatever polluter or place they name went unread. */
  unreadNames?: boolean;
  /** Kinds of polluter the members' English words name (never scored; see the sole-case rule). */
  unreadKinds?: string[];
  firstAt: number;
  lastAt: number;
  members: number;
}

function addCapped<T>(list: T[], items: readonly T[], cap: number, same: (a: T, b: T) => boolean = (a, b) => a === b): T[] {
  const out = [...list];
  for (const item of items) {
    if (out.length >= cap) break;
    if (!out.some((x) => same(x, item))) out.push(item);
  }
  return out;
}

function signatureOf(side: MatchSide): number[] {
  return Array.from(side.signature ?? minhash(side.shingles));
}

/**
 * The candidate counties a case without a division keeps: those of every member that had some (members of
 * one incident may name the place differently, so the union, not the intersection). Gone once the case has
 * a division.
 */
function caseCandidates(divisionCode: string | null, kept: readonly string[] | undefined, side: MatchSide): Pick<CaseFeatures, 'divisionCandidates'> {
  if (divisionCode) return {};
  const list = addCapped([...(kept ?? [])], side.divisionCandidates ?? [], CASE_FEATURE_CAPS.divisionCandidates);
  return list.length ? { divisionCandidates: list } : {};
}

/** The features of a new case opened by one submission. */
export function caseFeaturesOf(side: MatchSide): CaseFeatures {
  return mergeCaseFeatures(null, side);
}

/**
 * The case's features after `side` joins it. Pure: returns a new object. A division that conflicts with
 * the case's (possible only by an officer's manual merge) leaves the case's division unchanged.
 */
export function mergeCaseFeatures(caseFeatures: CaseFeatures | null, side: MatchSide): CaseFeatures {
  const c: CaseFeatures = caseFeatures ?? {
    version: CASE_FEATURES_VERSION,
    category: side.category,
    divisionCode: null,
    entities: [],
    aliases: [],
    kinds: [],
    places: [],
    townships: [],
    problemGroups: [],
    signatures: [],
    firstAt: side.at,
    lastAt: side.at,
    members: 0,
  };
  const refined = refineCaseDivision(c.divisionCode, side.divisionCode);
  const entity = side.entityName?.brand ? [side.entityName] : [];
  const signatures = [...c.signatures, signatureOf(side)];
  // Keep the first member's signature and the latest ones.
  const keptSignatures =
    signatures.length <= CASE_FEATURE_CAPS.signatures
      ? signatures
      : [signatures[0], ...signatures.slice(signatures.length - (CASE_FEATURE_CAPS.signatures - 1))];
  return {
    version: CASE_FEATURES_VERSION,
    category: c.category ?? side.category,
    divisionCode: refined === 'conflict' ? c.divisionCode : refined,
    entities: addCapped(c.entities, entity, CASE_FEATURE_CAPS.entities, (a, b) => a.core === b.core),
    aliases: addCapped(c.aliases, side.aliases ?? [], CASE_FEATURE_CAPS.aliases),
    kinds: addCapped(c.kinds, side.kind ? [side.kind] : [], CASE_FEATURE_CAPS.kinds),
    places: addCapped(c.places, side.places, CASE_FEATURE_CAPS.places),
    townships: addCapped(c.townships, side.townships, CASE_FEATURE_CAPS.townships),
    problemGroups: addCapped(c.problemGroups, [...problemGroups(side.problemTerms)].sort(), CASE_FEATURE_CAPS.problemGroups),
    signatures: keptSignatures,
    ...caseCandidates(refined === 'conflict' ? c.divisionCode : refined, c.divisionCandidates, side),
    ...(side.unreadNames && (!caseFeatures || caseFeatures.unreadNames) ? { unreadNames: true } : {}),
    ...(c.unreadKinds?.length || side.unreadKind ? { unreadKinds: addCapped(c.unreadKinds ?? [], side.unreadKind ? [side.unreadKind] : [], CASE_FEATURE_CAPS.kinds) } : {}),
    firstAt: Math.min(c.firstAt, side.at),
    lastAt: Math.max(c.lastAt, side.at),
    members: c.members + 1,
  };
}
