/**
 * Category evidence of a submission: the weight of every category's terms found in its words (each term
 * counted once, negated ones left out) and the declared category's clue. Validate uses the total as
 * "is this environmental at all"; classify ranks the categories.
 */
import type { Category, Submission } from '@huiliu/contracts';
import type { RuleSet } from '../validate/rule-set.loader';
import type { SubmissionScan } from '../validate/submission-scan.util';
import { normalizeForRules } from '../validate/text-normalize.util';

export interface CategoryEvidence {
  /** Text evidence per category (declared clue excluded). */
  scores: Map<Category, number>;
  terms: Map<Category, string[]>;
  /** Environmental words that name no category. */
  general: number;
  generalTerms: string[];
  /** The declared category label resolved through the table, when it names one. */
  declared: { label: string; category: Category; weight: number } | null;
  /** Sum of all text evidence: category terms plus general words. */
  total: number;
}

const declaredIndex = new WeakMap<RuleSet, Map<string, { category: Category; weight: number }>>();

function declaredLookup(rules: RuleSet): Map<string, { category: Category; weight: number }> {
  let index = declaredIndex.get(rules);
  if (!index) {
    index = new Map(Object.entries(rules.category.declared).map(([label, v]) => [normalizeForRules(label).trim(), v]));
    declaredIndex.set(rules, index);
  }
  return index;
}

export function resolveDeclared(label: string | null, rules: RuleSet): CategoryEvidence['declared'] {
  if (!label || !label.trim()) return null;
  const hit = declaredLookup(rules).get(normalizeForRules(label).trim());
  return hit ? { label, ...hit } : null;
}

/**
 * Inland lakes called 海 (洱海, 乌梁素海, 什刹海, 青海湖), listed as water terms: the 海 in them, and 海边 or 海水 read
 * across them, is no sea.
 */
function lakeSpans(scan: SubmissionScan): [number, number][] {
  return scan.hits.filter((h) => h.ref.group.kind === 'category' && h.ref.group.category === 'water' && h.ref.term.includes('海')).map((h) => [h.start, h.end]);
}

/** Words for a shore or its water that, in a text naming a lake called 海, speak of that lake (双廊镇海边 … 洱海). */
const LAKESIDE_SEA_WORDS = new Set(['海边', '海水', '海里', '海面', '海滩', '沙滩', '往海里', '海中', '海岸', '海上', 'beach', 'sea']);

export function scoreCategories(scan: SubmissionScan, submission: Submission, rules: RuleSet): CategoryEvidence {
  const scores = new Map<Category, number>();
  const terms = new Map<Category, string[]>();
  const generalTerms: string[] = [];
  let general = 0;
  const seen = new Set<string>();
  const lakes = lakeSpans(scan);
  for (const hit of scan.hits) {
    const g = hit.ref.group;
    if (hit.negated || (g.kind !== 'category' && g.kind !== 'general')) continue;
    if (g.kind === 'category' && g.category === 'marine' && (lakes.some(([from, to]) => hit.start < to && hit.end > from) || (lakes.length && LAKESIDE_SEA_WORDS.has(hit.ref.term)))) continue;
    const key = g.kind === 'category' ? `${g.category}\u0000${hit.ref.term}` : `\u0000${hit.ref.term}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (g.kind === 'general') {
      general += hit.ref.weight;
      generalTerms.push(hit.ref.term);
      continue;
    }
    scores.set(g.category, (scores.get(g.category) ?? 0) + hit.ref.weight);
    const list = terms.get(g.category);
    if (list) list.push(hit.ref.term);
    else terms.set(g.category, [hit.ref.term]);
  }
  let total = general;
  for (const v of scores.values()) total += v;
  return { scores, terms, general, generalTerms, declared: resolveDeclared(submission.declaredCategory, rules), total };
}
