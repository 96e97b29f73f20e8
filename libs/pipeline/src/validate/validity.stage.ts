/**
 * The validate stage: is this submission a complaint at all, and is it ours?
 *
 *   rejected      not a complaint (adapter hint, empty, bot command, greeting, test, spam, …)
 *   out_of_scope  a real request for another department, with the topic and the referral
 *   accepted      an environment-department matter (flags: vague_location, litigation_matter, …)
 *
 * Rules come from the rule tables; every decision lists the rule, the matched terms and the table version.
 */
import type { JudgingInput, Reason, Submission, ValidityDecision } from '@huiliu/contracts';
import { scoreCategories, type CategoryEvidence } from '../classify/category-score.util';
import { illegibleShape } from './gibberish.util';
import { DEFAULT_RULE_SET, type RuleSet } from './rule-set.loader';
import type { OutOfScopeTopic, ValidityModelClass } from './rule-set.schema';
import { isMeaningfulChar, scanSubmission, type ScanHit, type SubmissionScan } from './submission-scan.util';
import { describeReading, modelScores, readModel, type ModelReading } from './text-model.util';

const BOT_COMMAND = /^\/[a-z0-9_]+(@[a-z0-9_]+)?(?=\s|$)/;
/** Share of U+FFFD among readable characters above which the body is taken as undecodable. */
const UNDECODABLE_SHARE = 0.3;
/** Below this many readable characters, a text with no recognisable matter is not taken as a complaint. */
const SHORT_TEXT = 8;

interface TopicScore {
  key: string;
  topic: OutOfScopeTopic;
  referral: string;
  score: number;
  terms: string[];
}

function tableName(rules: RuleSet): string {
  return `validity@${rules.validity.version}`;
}

function decision(
  status: ValidityDecision['status'],
  reason: string | null,
  reasons: Reason[],
  extra: Partial<Pick<ValidityDecision, 'referral' | 'flags'>> = {},
): ValidityDecision {
  return { status, reason, referral: extra.referral ?? null, flags: extra.flags ?? [], reasons };
}

function countMeaningful(text: string, from = 0, to = text.length, covered?: Uint8Array): number {
  let n = 0;
  for (let i = from; i < to; i += 1) {
    if (covered && covered[i]) continue;
    if (isMeaningfulChar(text.charCodeAt(i))) n += 1;
  }
  return n;
}

function uniqueTerms(hits: ScanHit[]): string[] {
  return [...new Set(hits.map((h) => h.ref.term))];
}

function sumUnique(hits: ScanHit[]): number {
  const seen = new Map<string, number>();
  for (const h of hits) seen.set(h.ref.term, h.ref.weight);
  let total = 0;
  for (const w of seen.values()) total += w;
  return total;
}

/** Best-scoring entry of scope-like groups (other departments' topics, street-life noise sources). */
function topicScores(hits: ScanHit[], kind: 'scope' | 'noise_street'): TopicScore[] {
  const byKey = new Map<string, { group: Extract<ScanHit['ref']['group'], { kind: 'scope' | 'noise_street' }>; hits: ScanHit[] }>();
  for (const h of hits) {
    const g = h.ref.group;
    if (g.kind !== kind || h.negated) continue;
    const entry = byKey.get(g.key);
    if (entry) entry.hits.push(h);
    else byKey.set(g.key, { group: g, hits: [h] });
  }
  return [...byKey.entries()]
    .map(([key, { group, hits: hs }]) => ({ key, topic: group.topic, referral: group.referral, score: sumUnique(hs), terms: uniqueTerms(hs) }))
    .sort((a, b) => b.score - a.score);
}

/** True when the rule's terms plus filler words cover every readable character of the body. */
function coversBody(scan: SubmissionScan, ruleHits: ScanHit[], fillerHits: ScanHit[], rest: number): boolean {
  if (!ruleHits.length) return false;
  const covered = new Uint8Array(scan.text.length);
  for (const h of [...ruleHits, ...fillerHits]) covered.fill(1, h.start, h.end);
  return countMeaningful(scan.text, scan.bodyStart, scan.text.length, covered) <= rest;
}

function hasGivenLocation(s: Submission): boolean {
  const l = s.location;
  return Boolean(l.address?.trim() || l.districtCode?.trim() || l.region?.trim() || l.label?.trim() || (l.lat !== null && l.lng !== null));
}

function namesPlace(scan: SubmissionScan): boolean {
  const markers = scan.hits.filter((h) => h.ref.group.kind === 'place');
  const cancelled = scan.hits.filter((h) => h.ref.group.kind === 'not_place');
  // Only the longest marker counts (区 inside 小区 is no district), and it needs a name before it (路 alone
  // is no road); a marker inside a non-place word (市民, 路边) does not count at all.
  const inside = (h: ScanHit, outer: ScanHit): boolean => outer !== h && outer.start <= h.start && outer.end >= h.end && outer.end - outer.start > h.end - h.start;
  return markers.some(
    (h) =>
      h.start > 0 &&
      isMeaningfulChar(scan.text.charCodeAt(h.start - 1)) &&
      !markers.some((m) => inside(h, m)) &&
      !cancelled.some((c) => c.start <= h.start && c.end >= h.end),
  );
}

/** Before reading words: what the adapter knew, and bodies with nothing readable in them. */
function rejectByShape(s: Submission, scan: SubmissionScan): ValidityDecision | null {
  if (s.rejectHint) {
    return decision('rejected', s.rejectHint, [{ stage: 'validate', rule: 'adapter_hint', detail: `the ${s.channelType} adapter marked it ${s.rejectHint}` }]);
  }
  const body = scan.text.slice(scan.bodyStart).trim();
  const command = BOT_COMMAND.exec(body);
  // A command alone, or with one short setting after it (/language en, /lang zh).
  if (command && (countMeaningful(body, command[0].length) === 0 || /^\s+[a-z]{1,5}\s*$/i.test(body.slice(command[0].length)))) {
    return decision('rejected', 'bot_command', [{ stage: 'validate', rule: 'bot_command', terms: [command[0]], detail: 'a bot command with no text' }]);
  }
  const readable = countMeaningful(body);
  const replacement = (s.text.match(/\uFFFD/g) ?? []).length;
  if (replacement > 0 && replacement >= UNDECODABLE_SHARE * (readable + replacement)) {
    return decision('rejected', 'undecodable_content', [{ stage: 'validate', rule: 'undecodable', detail: `${replacement} undecodable characters` }]);
  }
  if (readable === 0) {
    if (scan.hadScript) return decision('rejected', 'script_injection', [{ stage: 'validate', rule: 'script_only', detail: 'the body held only script or markup' }]);
    const image = s.attachments.some((a) => a.contentType.startsWith('image/'));
    if (image) return decision('rejected', 'image_without_text', [{ stage: 'validate', rule: 'image_without_text', detail: 'an image with no words' }]);
    return decision('rejected', 'empty', [{ stage: 'validate', rule: 'empty', detail: 'no readable text' }]);
  }
  return null;
}

/** General words that report pollution being let out, not merely that something is polluted or over a limit. */
const DISCHARGE_WORDS = new Set(['偷排', '直排', '偷偷排']);

/** Rejection rules of the table, in table order. */
function rejectByRules(scan: SubmissionScan, env: number, rules: RuleSet): ValidityDecision | null {
  const { rejections, thresholds } = rules.validity;
  const filler = scan.hits.filter((h) => h.ref.group.kind === 'filler' && h.start >= scan.bodyStart);
  for (let i = 0; i < rejections.length; i += 1) {
    const rule = rejections[i];
    const hits = scan.hits.filter((h) => h.ref.group.kind === 'rejection' && h.ref.group.rule === i);
    if (!hits.length) continue;
    if (!rule.force && env >= thresholds.environment) continue;
    const matched =
      rule.mode === 'any'
        ? sumUnique(hits) >= rule.threshold
        : coversBody(
            scan,
            hits.filter((h) => h.start >= scan.bodyStart),
            filler,
            thresholds.onlyRest,
          );
    if (matched) {
      return decision('rejected', rule.reason, [
        { stage: 'validate', rule: `reject.${rule.reason}`, detail: rule.mode === 'only' ? 'nothing but these words' : undefined, terms: uniqueTerms(hits), ruleTable: tableName(rules) },
      ]);
    }
  }
  return null;
}

function environmentReason(evidence: CategoryEvidence, rules: RuleSet): Reason {
  const terms = [...evidence.generalTerms, ...[...evidence.terms.values()].flat()];
  return { stage: 'validate', rule: 'environmental_terms', terms, ruleTable: `category@${rules.category.version}` };
}

export function validate(input: JudgingInput, rules: RuleSet = DEFAULT_RULE_SET): ValidityDecision {
  const s = input.submission;
  const scan = scanSubmission(s, rules);
  const shaped = rejectByShape(s, scan);
  if (shaped) return shaped;

  const v = rules.validity;
  const table = tableName(rules);
  const evidence = scoreCategories(scan, s, rules);
  const declaredOutOfScope = !!s.declaredCategory && v.declaredOutOfScope.includes(s.declaredCategory.trim());
  // A declared environmental category is a clue that tips an otherwise wordless complaint, never more.
  const declaredEnv = evidence.declared && evidence.declared.weight > 0 ? evidence.declared.weight : 0;
  let env = evidence.total;

  const rejected = rejectByRules(scan, env, rules);
  if (rejected) return rejected;
  // After the tables, so "123" stays a test submission; keyboard mash and bare digit strings are no words.
  const illegible = illegibleShape(scan.text.slice(scan.bodyStart));
  if (illegible) return decision('rejected', 'illegible', [{ stage: 'validate', rule: 'illegible_shape', detail: illegible }]);

  const reasons: Reason[] = [];
  const topics = topicScores(scan.hits, 'scope');
  let best: TopicScore | undefined = topics[0];

  // Noise is the environment department's when a business makes it; neighbours, square dancing, vendors
  // and traffic go to public security / urban management.
  const noise = evidence.scores.get('noise') ?? 0;
  const otherEnv = env - noise;
  if (noise > 0 && noise >= otherEnv) {
    const business = scan.hits.filter((h) => h.ref.group.kind === 'noise_business' && !h.negated);
    const street = topicScores(scan.hits, 'noise_street')[0];
    const businessScore = sumUnique(business);
    if (street && street.score > businessScore) {
      reasons.push({ stage: 'validate', rule: 'noise.street_life', terms: street.terms, ruleTable: table, detail: `noise from ${street.key}` });
      env = otherEnv;
      const combined = best && best.topic === street.topic ? { ...street, score: street.score + best.score, terms: [...street.terms, ...best.terms] } : street;
      if (!best || combined.score >= best.score) best = combined;
    } else if (businessScore > 0) {
      reasons.push({ stage: 'validate', rule: 'noise.business', terms: uniqueTerms(business), ruleTable: table });
      // A workshop a neighbour runs (邻居开的小作坊) is a business: the neighbour is who runs it, not the matter.
      if (best?.topic === 'neighbour') best = topics.find((t) => t.topic !== 'neighbour');
    }
  }

  const outOfScope = (topic: TopicScore | undefined, rule: string): ValidityDecision => {
    const t = topic ?? { key: 'other_gov', topic: 'other_gov' as const, referral: 'other_gov', score: 0, terms: [] };
    reasons.push({ stage: 'validate', rule, terms: t.terms, ruleTable: table, detail: `topic ${t.topic}` });
    reasons.push({ stage: 'validate', rule: 'referral', detail: t.referral, ruleTable: `referral@${rules.referral.version}` });
    if (env > 0) reasons.push(environmentReason(evidence, rules));
    return decision('out_of_scope', t.topic, reasons, { referral: rules.referral.referrals[t.referral] ?? null, flags: flagsOf(scan, rules, reasons) });
  };

  // A text that reports pollution being let out (偷排, 直排) is this department's matter whatever else it
  // asks (工厂老板拖欠工资还偷排废水): the other matter does not outweigh the discharge.
  const reportsDischarge = evidence.generalTerms.some((t) => DISCHARGE_WORDS.has(t)) && env - evidence.general >= v.thresholds.environment;
  if (best && best.score >= v.thresholds.topic && best.score > env && !reportsDischarge) return outOfScope(best, `scope.${best.key}`);
  if (env + declaredEnv > 0) {
    const referred = reportsDischarge ? null : modelReferral(scan, rules);
    if (referred) {
      reasons.push({ stage: 'validate', rule: 'validity_model', detail: `the model reads ${referred.topic} ${referred.gap.toFixed(1)} over a complaint`, ruleTable: rules.models.validity!.table });
      return outOfScope(modelTopic(referred.topic), 'validity_model_topic');
    }
    reasons.push(environmentReason(evidence, rules));
    if (declaredEnv && evidence.declared) reasons.push({ stage: 'validate', rule: 'declared_category', detail: evidence.declared.label, ruleTable: `category@${rules.category.version}` });
    const flags = flagsOf(scan, rules, reasons);
    if (!hasGivenLocation(s) && !namesPlace(scan)) flags.push('vague_location');
    return decision('accepted', null, reasons, { flags });
  }
  if (declaredOutOfScope) return outOfScope(best, 'declared_out_of_scope');
  if (best) return outOfScope(best, `scope.${best.key}`);
  if (countMeaningful(scan.text, scan.bodyStart) < SHORT_TEXT) {
    return decision('rejected', 'no_complaint', [{ stage: 'validate', rule: 'no_matter', detail: 'a short text naming no matter' }]);
  }
  // Words the tables do not know: the validity model decides when it is sure enough (a hang-up, a power
  // bill), otherwise it is kept for an officer rather than a possible complaint refused.
  const reading = modelReading(scan, rules);
  if (reading) {
    const cited: Reason = { stage: 'validate', rule: 'validity_model', detail: `no rule matched; the model reads ${describeReading(reading)}`, ruleTable: rules.models.validity!.table };
    if (reading.best === 'invalid') return decision('rejected', 'no_complaint', [cited]);
    reasons.push(cited);
    if (reading.best !== 'valid') return outOfScope(modelTopic(reading.best), 'validity_model_topic');
  }
  reasons.push({ stage: 'validate', rule: 'unrecognised_matter', detail: 'no rule matched; an officer should read it' });
  const flags = [...flagsOf(scan, rules, reasons), 'unrecognised_matter'];
  if (!hasGivenLocation(s) && !namesPlace(scan)) flags.push('vague_location');
  return decision('accepted', null, reasons, { flags });
}

/**
 * The out-of-scope topic the validity model finds likelier than a complaint by at least the table's margin,
 * for a text the tables accepted.
 */
function modelReferral(scan: SubmissionScan, rules: RuleSet): { topic: OutOfScopeTopic; gap: number } | null {
  const model = rules.models.validity;
  const margin = rules.validity.thresholds.modelRefersAccepted;
  if (!model || margin === undefined) return null;
  const valid = model.classes.indexOf('valid');
  const scores = valid >= 0 ? modelScores(model, scan.text) : null;
  if (!scores) return null;
  let best: { topic: OutOfScopeTopic; gap: number } | null = null;
  model.classes.forEach((c, i) => {
    if (c === 'valid' || c === 'invalid') return;
    const gap = scores[i] - scores[valid];
    if (gap >= margin && (!best || gap > best.gap)) best = { topic: c, gap };
  });
  return best;
}

/** A topic the validity model read, as the tables' topics are given: referred by the topic's own entry. */
const modelTopic = (topic: OutOfScopeTopic) => ({ key: topic, topic, referral: topic, score: 0, terms: [] });

/** The validity model's reading of a text no rule recognised, when it is at least as sure as the table asks. */
function modelReading(scan: SubmissionScan, rules: RuleSet): ModelReading<ValidityModelClass> | null {
  const model = rules.models.validity;
  const margin = rules.validity.thresholds.modelDecidesUnrecognised;
  if (!model || margin === undefined) return null;
  const reading = readModel(model, scan.text);
  return reading && reading.margin >= margin ? reading : null;
}

/** Notes that do not change the status; each flag adds its own reason. */
function flagsOf(scan: SubmissionScan, rules: RuleSet, reasons: Reason[]): string[] {
  const litigation = scan.hits.filter((h) => h.ref.group.kind === 'litigation' && !h.negated);
  if (!litigation.length) return [];
  const flag = rules.validity.litigation.flag;
  reasons.push({ stage: 'validate', rule: flag, terms: uniqueTerms(litigation), ruleTable: tableName(rules), detail: 'litigation, arbitration or administrative review' });
  return [flag];
}
