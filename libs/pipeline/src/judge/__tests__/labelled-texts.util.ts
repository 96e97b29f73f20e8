import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { CATEGORIES, parseSubmission, type Category, type ChannelType, type Judgement } from '@huiliu/contracts';
import type { RuleSet } from '../../validate/rule-set.loader';
import { OUT_OF_SCOPE_TOPICS, VALIDITY_MODEL_CLASSES, type ValidityModelClass } from '../../validate/rule-set.schema';
import { trainTextModel, type TextModelTable } from '../../validate/text-model.util';
import { scanSubmission } from '../../validate/submission-scan.util';

/**
 * Labelled plain complaint texts (one JSON object per line) and how judge() fares on them: the test beside
 * this file checks the rule tables against `fixtures/judging-texts.jsonl`, and scripts/dev/text-eval.ts
 * scores any such file. `expect` reads as the sample corpus's truth.
 */
export interface LabelledText {
  id: string;
  channel: string;
  title: string | null;
  text: string;
  address: string | null;
  district_code: string | null;
  expect: {
    validity: 'valid' | 'out_of_scope' | 'invalid';
    reason: string | null;
    category: string | null;
    division: string | null;
    division_level: string | null;
    division_candidates: string[] | null;
  };
}

export interface TextScore {
  validity: { right: number; total: number };
  category: { right: number; total: number };
  division: { right: number; total: number };
  mistakes: string[];
}

const STATUS = { valid: 'accepted', out_of_scope: 'out_of_scope', invalid: 'rejected' } as const;
const CHANNELS = new Set<string>(['web', 'hotline', 'email', 'telegram', 'wechat', 'letter', 'visit', 'transfer', 'webhook']);
/** Labels that name a source rather than a channel type: Weibo posts come in through a webhook channel. */
const SOURCES: Record<string, string> = { letters: 'letter', weibo: 'webhook' };

export function readLabelledTexts(file: string): LabelledText[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledText);
}

/** The submission a channel would record for the text: its own place fields beside the words. */
export function submissionOf(r: LabelledText) {
  const channel = SOURCES[r.channel] ?? r.channel;
  const channelType = (CHANNELS.has(channel) ? channel : 'web') as ChannelType;
  return parseSubmission({ schemaVersion: 1, channelType, ref: r.id, title: r.title, text: r.text, location: { address: r.address, districtCode: r.district_code } });
}

const levelOf = (code: string | null, level: string | null, candidates: readonly string[] | null | undefined): string | null =>
  code ? level : candidates?.length ? 'ambiguous' : null;

/** Validity of every text, category of the valid ones, division of those not refused. */
export function scoreTexts(rows: LabelledText[], judge: (r: LabelledText) => Judgement): TextScore {
  const score: TextScore = { validity: { right: 0, total: 0 }, category: { right: 0, total: 0 }, division: { right: 0, total: 0 }, mistakes: [] };
  for (const r of rows) {
    const j = judge(r);
    const snippet = `${r.title ? `[${r.title}] ` : ''}${r.text}`.replace(/\s+/g, ' ').slice(0, 100);
    const want = STATUS[r.expect.validity];
    score.validity.total += 1;
    if (j.validity.status === want) score.validity.right += 1;
    else score.mistakes.push(`VALIDITY ${r.id} want=${want} got=${j.validity.status}/${j.validity.reason ?? ''} :: ${snippet}`);
    if (r.expect.validity === 'valid') {
      score.category.total += 1;
      const got = j.category.primary === 'approval' ? 'other' : j.category.primary;
      if (got === r.expect.category) score.category.right += 1;
      else score.mistakes.push(`CATEGORY ${r.id} want=${r.expect.category} got=${got} :: ${snippet}`);
    }
    if (r.expect.validity !== 'invalid' && j.validity.status !== 'rejected') {
      score.division.total += 1;
      const wantLevel = levelOf(r.expect.division, r.expect.division_level, r.expect.division_candidates);
      const gotLevel = levelOf(j.division.code, j.division.level, j.division.candidates);
      const sameCandidates = [...(r.expect.division_candidates ?? [])].sort().join() === [...j.division.candidates].sort().join();
      const right = wantLevel === gotLevel && (r.expect.division ? j.division.code === r.expect.division : wantLevel !== 'ambiguous' || sameCandidates);
      if (right) score.division.right += 1;
      else score.mistakes.push(`DIVISION ${r.id} want=${r.expect.division ?? ''}/${wantLevel} got=${j.division.code ?? ''}/${gotLevel} :: ${snippet}`);
    }
  }
  return score;
}

const modelTexts = new WeakMap<LabelledText, string>();

/**
 * The text a model reads of a labelled text: its words as the rules read them (title and body, normalised).
 * Kept per text, since both models and every fold of the held-out test read it; normalising does not depend
 * on the rule set's terms or models.
 */
function modelText(r: LabelledText, rules: RuleSet): string {
  let text = modelTexts.get(r);
  if (text === undefined) modelTexts.set(r, (text = scanSubmission(submissionOf(r), rules).text));
  return text;
}

/** Learns a model from labelled examples; the digest covers exactly the pairs it learnt from. */
function train<C extends string>(name: TextModelTable['name'], examples: { text: string; label: C }[], classes: readonly C[]): TextModelTable<C> {
  const sha256 = createHash('sha256').update(JSON.stringify(examples.map((e) => [e.label, e.text]))).digest('hex');
  const present = classes.filter((c) => examples.some((e) => e.label === c));
  return trainTextModel(examples, present, { name, version: `${examples.length}.${sha256.slice(0, 8)}`, sha256 });
}

/**
 * The category model from labelled texts: every valid one with its category. A changed label, a new text or
 * a change in how the rules normalise text all change the digest, so a stale table shows.
 */
export function trainCategoryModelOn(rows: LabelledText[], rules: RuleSet): TextModelTable<Category> {
  const examples = rows.filter((r) => r.expect.validity === 'valid' && r.expect.category).map((r) => ({ text: modelText(r, rules), label: r.expect.category as Category }));
  return train('category-model', examples, MODEL_CATEGORIES);
}

/** The labelled texts call approval matters `other` too, so the model has no approval category. */
export const MODEL_CATEGORIES: Category[] = CATEGORIES.filter((c) => c !== 'approval');

/** The validity model from labelled texts: valid, invalid, or the topic of an out-of-scope one. */
export function trainValidityModelOn(rows: LabelledText[], rules: RuleSet): TextModelTable<ValidityModelClass> {
  const topics = new Set<string>(OUT_OF_SCOPE_TOPICS);
  const labelOf = (r: LabelledText): ValidityModelClass =>
    r.expect.validity === 'out_of_scope' ? ((r.expect.reason && topics.has(r.expect.reason) ? r.expect.reason : 'other_gov') as ValidityModelClass) : r.expect.validity;
  return train('validity-model', rows.map((r) => ({ text: modelText(r, rules), label: labelOf(r) })), VALIDITY_MODEL_CLASSES);
}
