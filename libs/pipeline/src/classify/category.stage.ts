/**
 * The classify stage: which kinds of pollution a complaint is about, and the main one.
 *
 * Each category's terms add their weights; the declared category (污染类型, pollution_type) adds a smaller
 * clue, so a hotline agent's wrong label is outvoted by the complainant's own words. Yielding categories
 * (approval: building without an EIA) lead only when nothing more specific is named, and a category read
 * only from symptoms (a smell) gives way to one that names what is polluted. The category model, learnt from
 * labelled texts, names the category of a complaint whose words no term lists, and overrules the terms
 * when it is far surer than they can say.
 */
import type { Category, CategoryDecision, JudgingInput, Reason } from '@huiliu/contracts';
import { DEFAULT_RULE_SET, type RuleSet } from '../validate/rule-set.loader';
import { scanSubmission } from '../validate/submission-scan.util';
import { describeReading as describe, readModel, type ModelReading } from '../validate/text-model.util';
import { scoreCategories } from './category-score.util';

export function classify(input: JudgingInput, rules: RuleSet = DEFAULT_RULE_SET): CategoryDecision {
  const s = input.submission;
  const table = `category@${rules.category.version}`;
  const { thresholds, fallback } = rules.category;
  const scan = scanSubmission(s, rules);
  const evidence = scoreCategories(scan, s, rules);
  const model = rules.models.category;
  const reading = model ? readModel(model, scan.text) : null;
  const modelTable = model?.table ?? table;

  const scores = new Map(evidence.scores);
  const reasons: Reason[] = [];
  if (evidence.declared && evidence.declared.weight > 0) {
    const { category, weight, label } = evidence.declared;
    scores.set(category, (scores.get(category) ?? 0) + weight);
    reasons.push({ stage: 'classify', rule: 'declared_category', detail: `${label} → ${category} (+${weight})`, ruleTable: table });
  }

  // Table order breaks ties, so the listing is stable run to run.
  const order = Object.keys(rules.category.categories) as Category[];
  const ranked = order.filter((c) => (scores.get(c) ?? 0) > 0).sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0));

  if (!ranked.length) {
    if (!evidence.declared && reading) {
      const primary = modelCategory(reading, evidence.scores);
      reasons.push({ stage: 'classify', rule: 'category_model', detail: `no category terms; the model reads ${describe(reading)}`, ruleTable: modelTable });
      return { categories: [primary], primary, reasons };
    }
    const primary = evidence.total > 0 || evidence.declared ? (evidence.declared?.category ?? fallback) : null;
    if (primary) reasons.push({ stage: 'classify', rule: 'fallback', detail: `no category terms; ${primary}`, ruleTable: table });
    return { categories: primary ? [primary] : [], primary, reasons };
  }

  const top = scores.get(ranked[0]) ?? 0;
  const listed = ranked.filter((c, i) => i === 0 || (scores.get(c) ?? 0) >= Math.max(thresholds.minScore, thresholds.secondaryRatio * top));
  // A category whose evidence is only words of one of the table's lists (and some).
  const readOnlyFrom = (c: Category, list: readonly string[] | undefined): boolean => {
    const terms = evidence.terms.get(c) ?? [];
    return !!list && terms.length > 0 && terms.every((t) => list.includes(t));
  };
  const substantive = ranked.filter((c) => !thresholds.yielding.includes(c) && (scores.get(c) ?? 0) >= thresholds.minScore);
  let primary = thresholds.yielding.includes(listed[0]) && substantive.length ? substantive[0] : listed[0];
  const yielding = ranked.find((c) => thresholds.yielding.includes(c));
  if (yielding && primary !== yielding && substantive.length && substantive.every((c) => readOnlyFrom(c, thresholds.facilityOnly[c]))) {
    reasons.push({ stage: 'classify', rule: 'facility_only', detail: `${substantive.join(', ')} only name the kind of plant; ${yielding} leads`, ruleTable: table });
    primary = yielding;
  }
  const symptoms = rules.category.symptoms[primary];
  if (symptoms && readOnlyFrom(primary, symptoms.terms)) {
    // ...unless that category too is named only as where the nuisance comes from (鸡粪 of a compost yard).
    const source = substantive.find((c) => symptoms.givesWayTo.includes(c) && !readOnlyFrom(c, symptoms.leadsOver[c]));
    if (source) {
      reasons.push({ stage: 'classify', rule: 'symptom_yields', detail: `${primary} only from what was sensed; ${source} names what is polluted`, ruleTable: table });
      primary = source;
    }
  } else {
    // A refuse station or a manure heap named only as where a smell comes from: the smell is the complaint.
    const sensing = (Object.keys(rules.category.symptoms) as Category[]).find(
      (c) => c !== primary && readOnlyFrom(primary, rules.category.symptoms[c]!.leadsOver[primary]) && (scores.get(c) ?? 0) >= thresholds.minScore,
    );
    if (sensing) {
      reasons.push({ stage: 'classify', rule: 'source_of_symptom', detail: `${primary} named only as where the ${sensing} nuisance comes from`, ruleTable: table });
      primary = sensing;
    }
  }
  const outranking = ranked.find(
    (c) => c !== primary && thresholds.outranks[c]?.includes(primary) && (scores.get(c) ?? 0) >= thresholds.minScore && !readOnlyFrom(c, thresholds.cannotOutrankAlone[c]),
  );
  if (outranking) {
    reasons.push({ stage: 'classify', rule: 'outranks', detail: `${outranking} outranks ${primary}`, ruleTable: table });
    primary = outranking;
  }
  // The model learnt which words go with which category, not the table's order of precedence: what a
  // precedence rule settled stays settled, and it never puts an approval matter before a pollution.
  const settled = reasons.some((r) => PRECEDENCE_RULES.has(r.rule));
  const overrule = thresholds.modelOverrules;
  if (reading && overrule !== undefined && reading.margin >= overrule && !settled) {
    const read = modelCategory(reading, scores);
    if (read !== primary && !(read === 'other' && primary === 'approval') && !thresholds.yielding.includes(read)) {
      reasons.push({ stage: 'classify', rule: 'category_model_overrules', detail: `the terms say ${primary}; the model reads ${describe(reading)}`, ruleTable: modelTable });
      primary = read;
    }
  }
  if (!listed.includes(primary)) listed.push(primary);
  const categories = [primary, ...listed.filter((c) => c !== primary)];


  for (const c of categories) {
    reasons.push({ stage: 'classify', rule: `category.${c}`, terms: evidence.terms.get(c) ?? [], detail: `score ${(scores.get(c) ?? 0).toFixed(1)}`, ruleTable: table });
  }
  if (evidence.declared && evidence.declared.category !== primary) {
    reasons.push({ stage: 'classify', rule: 'declared_overridden', detail: `declared ${evidence.declared.label}, text says ${primary}`, ruleTable: table });
  }
  return { categories, primary, reasons };
}

const PRECEDENCE_RULES = new Set(['facility_only', 'symptom_yields', 'source_of_symptom', 'outranks']);

/**
 * The labelled texts do not tell approval matters (building without an EIA) from the rest of `other`: the
 * model's `other` is approval when the terms found an approval matter and nothing else of `other`.
 */
function modelCategory(reading: ModelReading<Category>, scores: Map<Category, number>): Category {
  if (reading.best === 'other' && (scores.get('approval') ?? 0) > (scores.get('other') ?? 0)) return 'approval';
  return reading.best;
}
