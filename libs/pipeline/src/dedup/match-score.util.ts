/**
 * Is submission `a` the same incident as case member `b`? A score from independent pieces of evidence
 * (who, where, what problem, wording), with hard gates for what can never be one incident: another
 * category, another county, another named polluter, too far apart in time.
 */
import { divisionCompatibility, type DivisionCompatibility } from './division-block.util';
import { problemGroupOf } from './features.util';
import { estimateJaccard } from './minhash.util';
import { sameComplainant } from './complainant-key.util';
import { FEATURE_TABLE } from './dedup.rules';
import type { EntityName, MatchDecision, MatchSide } from './dedup.types';

export interface MatchConfig {
  /** Submissions further apart than this are different incidents (a recurrence opens a new case). */
  windowDays: number;
  /** At or above: attach to the case without a person. */
  autoThreshold: number;
  /** At or above (and below auto): offer the case to an officer. */
  suggestThreshold: number;
  /** Whether a submission without a division may attach automatically on the polluter's name alone. */
  autoWithoutDivision: boolean;
  weights: {
    entitySame: number;
    entitySimilar: number;
    kindOnly: number;
    placeSame: number;
    townshipSame: number;
    placeDifferent: number;
    /** Text similarity contributes weight × min(1, J / textSaturation). */
    text: number;
    textSaturation: number;
    problemShared: number;
    problemDisjoint: number;
    divisionWithin: number;
    divisionUnknown: number;
    sameComplainant: number;
  };
}

export const DEFAULT_MATCH_CONFIG: MatchConfig = {
  windowDays: 90,
  autoThreshold: 0.45,
  suggestThreshold: 0.25,
  autoWithoutDivision: false,
  weights: {
    entitySame: 0.55,
    entitySimilar: 0.45,
    kindOnly: 0.2,
    placeSame: 0.25,
    townshipSame: 0.1,
    placeDifferent: -0.05,
    text: 0.4,
    textSaturation: 0.5,
    problemShared: 0.1,
    problemDisjoint: -0.1,
    divisionWithin: -0.05,
    divisionUnknown: -0.1,
    sameComplainant: 0.05,
  },
};

export type EntityAgreement = 'same' | 'similar' | 'kind' | 'different' | 'unknown';
export type PlaceAgreement = 'same' | 'township' | 'different' | 'unknown';

export interface MatchParts {
  text: number;
  entity: EntityAgreement;
  place: PlaceAgreement;
  /** Shared problem groups / all groups named by both; null when either side names none. */
  problem: number | null;
  division: DivisionCompatibility;
  category: boolean;
  days: number;
  sameComplainant: boolean;
}

export interface MatchResult {
  score: number;
  parts: MatchParts;
  decision: MatchDecision;
  reasons: string[];
}

/** Exact Jaccard of two shingle lists (each without repeats). */
export function shingleJaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [small, large] = a.length <= b.length ? [a, b] : [b, a];
  const set = new Set(large);
  let inter = 0;
  for (const s of small) if (set.has(s)) inter++;
  return inter / (a.length + b.length - inter);
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function kindsAgree(a: string | null, b: string | null): boolean {
  return !!a && !!b && (a === b || a.includes(b) || b.includes(a));
}

export function entityAgreement(a: EntityName | null, b: EntityName | null, kindA: string | null, kindB: string | null): EntityAgreement {
  if (a?.brand && b?.brand) {
    if (a.core === b.core) return 'same';
    const brandClose = a.brand === b.brand || a.brand.endsWith(b.brand) || b.brand.endsWith(a.brand);
    // 华泰水产养殖 ~ 华泰养殖; a one-character slip in the brand (恒通 / 恒同) with the same trade.
    if (brandClose && (kindsAgree(a.kind, b.kind) || !a.kind || !b.kind)) return 'similar';
    if (editDistanceAtMostOne(a.brand, b.brand) && a.brand.length >= 2 && kindsAgree(a.kind, b.kind)) return 'similar';
    return 'different';
  }
  if (kindsAgree(kindA, kindB)) return 'kind';
  return 'unknown';
}

function placesAgree(a: string, b: string): boolean {
  // 丰满文化路 ~ 文化路: the longer token may carry the county name in front.
  return a === b || a.endsWith(b) || b.endsWith(a);
}

export function placeAgreement(a: MatchSide, b: MatchSide): PlaceAgreement {
  const shared = a.places.some((p) => b.places.some((q) => placesAgree(p, q)));
  if (shared) return 'same';
  const township = a.townships.some((p) => b.townships.some((q) => placesAgree(p, q)));
  if (township) return 'township';
  if (a.places.length && b.places.length) return 'different';
  return 'unknown';
}

function problemGroups(terms: readonly string[]): Set<string> {
  const groups = new Set<string>();
  for (const t of terms) {
    const g = problemGroupOf(t);
    if (g) groups.add(g);
  }
  return groups;
}

function problemOverlap(a: readonly string[], b: readonly string[]): number | null {
  const ga = problemGroups(a);
  const gb = problemGroups(b);
  if (ga.size === 0 || gb.size === 0) return null;
  let inter = 0;
  for (const g of ga) if (gb.has(g)) inter++;
  return inter / (ga.size + gb.size - inter);
}

function textSimilarity(a: MatchSide, b: MatchSide): number {
  if (a.shingles.length && b.shingles.length) return shingleJaccard(a.shingles, b.shingles);
  if (a.signature && b.signature) return estimateJaccard(a.signature, b.signature);
  return 0;
}

const DAY_MS = 86_400_000;

export function scoreMatch(a: MatchSide, b: MatchSide, config: MatchConfig = DEFAULT_MATCH_CONFIG): MatchResult {
  const w = config.weights;
  const days = Math.abs(a.at - b.at) / DAY_MS;
  const parts: MatchParts = {
    text: textSimilarity(a, b),
    entity: entityAgreement(a.entityName, b.entityName, a.kind, b.kind),
    place: placeAgreement(a, b),
    problem: problemOverlap(a.problemTerms, b.problemTerms),
    division: divisionCompatibility(a.divisionCode, b.divisionCode),
    category: !!a.category && a.category === b.category,
    days,
    sameComplainant: sameComplainant(a, b),
  };
  const reasons: string[] = [];
  const gate = (why: string): MatchResult => ({ score: 0, parts, decision: 'none', reasons: [...reasons, why] });

  if (!parts.category) return gate(`category differs (${a.category ?? '∅'} / ${b.category ?? '∅'})`);
  if (parts.division === 'conflict') return gate(`division differs (${a.divisionCode} / ${b.divisionCode})`);
  if (!(days <= config.windowDays)) return gate(`outside the ${config.windowDays}-day window (${days.toFixed(1)} days)`);
  if (parts.entity === 'different') return gate(`different polluter (${a.entity} / ${b.entity})`);

  let score = 0;
  const add = (delta: number, why: string): void => {
    if (delta === 0) return;
    score += delta;
    reasons.push(`${why} ${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`);
  };
  if (parts.entity === 'same') add(w.entitySame, `same polluter ${a.entity}`);
  else if (parts.entity === 'similar') add(w.entitySimilar, `similar polluter ${a.entity} ~ ${b.entity}`);
  else if (parts.entity === 'kind') add(w.kindOnly, `same kind of polluter ${a.kind}`);
  if (parts.place === 'same') add(w.placeSame, 'same place');
  else if (parts.place === 'township') add(w.townshipSame, 'same township');
  else if (parts.place === 'different') add(w.placeDifferent, 'different places named');
  add(w.text * Math.min(1, parts.text / w.textSaturation), `text similarity ${parts.text.toFixed(2)}`);
  if (parts.problem !== null) {
    add(parts.problem > 0 ? w.problemShared : w.problemDisjoint, parts.problem > 0 ? 'same problem' : 'different problem');
  }
  if (parts.division === 'within_city' || parts.division === 'within_province') add(w.divisionWithin, `division ${parts.division}`);
  else if (parts.division === 'unknown') add(w.divisionUnknown, 'division unknown on one side');
  if (parts.sameComplainant) add(w.sameComplainant, 'same complainant (重复举报)');

  score = Math.max(0, Math.min(1, score));
  let decision: MatchDecision = score >= config.autoThreshold ? 'auto' : score >= config.suggestThreshold ? 'suggested' : 'none';
  // Attaching without a person needs something that identifies the incident, not only alike wording
  // (附近工厂晚上排放黑烟 is written about many factories). Without a division on one side even the polluter's
  // name does not: the same company name recurs in other counties, so an officer confirms.
  const named = parts.entity === 'same' || parts.entity === 'similar';
  const identified =
    parts.division === 'unknown'
      ? config.autoWithoutDivision && named
      : named ||
        parts.place === 'same' ||
        (parts.entity === 'kind' && (parts.place === 'township' || (parts.division === 'same' && (parts.problem ?? 0) > 0))) ||
        (parts.text >= 0.8 && parts.sameComplainant);
  if (decision === 'auto' && !identified) {
    decision = 'suggested';
    reasons.push('no identifying evidence for automatic attachment');
  }
  reasons.push(`rules ${FEATURE_TABLE}`);
  return { score, parts, decision, reasons };
}
