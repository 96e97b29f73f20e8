/**
 * Is a submission one more report of a stored case? The submission is compared with the case's union of
 * features (case-features.util), then the best candidate case is chosen among those the candidate keys
 * found, with one rule that needs the whole candidate set: a polluter name that only one case carries.
 */
import {
  DAY_MS,
  DEFAULT_MATCH_CONFIG,
  divisionParts,
  groupOverlap,
  judgeMatch,
  kindsAgree,
  namesAgreement,
  placeAgreement,
  problemGroups,
  type MatchConfig,
  type MatchResult,
  type PlaceAgreement,
} from './match-score.util';
import { townshipShortName } from '@huiliu/divisions';
import { estimateJaccard, minhash } from './minhash.util';
import type { CaseFeatures } from './case-features.util';
import type { MatchDecision, MatchSide } from './dedup.types';

/** Days between the submission and the case's span of reports (0 inside the span). */
function daysFromCase(at: number, c: CaseFeatures): number {
  if (at >= c.firstAt && at <= c.lastAt) return 0;
  return Math.min(Math.abs(at - c.firstAt), Math.abs(at - c.lastAt)) / DAY_MS;
}

function textAgainstCase(sub: MatchSide, c: CaseFeatures): number {
  if (c.signatures.length === 0) return 0;
  const sig = sub.signature ?? minhash(sub.shingles);
  let best = 0;
  for (const s of c.signatures) best = Math.max(best, estimateJaccard(sig, s));
  return best;
}

/** Where the submission names no place of its own, its words may still hold the case's township (桐城双港 beside 双港镇). */
function placeOrEcho(sub: MatchSide, c: CaseFeatures): PlaceAgreement {
  const place = placeAgreement(sub, c);
  return place === 'unknown' && townshipEchoed(sub, c) ? 'township' : place;
}

/**
 * Scores a submission against a case: the same gates, weights and thresholds as scoreMatch.
 * `complainantKnown`: the submission's complainant is among the case's members (the caller knows them; the
 * features do not keep who reported).
 */
export function scoreAgainstCase(sub: MatchSide, c: CaseFeatures, config: MatchConfig = DEFAULT_MATCH_CONFIG, complainantKnown = false): MatchResult {
  const entity = namesAgreement(sub, c.entities, c.aliases, c.kinds);
  const parts = {
    text: textAgainstCase(sub, c),
    entity,
    place: placeOrEcho(sub, c),
    problem: groupOverlap(problemGroups(sub.problemTerms), new Set(c.problemGroups)),
    // Either side may be the one whose place name was ambiguous.
    ...(sub.divisionCode && !c.divisionCode && c.divisionCandidates?.length
      ? divisionParts({ divisionCode: null, divisionCandidates: c.divisionCandidates }, sub.divisionCode)
      : divisionParts(sub, c.divisionCode)),
    category: !!sub.category && sub.category === c.category,
    days: daysFromCase(sub.at, c),
    sameComplainant: !!sub.complainantKey && complainantKnown,
  };
  const caseEntity = c.entities[0]?.core ?? c.aliases[0] ?? null;
  return judgeMatch(
    parts,
    { entity: [sub.entity, caseEntity], kind: sub.kind ?? c.kinds[0] ?? null, category: [sub.category, c.category], division: [sub.divisionCode, c.divisionCode] },
    config,
  );
}

export interface CaseCandidate<Id = string> {
  caseId: Id;
  features: CaseFeatures;
  /** The submission's complainant already reported this case (one of its members has the same complainant key). */
  complainantKnown?: boolean;
}

export interface CaseChoice<Id = string> {
  /** The case to attach to (auto or suggested), or null: open a new case. */
  caseId: Id | null;
  decision: MatchDecision;
  score: number;
  reasons: string[];
  result: MatchResult | null;
}

/** Same division code and category, a shared problem group, inside the window, and nothing that differs. */
function soleCaseCompatible(sub: MatchSide, c: CaseFeatures, result: MatchResult, config: MatchConfig): boolean {
  // A report in Latin script, or a case whose reports all were, may name another polluter or street than the
  // other side: without names to compare, only the same kind of polluter (a bar, a pig farm) joins them.
  if (c.unreadNames || sub.unreadNames) {
    const kind = sub.kind ?? sub.unreadKind ?? null;
    // ...or a township or road both read (Bayi town / 八一镇).
    const placed = result.parts.place === 'same' || result.parts.place === 'township';
    if (!placed && (!kind || ![...c.kinds, ...(c.unreadKinds ?? [])].some((k) => kindsAgree(kind, k)))) return false;
  }
  const p = result.parts;
  // A report naming no problem word of ours still shares the case's road or township, or its kind of
  // polluter (泰兴 晚上全是化工味 beside the county's one chemical-plant odour case): that stands in for it.
  const problemShared = p.problem !== null && p.problem > 0;
  if (!p.category || p.division !== 'same' || p.days > config.windowDays) return false;
  if (!problemShared && !(p.problem === null && (p.place === 'same' || p.place === 'township' || p.entity === 'kind'))) return false;
  if (p.entity === 'different') return false;
  // Another kind of polluter (a KTV / a factory), or other townships on both sides: not the same matter.
  if (sub.kind && c.kinds.length && p.entity !== 'same' && p.entity !== 'similar' && p.entity !== 'kind') return false;
  if (sub.townships.length && c.townships.length && p.place !== 'same' && p.place !== 'township') return false;
  return true;
}

/** Both sides name roads or villages (or townships) and none of them agree: told apart by where. */
function placesConflict(sub: MatchSide, c: CaseFeatures, result: MatchResult): boolean {
  const p = result.parts.place;
  if (p === 'different') return true;
  return sub.townships.length > 0 && c.townships.length > 0 && p !== 'same' && p !== 'township';
}

/**
 * The submission's words hold the short name of a township the case names (还是沙岭那家顺达汽修 beside a case at
 * 沙岭街道): place evidence a follow-up too short to share wording with the case still gives.
 */
function townshipEchoed(sub: MatchSide, c: CaseFeatures): boolean {
  if (!c.townships.length || !sub.shingles.length) return false;
  let words = shingleSets.get(sub);
  if (!words) shingleSets.set(sub, (words = new Set(sub.shingles)));
  return c.townships.some((t) => {
    const short = townshipShortName(t);
    return short.length >= 2 && short.length <= 3 && words.has(short);
  });
}

/** A submission is scored against several candidate cases: its shingles are made a set once. */
const shingleSets = new WeakMap<MatchSide, Set<string>>();

function names(result: MatchResult): boolean {
  return result.parts.entity === 'same' || result.parts.entity === 'similar';
}

/**
 * Picks the case among the candidates (found by probeKeys, across all divisions of the category).
 *
 * Without a division on the submission or on the case, a polluter's name attaches automatically only when
 * it is unique: the best case carries exactly that name (not a near spelling), agrees on the category,
 * shares a problem group and some wording beyond the name (config.uniqueNameMinText), names no road or
 * township the case contradicts, and no other candidate case, in any division, carries that name or a
 * near spelling of it. The same company name in two counties leaves the choice to an officer
 * (config.uniqueName).
 *
 * A candidate the submission identifies ('auto') is preferred to any it only resembles ('suggested'),
 * whatever their scores: alike wording about an unlocated report does not outweigh a name and a county.
 *
 * A submission with a division attaches to the only candidate case of its division code and category
 * that shares a problem group and conflicts in nothing (no other polluter, kind or township), even
 * without a name or place (config.soleCase): 就是这个位置，渣土车偷倒垃圾 after a location message.
 */
export function chooseCase<Id>(sub: MatchSide, candidates: readonly CaseCandidate<Id>[], config: MatchConfig = DEFAULT_MATCH_CONFIG): CaseChoice<Id> {
  type Scored = { caseId: Id; result: MatchResult; features: CaseFeatures };
  let best: Scored | null = null;
  // The best candidate agreeing only by name across a missing division, decided by the whole candidate set below.
  let byName: Scored | null = null;
  let sameName = 0;
  const sole: Scored[] = [];
  for (const cand of candidates) {
    const result = scoreAgainstCase(sub, cand.features, config, cand.complainantKnown);
    const scored = { caseId: cand.caseId, result, features: cand.features };
    if (result.parts.category && names(result)) sameName++;
    if (soleCaseCompatible(sub, cand.features, result, config)) sole.push(scored);
    if (result.decision === 'none') continue;
    if (result.decision === 'suggested' && result.parts.division === 'unknown' && names(result)) {
      if (!byName || result.score > byName.result.score) byName = scored;
      continue;
    }
    // Identified evidence wins over a higher score from wording alone: an 'auto' candidate before any 'suggested' one.
    const auto = result.decision === 'auto';
    if (!best || (auto !== (best.result.decision === 'auto') ? auto : result.score > best.result.score)) best = scored;
  }
  if (config.soleCase && sole.length === 1 && (!best || best.result.decision !== 'auto')) {
    const only = sole[0];
    return {
      caseId: only.caseId,
      decision: 'auto',
      score: only.result.score,
      reasons: [...only.result.reasons, `the only case of this problem in division ${sub.divisionCode} among ${candidates.length} candidates`],
      result: only.result,
    };
  }
  if (byName && (!best || best.result.decision !== 'auto')) {
    const { result } = byName;
    const uniqueNameApplies = config.uniqueName === 'both' || (config.uniqueName === 'submission' && !sub.divisionCode);
    const attachable =
      uniqueNameApplies &&
      result.parts.entity === 'same' &&
      (result.parts.problem ?? 0) > 0 &&
      !placesConflict(sub, byName.features, result) &&
      (result.parts.text >= (config.uniqueNameMinText ?? 0) || townshipEchoed(sub, byName.features)) &&
      result.score >= config.autoThreshold;
    if (attachable && sameName === 1) {
      return { caseId: byName.caseId, decision: 'auto', score: result.score, reasons: [...result.reasons, `polluter name unique among ${candidates.length} candidate cases`], result };
    }
    // Otherwise a name alone across a missing division is as likely another incident of a same-named firm:
    // no suggestion, unless the deployment wants officers to see them (config.suggestNameWithoutDivision).
    if (!best && config.suggestNameWithoutDivision) {
      return { caseId: byName.caseId, decision: 'suggested', score: result.score, reasons: [...result.reasons, `polluter name carried by ${sameName} candidate cases`], result };
    }
  }
  if (!best) {
    const why = byName ? `only a polluter name without a division, carried by ${sameName} candidate cases` : 'no candidate case';
    return { caseId: null, decision: 'none', score: 0, reasons: [why], result: null };
  }
  return { caseId: best.caseId, decision: best.result.decision, score: best.result.score, reasons: best.result.reasons, result: best.result };
}
