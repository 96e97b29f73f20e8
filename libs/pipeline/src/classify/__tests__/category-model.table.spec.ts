import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileRuleSet, DEFAULT_RULE_PATHS, DEFAULT_RULE_SET } from '../../validate/rule-set.loader';
import { readLabelledTexts, scoreTexts, submissionOf, trainCategoryModelOn, type LabelledText } from '../../judge/__tests__/labelled-texts.util';
import { judge } from '../../judge/judge';
import { defaultStages } from '../../judge/default-stages';
import { compileCategoryModel } from '../category-model.util';
import { classify } from '../category.stage';

const rows = readLabelledTexts(path.join(__dirname, '../../judge/__tests__/fixtures/judging-texts.jsonl'));

describe('the bundled category model', () => {
  it('is the one the labelled texts teach (retrain with `npm run rules:train-category-model` when they change)', () => {
    const bundled = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.categoryModel, 'utf8'));
    const fresh = trainCategoryModelOn(rows, DEFAULT_RULE_SET);
    expect(bundled.trainedOn).toEqual(fresh.trainedOn);
    expect(bundled.version).toBe(fresh.version);
    expect(bundled.grams).toBe(fresh.grams);
    expect(bundled.counts).toEqual(fresh.counts);
  });

  /**
   * What the model adds on wording it has not learnt: the labelled texts are split into five folds by the set
   * they were written in, and each fold is judged with a model learnt from the other four. The terms were
   * tuned on every set, so this measures the model, not how well it repeats its lessons.
   */
  describe('on labelled sets it did not learn from', () => {
    const setOf = (r: LabelledText) => (r.id.includes('-') ? r.id.split('-')[0] : r.id[0]);
    const sets = [...new Set(rows.map(setOf))].sort();
    const foldOf = new Map(sets.map((s, i) => [s, i % 5]));
    const score = { withModel: 0, modelAlone: 0, total: 0 };
    for (let fold = 0; fold < 5; fold++) {
      const model = compileCategoryModel(trainCategoryModelOn(rows.filter((r) => foldOf.get(setOf(r)) !== fold), DEFAULT_RULE_SET));
      const rules = compileRuleSet(DEFAULT_RULE_SET.validity, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, model);
      const stages = { ...defaultStages(), classify: (input: Parameters<typeof classify>[0]) => classify(input, rules) };
      const held = rows.filter((r) => foldOf.get(setOf(r)) === fold);
      const s = scoreTexts(held, (r) => judge({ submission: submissionOf(r) }, stages));
      score.withModel += s.category.right;
      score.total += s.category.total;
      const alone = compileRuleSet(DEFAULT_RULE_SET.validity, { ...DEFAULT_RULE_SET.category, categories: {} as typeof DEFAULT_RULE_SET.category.categories, general: {}, declared: {}, symptoms: {}, thresholds: { ...DEFAULT_RULE_SET.category.thresholds, facilityOnly: {}, cannotOutrankAlone: {} } }, DEFAULT_RULE_SET.referral, model);
      for (const r of held) {
        if (r.expect.validity !== 'valid') continue;
        const primary = classify({ submission: submissionOf(r) }, alone).primary;
        if ((primary === 'approval' ? 'other' : primary) === r.expect.category) score.modelAlone += 1;
      }
    }

    it('names the right category of at least 97% of the valid texts beside the terms', () => {
      expect(score.withModel / score.total).toBeGreaterThanOrEqual(0.97);
    });

    it('names the right category of at least 94% of them alone', () => {
      expect(score.modelAlone / score.total).toBeGreaterThanOrEqual(0.94);
    });
  });
});
