import * as fs from 'node:fs';
import * as path from 'node:path';
import { locate } from '@huiliu/divisions';
import { classify } from '../../classify/category.stage';
import { compileRuleSet, DEFAULT_RULE_PATHS, DEFAULT_RULE_SET, type RuleSet } from '../../validate/rule-set.loader';
import { compileTextModel } from '../../validate/text-model.util';
import { validate } from '../../validate/validity.stage';
import { judge, type Stages } from '../judge';
import { readLabelledTexts, scoreTexts, submissionOf, trainCategoryModelOn, trainValidityModelOn, type LabelledText } from './labelled-texts.util';

const rows = readLabelledTexts(path.join(__dirname, 'fixtures/judging-texts.jsonl'));
const stagesOf = (rules: RuleSet): Stages => ({ validate: (i) => validate(i, rules), locate: (i) => locate(i), classify: (i) => classify(i, rules), basinOf: () => null });

describe('the bundled text models', () => {
  it.each([
    ['category', DEFAULT_RULE_PATHS.categoryModel, trainCategoryModelOn],
    ['validity', DEFAULT_RULE_PATHS.validityModel, trainValidityModelOn],
  ] as const)('the %s model is the one the labelled texts teach (retrain with `npm run rules:train-models` when they change)', (_name, file, train) => {
    const bundled = JSON.parse(fs.readFileSync(file, 'utf8'));
    const fresh = train(rows, DEFAULT_RULE_SET);
    expect(bundled.trainedOn).toEqual(fresh.trainedOn);
    expect(bundled.version).toBe(fresh.version);
    expect(bundled.classes).toEqual(fresh.classes);
    expect(bundled.grams).toBe(fresh.grams);
    expect(bundled.counts).toEqual(fresh.counts);
  });

  /**
   * What the models add on wording they have not learnt: the labelled texts are split into five folds by the
   * set they were written in, and each fold is judged with models learnt from the other four. The terms were
   * tuned on every set, so this measures the models, not how well they repeat their lessons.
   */
  describe('on labelled sets they did not learn from', () => {
    const setOf = (r: LabelledText) => (r.id.includes('-') ? r.id.split('-')[0] : r.id[0]);
    const sets = [...new Set(rows.map(setOf))].sort();
    const foldOf = new Map(sets.map((s, i) => [s, i % 5]));
    const score = { validity: 0, category: 0, texts: 0, valid: 0, categoryAlone: 0 };
    for (let fold = 0; fold < 5; fold++) {
      const learnt = rows.filter((r) => foldOf.get(setOf(r)) !== fold);
      const models = { category: compileTextModel(trainCategoryModelOn(learnt, DEFAULT_RULE_SET)), validity: compileTextModel(trainValidityModelOn(learnt, DEFAULT_RULE_SET)) };
      const rules = compileRuleSet(DEFAULT_RULE_SET.validity, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, models);
      const held = rows.filter((r) => foldOf.get(setOf(r)) === fold);
      const s = scoreTexts(held, (r) => judge({ submission: submissionOf(r) }, stagesOf(rules)));
      score.validity += s.validity.right;
      score.texts += s.validity.total;
      score.category += s.category.right;
      score.valid += s.category.total;
      // The category model with no terms at all: every complaint is read by the model alone.
      const noTerms = { ...DEFAULT_RULE_SET.category, categories: {} as RuleSet['category']['categories'], general: {}, declared: {}, symptoms: {} };
      const alone = compileRuleSet(DEFAULT_RULE_SET.validity, { ...noTerms, thresholds: { ...noTerms.thresholds, facilityOnly: {}, cannotOutrankAlone: {} } }, DEFAULT_RULE_SET.referral, models);
      for (const r of held) {
        if (r.expect.validity !== 'valid') continue;
        const primary = classify({ submission: submissionOf(r) }, alone).primary;
        if ((primary === 'approval' ? 'other' : primary) === r.expect.category) score.categoryAlone += 1;
      }
    }

    it('decide validity right for at least 98% of the texts beside the tables', () => {
      expect(score.validity / score.texts).toBeGreaterThanOrEqual(0.98);
    });

    it('name the right category of at least 97% of the valid texts beside the terms', () => {
      expect(score.category / score.valid).toBeGreaterThanOrEqual(0.97);
    });

    it('name the right category of at least 94% of them with the category model alone', () => {
    expect(score.categoryAlone / score.valid).toBeGreaterThanOrEqual(0.94);
    });
  });
});
