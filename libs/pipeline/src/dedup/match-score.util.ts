/**
 * Is submission `a` the same incident as case member `b`? A score from independent pieces of evidence
 * (who, where, what problem, wording), with hard gates for what can never be one incident: another
 * category, another county, another named polluter, too far apart in time.
 */
import { townshipShortName } from '@huiliu/divisions';
import { divisionCompatibility, type DivisionCompatibility } from './division-block.util';
import { kindGroupOf, problemGroupOf } from './features.util';
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
  /**
   * Whether a polluter name found in exactly one candidate case attaches automatically across a missing
   * division (chooseCase): 'off', 'submission' (only a submission without a division joins a case that
   * has one) or 'both' (also a submission with a division joins a case without one).
   */
  uniqueName: 'off' | 'submission' | 'both';
  /**
   * Least text similarity for that attachment by a name alone: reports of one incident describe it in some
   * shared words beyond the name; another incident of a company with the same name is described otherwise.
   */
  uniqueNameMinText?: number;
  /**
   * Whether a polluter name across a missing division that does not attach automatically (the name is
   * carried by several cases, or nothing else agrees) is still offered as a suggested duplicate. Off by
   * default: a suggested duplicate joins the case until an officer splits it, and such a name is as often
   * another incident of a same-named firm.
   */
  suggestNameWithoutDivision?: boolean;
  /**
   * Whether a submission attaches automatically to the only candidate case of its division (same code)
   * and category that shares a problem group with it and conflicts in nothing (chooseCase).
   */
  soleCase: boolean;
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
  autoThreshold: 0.3,
  suggestThreshold: 0.25,
  autoWithoutDivision: false,
  uniqueName: 'both',
  uniqueNameMinText: 0.1,
  soleCase: true,
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
    sameComplainant: 0.2,
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
  /** Division unknown on one side, but one of its candidate counties (ambiguous place name) is the other's. */
  divisionCandidate?: boolean;
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

export function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** 化工 ~ 化工; 水产养殖 ~ 养殖; 搅拌站 ~ 商品混凝土 (one kind group in rules/dedup.features.rules.json). */
export function kindsAgree(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  if (a === b || a.includes(b) || b.includes(a)) return true;
  const ga = kindGroupOf(a);
  return ga !== null && ga === kindGroupOf(b);
}

/**
 * 汇通 ~ 汇同, and 空地汇同 ~ 汇通 (a place word glued in front of the brand): the shorter brand against the
 * same-length tail of the longer one, within one edit (the kinds must agree as well, see entityAgreement).
 */
function brandsClose(a: string, b: string): 'exact' | 'typo' | null {
  if (a === b || a.endsWith(b) || b.endsWith(a)) return 'exact';
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 2) return null;
  const tail = long.slice(long.length - short.length);
  if (editDistanceAtMostOne(short, tail)) return 'typo';
  if (editDistanceAtMostOne(short, long)) return 'typo';
  return null;
}

export function entityAgreement(a: EntityName | null, b: EntityName | null, kindA: string | null, kindB: string | null): EntityAgreement {
  if (a?.brand && b?.brand) {
    if (a.core === b.core) return 'same';
    const close = brandsClose(a.brand, b.brand);
    // 华泰水产养殖 ~ 华泰养殖; a one-character slip in the brand (恒通 / 恒同) with the same kind of trade.
    if (close === 'exact' && (kindsAgree(a.kind, b.kind) || !a.kind || !b.kind)) return 'similar';
    if (close === 'typo' && kindsAgree(a.kind, b.kind) && a.core.length >= 3 && b.core.length >= 3) return 'similar';
    // 顺达商品混凝土 / 顺达砂石, 锦华家具 / 锦华家私: one brand with two trade words may be one firm told two ways
    // or two firms of one owner; the name neither joins nor parts them.
    if (close === 'exact') return 'unknown';
    return 'different';
  }
  if (kindsAgree(kindA, kindB)) return 'kind';
  return 'unknown';
}

/** A firm name on one side against a name the other side only mentions (an everyday-noun trade, a second name). */
export function aliasAgrees(core: string, alias: string): boolean {
  if (core === alias) return true;
  return core.length >= 4 && alias.length >= 4 && (core.endsWith(alias) || alias.endsWith(core));
}

function placesAgree(a: string, b: string): boolean {
  // 丰满文化路 ~ 文化路: the longer token may carry the county name in front.
  return a === b || a.endsWith(b) || b.endsWith(a);
}

/** 湖镇镇 ~ 博罗湖镇: a town whose name ends in 镇 is often written with one 镇 only. */
function townshipsAgree(a: string, b: string): boolean {
  const core = (t: string) => townshipShortName(t) || t;
  return placesAgree(a, b) || (core(b).length >= 2 && a.endsWith(core(b))) || (core(a).length >= 2 && b.endsWith(core(a)));
}

type PlaceSide = Pick<MatchSide, 'places' | 'townships'>;

export function placeAgreement(a: PlaceSide, b: PlaceSide): PlaceAgreement {
  const shared = a.places.some((p) => b.places.some((q) => placesAgree(p, q)));
  if (shared) return 'same';
  const township = a.townships.some((p) => b.townships.some((q) => townshipsAgree(p, q)));
  if (township) return 'township';
  // 米河镇 and 小关镇 of one county: two plants of a kind, not one reported twice.
  if ((a.places.length && b.places.length) || (a.townships.length && b.townships.length)) return 'different';
  return 'unknown';
}

export function problemGroups(terms: readonly string[]): Set<string> {
  const groups = new Set<string>();
  for (const t of terms) {
    const g = problemGroupOf(t);
    if (g) groups.add(g);
  }
  return groups;
}

function problemOverlap(a: readonly string[], b: readonly string[]): number | null {
  return groupOverlap(problemGroups(a), problemGroups(b));
}

/** Shared groups / all groups; null when either side names none. */
export function groupOverlap(ga: ReadonlySet<string>, gb: ReadonlySet<string>): number | null {
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

export const DAY_MS = 86_400_000;

/**
 * How the divisions agree, narrowed by the candidate counties of a side whose place name was ambiguous
 * (西湖区: Hangzhou or Nanchang): in none of them is a conflict; in one of them is noted, since a polluter
 * named there as well leaves little doubt.
 */
export function divisionParts(sub: Pick<MatchSide, 'divisionCode' | 'divisionCandidates'>, other: string | null): Pick<MatchParts, 'division' | 'divisionCandidate'> {
  const division = divisionCompatibility(sub.divisionCode, other);
  if (division !== 'unknown' || sub.divisionCode || !other || !sub.divisionCandidates?.length) return { division };
  const fits = sub.divisionCandidates.some((code) => divisionCompatibility(code, other) !== 'conflict');
  return fits ? { division, divisionCandidate: true } : { division: 'conflict' };
}

/** Names for the reasons of a decision. */
export interface MatchLabels {
  entity: [string | null, string | null];
  kind: string | null;
  category: [string | null, string | null];
  division: [string | null, string | null];
}

/** The best agreement of a submission's names with another report's (or a case's) names. */
export function namesAgreement(
  sub: { entityName: EntityName | null; aliases?: string[]; kind: string | null },
  entities: readonly (EntityName | null)[],
  aliases: readonly string[],
  kinds: readonly (string | null)[],
): EntityAgreement {
  const rank: Record<EntityAgreement, number> = { same: 4, similar: 3, kind: 2, unknown: 1, different: 0 };
  let best: EntityAgreement | null = null;
  const named = entities.filter((e): e is EntityName => !!e?.brand);
  for (const e of named) {
    const agree = entityAgreement(sub.entityName, e, sub.kind, e.kind);
    if (best === null || rank[agree] > rank[best]) best = agree;
  }
  if (best === 'same' || best === 'similar') return best;
  // A firm name on one side mentioned in passing on the other.
  const subCore = sub.entityName?.brand ? sub.entityName.core : null;
  const viaAlias = [
    ...(subCore ? aliases.map((a) => [subCore, a]) : []),
    ...(sub.aliases ?? []).flatMap((a) => named.map((e) => [e.core, a])),
  ].filter(([core, alias]) => aliasAgrees(core, alias));
  if (viaAlias.length) return viaAlias.some(([core, alias]) => core === alias) ? 'same' : 'similar';
  if (best === 'different') return best;
  // The same passing mention in both (两份都写 通达农药, neither with a legal form): it names the firm after all.
  if (best === null && (sub.aliases ?? []).some((a) => a.length >= 4 && aliases.includes(a))) return 'similar';
  if (kinds.some((k) => kindsAgree(sub.kind, k))) return 'kind';
  return 'unknown';
}

export function scoreMatch(a: MatchSide, b: MatchSide, config: MatchConfig = DEFAULT_MATCH_CONFIG): MatchResult {
  const days = Math.abs(a.at - b.at) / DAY_MS;
  const parts: MatchParts = {
    text: textSimilarity(a, b),
    entity: namesAgreement(a, [b.entityName], b.aliases ?? [], [b.kind]),
    place: placeAgreement(a, b),
    problem: problemOverlap(a.problemTerms, b.problemTerms),
    ...(a.divisionCandidates?.length ? divisionParts(a, b.divisionCode) : divisionParts(b, a.divisionCode)),
    category: !!a.category && a.category === b.category,
    days,
    sameComplainant: sameComplainant(a, b),
  };
  return judgeMatch(
    parts,
    { entity: [a.entity, b.entity], kind: a.kind, category: [a.category, b.category], division: [a.divisionCode, b.divisionCode] },
    config,
  );
}

/** The same complainant, a shared (or unnamed) problem, and no other road or village named unless the polluter agrees. */
function repeatPetition(parts: MatchParts, named: boolean): boolean {
  return parts.sameComplainant && parts.problem !== 0 && (parts.place !== 'different' || named || parts.entity === 'kind');
}

/** Gates, score and decision from the compared parts; shared by report-to-report and report-to-case matching. */
export function judgeMatch(parts: MatchParts, labels: MatchLabels, config: MatchConfig = DEFAULT_MATCH_CONFIG): MatchResult {
  const w = config.weights;
  const { days } = parts;
  const reasons: string[] = [];
  const gate = (why: string): MatchResult => ({ score: 0, parts, decision: 'none', reasons: [...reasons, why] });

  if (!parts.category) return gate(`category differs (${labels.category[0] ?? '∅'} / ${labels.category[1] ?? '∅'})`);
  if (parts.division === 'conflict') return gate(`division differs (${labels.division[0]} / ${labels.division[1]})`);
  if (!(days <= config.windowDays)) return gate(`outside the ${config.windowDays}-day window (${days.toFixed(1)} days)`);
  if (parts.entity === 'different') return gate(`different polluter (${labels.entity[0]} / ${labels.entity[1]})`);

  let score = 0;
  const add = (delta: number, why: string): void => {
    if (delta === 0) return;
    score += delta;
    reasons.push(`${why} ${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`);
  };
  if (parts.entity === 'same') add(w.entitySame, `same polluter ${labels.entity[0]}`);
  else if (parts.entity === 'similar') add(w.entitySimilar, `similar polluter ${labels.entity[0]} ~ ${labels.entity[1]}`);
  else if (parts.entity === 'kind') add(w.kindOnly, `same kind of polluter ${labels.kind}`);
  if (parts.place === 'same') add(w.placeSame, 'same place');
  else if (parts.place === 'township') add(w.townshipSame, 'same township');
  else if (parts.place === 'different') add(w.placeDifferent, 'different places named');
  add(w.text * Math.min(1, parts.text / w.textSaturation), `text similarity ${parts.text.toFixed(2)}`);
  if (parts.problem !== null) {
    add(parts.problem > 0 ? w.problemShared : w.problemDisjoint, parts.problem > 0 ? 'same problem' : 'different problem');
  }
  if (parts.division === 'within_city' || parts.division === 'within_province') add(w.divisionWithin, `division ${parts.division}`);
  else if (parts.division === 'unknown') add(w.divisionUnknown, parts.divisionCandidate ? 'division unknown, one of its candidates' : 'division unknown on one side');
  if (parts.sameComplainant) add(w.sameComplainant, 'same complainant (重复举报)');

  score = Math.max(0, Math.min(1, score));
  let decision: MatchDecision = score >= config.autoThreshold ? 'auto' : score >= config.suggestThreshold ? 'suggested' : 'none';
  // Attaching without a person needs something that identifies the incident, not only alike wording
  // (附近工厂晚上排放黑烟 is written about many factories). Without a division on one side even the polluter's
  // name does not: the same company name recurs in other counties, so an officer confirms (unless the
  // name is unique among the candidates, see chooseCase).
  const named = parts.entity === 'same' || parts.entity === 'similar';
  // The same person again about the same category and problem is their repeat petition (重复举报), wherever the
  // division is missing; another named polluter is gated above, other named roads leave it to an officer.
  const identified =
    parts.division === 'unknown'
      ? ((config.autoWithoutDivision || parts.divisionCandidate === true) && named) ||
        // In one of the candidate counties of an ambiguous place, the same road is as telling as in a known county.
        (parts.divisionCandidate === true && parts.place === 'same') ||
        repeatPetition(parts, named)
      : named ||
        parts.place === 'same' ||
        (parts.entity === 'kind' && (parts.place === 'township' || (parts.division === 'same' && (parts.problem ?? 0) > 0))) ||
        repeatPetition(parts, named);
  // A plant of a kind at another named place is another plant of that kind: nothing to suggest.
  if (parts.entity === 'kind' && parts.place === 'different' && !parts.sameComplainant) {
    decision = 'none';
    reasons.push('a plant of that kind at another named place');
  }
  if (decision === 'auto' && !identified) {
    decision = 'suggested';
    reasons.push('no identifying evidence for automatic attachment');
  }
  reasons.push(`rules ${FEATURE_TABLE}`);
  return { score, parts, decision, reasons };
}
