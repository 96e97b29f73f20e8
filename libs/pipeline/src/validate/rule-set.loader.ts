/**
 * Loads the judging rule tables, checks them, and compiles every term of every table into one automaton.
 * The bundled tables are loaded once at module load; a deployment passes its own file paths to
 * `loadRuleSet` (for example an edited referral table) and hands the result to validate/classify.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import type { Category } from '@huiliu/contracts';
import { compileTextModel, type TextModel, type TextModelTable } from './text-model.util';
import {
  CategoryModelTableSchema,
  ValidityModelTableSchema,
  type ValidityModelClass,
  CategoryRulesSchema,
  ReferralRulesSchema,
  ValidityRulesSchema,
  type CategoryRules,
  type OutOfScopeTopic,
  type ReferralRules,
  type ValidityRules,
} from './rule-set.schema';
import { normalizeForRules } from './text-normalize.util';
import { TermMatcher } from './term-matcher.util';

/** Where a term came from: its group (what it is evidence of), the key inside that group, and its weight. */
export type TermGroup =
  | { kind: 'negation' }
  | { kind: 'filler' }
  | { kind: 'rejection'; rule: number }
  | { kind: 'scope'; key: string; topic: OutOfScopeTopic; referral: string }
  | { kind: 'noise_business' }
  | { kind: 'noise_street'; key: string; topic: OutOfScopeTopic; referral: string }
  | { kind: 'litigation' }
  | { kind: 'place' }
  | { kind: 'not_place' }
  | { kind: 'category'; category: Category }
  | { kind: 'general' };

export interface TermRef {
  group: TermGroup;
  /** The term as written in the table (shown to officers in reasons). */
  term: string;
  weight: number;
  /** `name@version` of the table it came from. */
  table: string;
}

export interface RuleSet {
  validity: ValidityRules;
  category: CategoryRules;
  referral: ReferralRules;
  matcher: TermMatcher;
  /** For each automaton term index, every table entry that normalises to that term. */
  refs: TermRef[][];
  /** The models learnt from labelled texts; null when a deployment turns one off. */
  models: { category: TextModel<Category> | null; validity: TextModel<ValidityModelClass> | null };
}

export interface RuleSetPaths {
  validity?: string;
  category?: string;
  referral?: string;
  /** The category model's table; `none` turns the model off. */
  categoryModel?: string;
  /** The validity model's table; `none` turns the model off. */
  validityModel?: string;
}

export const DEFAULT_RULES_DIR = path.resolve(__dirname, '..', '..', 'rules');

export const DEFAULT_RULE_PATHS: Required<RuleSetPaths> = {
  validity: path.join(DEFAULT_RULES_DIR, 'validity.rules.json'),
  category: path.join(DEFAULT_RULES_DIR, 'category.rules.json'),
  referral: path.join(DEFAULT_RULES_DIR, 'referral.rules.json'),
  categoryModel: path.join(DEFAULT_RULES_DIR, 'category.model.json'),
  validityModel: path.join(DEFAULT_RULES_DIR, 'validity.model.json'),
};

export class RuleTableError extends Error {}

function readTable<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RuleTableError(`rule table ${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RuleTableError(`rule table ${file}: ${issues}`);
  }
  return parsed.data;
}

/** Builds a rule set from already-parsed tables (used by the loader and by tests with inline tables). */
export function compileRuleSet(validity: ValidityRules, category: CategoryRules, referral: ReferralRules, models: Partial<RuleSet['models']> = {}): RuleSet {
  const matcher = new TermMatcher();
  const refs: TermRef[][] = [];
  const indexOf = new Map<string, number>();
  const vTable = `validity@${validity.version}`;
  const cTable = `category@${category.version}`;

  const add = (term: string, weight: number, group: TermGroup, table: string): void => {
    const key = normalizeForRules(term).trim();
    if (!key) throw new RuleTableError(`rule table ${table}: term "${term}" is blank after normalisation`);
    let index = indexOf.get(key);
    if (index === undefined) {
      index = matcher.add(key);
      indexOf.set(key, index);
      refs[index] = [];
    }
    refs[index].push({ group, term, weight, table });
  };
  const referralOf = (key: string, explicit: string | undefined, topic: OutOfScopeTopic): string => {
    const ref = explicit ?? topic;
    if (!referral.referrals[ref]) throw new RuleTableError(`rule table referral@${referral.version}: no referral for "${ref}" (used by ${key})`);
    return ref;
  };

  for (const cue of validity.negation.cues) add(cue, 1, { kind: 'negation' }, vTable);
  for (const word of validity.filler) add(word, 1, { kind: 'filler' }, vTable);
  validity.rejections.forEach((rule, i) => {
    for (const [term, w] of Object.entries(rule.terms)) add(term, w, { kind: 'rejection', rule: i }, vTable);
  });
  for (const [key, entry] of Object.entries(validity.scope)) {
    const group: TermGroup = { kind: 'scope', key, topic: entry.topic, referral: referralOf(key, entry.referral, entry.topic) };
    for (const [term, w] of Object.entries(entry.terms)) add(term, w, group, vTable);
  }
  for (const [term, w] of Object.entries(validity.noiseSources.business)) add(term, w, { kind: 'noise_business' }, vTable);
  for (const [key, entry] of Object.entries(validity.noiseSources.street)) {
    const group: TermGroup = { kind: 'noise_street', key, topic: entry.topic, referral: referralOf(key, entry.referral, entry.topic) };
    for (const [term, w] of Object.entries(entry.terms)) add(term, w, group, vTable);
  }
  for (const term of validity.litigation.terms) add(term, 1, { kind: 'litigation' }, vTable);
  for (const term of validity.placeMarkers) add(term, 1, { kind: 'place' }, vTable);
  for (const term of validity.notPlace) add(term, 1, { kind: 'not_place' }, vTable);
  for (const [cat, terms] of Object.entries(category.categories) as [Category, Record<string, number>][]) {
    for (const [term, w] of Object.entries(terms)) add(term, w, { kind: 'category', category: cat }, cTable);
  }
  for (const [term, w] of Object.entries(category.general)) add(term, w, { kind: 'general' }, cTable);
  // Every term a list refers to must be a term of that category: a typo would silently do nothing.
  const lists: [string, Category, string[]][] = [];
  for (const [cat, symptoms] of Object.entries(category.symptoms) as [Category, NonNullable<CategoryRules['symptoms'][Category]>][]) {
    lists.push([`symptoms.${cat}`, cat, symptoms.terms]);
    for (const [c, t] of Object.entries(symptoms.leadsOver) as [Category, string[]][]) lists.push([`symptoms.${cat}.leadsOver.${c}`, c, t]);
  }
  for (const [c, t] of Object.entries(category.thresholds.facilityOnly) as [Category, string[]][]) lists.push([`thresholds.facilityOnly.${c}`, c, t]);
  for (const [where, of, terms] of lists) {
    const missing = terms.filter((t) => !(t in (category.categories[of] ?? {})));
    if (missing.length) throw new RuleTableError(`rule table ${cTable}: ${where} lists terms that are not ${of} terms: ${missing.join(', ')}`);
  }

  matcher.build();
  return { validity, category, referral, matcher, refs, models: { category: models.category ?? null, validity: models.validity ?? null } };
}

/** The schema checks the table's shape; compiling checks every count (see TextModelTableSchema). */
function loadModelTable<C extends string>(file: string, schema: z.ZodType): TextModel<C> | null {
  if (file === 'none') return null;
  const table = readTable(file, schema) as TextModelTable<C>;
  try {
    return compileTextModel<C>(table);
  } catch (err) {
    throw new RuleTableError(`rule table ${file}: ${(err as Error).message}`);
  }
}

/** Loads and compiles the rule tables; any path left out uses the bundled table. */
export function loadRuleSet(overrides: RuleSetPaths = {}): RuleSet {
  const paths = { ...DEFAULT_RULE_PATHS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v)) };
  return compileRuleSet(
    readTable(paths.validity, ValidityRulesSchema),
    readTable(paths.category, CategoryRulesSchema),
    readTable(paths.referral, ReferralRulesSchema),
    { category: loadModelTable<Category>(paths.categoryModel, CategoryModelTableSchema), validity: loadModelTable<ValidityModelClass>(paths.validityModel, ValidityModelTableSchema) },
  );
}

/** The bundled tables, checked and compiled once when this module is first loaded. */
export const DEFAULT_RULE_SET: RuleSet = loadRuleSet();
