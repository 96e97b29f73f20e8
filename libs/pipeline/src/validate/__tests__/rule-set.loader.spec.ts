import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_RULE_PATHS, DEFAULT_RULE_SET, loadRuleSet, RuleTableError } from '../rule-set.loader';
import { validate } from '../validity.stage';
import { inputOf } from './judging-fixture.util';

describe('loadRuleSet', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huiliu-rules-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeJson = (name: string, value: unknown): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('loads the bundled tables, each with a version', () => {
    expect(DEFAULT_RULE_SET.validity.version).toBeTruthy();
    expect(DEFAULT_RULE_SET.category.version).toBeTruthy();
    expect(DEFAULT_RULE_SET.referral.version).toBeTruthy();
    expect(DEFAULT_RULE_SET.matcher.size).toBeGreaterThan(300);
  });

  it('takes a deployment referral table from an override path', () => {
    const bundled = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.referral, 'utf8'));
    const file = writeJson('referral.rules.json', { ...bundled, version: 'city-7', referrals: { ...bundled.referrals, labour: '某市劳动保障监察支队' } });
    const rules = loadRuleSet({ referral: file });
    const d = validate(inputOf('公司拖欠工资三个月了'), rules);
    expect(d).toMatchObject({ status: 'out_of_scope', reason: 'labour', referral: '某市劳动保障监察支队' });
    expect(d.reasons.map((r) => r.ruleTable)).toContain('referral@city-7');
  });

  it('refuses a referral table that misses a topic the validity table refers to', () => {
    const file = writeJson('referral.rules.json', { name: 'referral', version: '1', referrals: { labour: 'x' } });
    expect(() => loadRuleSet({ referral: file })).toThrow(/no referral for "traffic"/);
  });

  it('refuses a malformed table with the file and the field in the message', () => {
    const bundled = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.category, 'utf8'));
    delete bundled.version;
    const file = writeJson('category.rules.json', bundled);
    expect(() => loadRuleSet({ category: file })).toThrow(RuleTableError);
    expect(() => loadRuleSet({ category: file })).toThrow(/category\.rules\.json: version/);
  });

  it('refuses symptom terms that are not terms of their category', () => {
    const bundled = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.category, 'utf8'));
    bundled.symptoms.air.terms.push('噪音');
    const file = writeJson('category.rules.json', bundled);
    expect(() => loadRuleSet({ category: file })).toThrow(/symptoms\.air lists terms that are not air terms: 噪音/);
    bundled.symptoms.air.terms.pop();
    bundled.symptoms.air.leadsOver.solid_waste.push('粪水');
    const other = writeJson('category2.rules.json', bundled);
    expect(() => loadRuleSet({ category: other })).toThrow(/symptoms\.air\.leadsOver\.solid_waste lists terms that are not solid_waste terms: 粪水/);
    bundled.symptoms.air.leadsOver.solid_waste.pop();
    bundled.thresholds.facilityOnly.marine.push('喷涂');
    const third = writeJson('category3.rules.json', bundled);
    expect(() => loadRuleSet({ category: third })).toThrow(/thresholds\.facilityOnly\.marine lists terms that are not marine terms: 喷涂/);
  });

  it('loads the bundled text models, and none where a deployment turns one off', () => {
    expect(DEFAULT_RULE_SET.models.category?.classes).toContain('water');
    expect(DEFAULT_RULE_SET.models.category?.runs.size).toBeGreaterThan(10_000);
    expect(DEFAULT_RULE_SET.models.validity?.classes).toEqual(expect.arrayContaining(['valid', 'invalid', 'labour']));
    const off = loadRuleSet({ categoryModel: 'none', validityModel: 'none' });
    expect(off.models).toEqual({ category: null, validity: null });
  });

  it('refuses a category model whose counts do not fit its runs, naming the file', () => {
    const bundled = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.categoryModel, 'utf8'));
    const file = writeJson('category.model.json', { ...bundled, counts: bundled.counts.slice(1) });
    expect(() => loadRuleSet({ categoryModel: file })).toThrow(RuleTableError);
    expect(() => loadRuleSet({ categoryModel: file })).toThrow(/category\.model\.json: category-model .*counts for \d+ runs/);
    const unnamed = writeJson('category2.model.json', { ...bundled, name: 'validity-model' });
    expect(() => loadRuleSet({ categoryModel: unnamed })).toThrow(/category2\.model\.json: name/);
    const validity = JSON.parse(fs.readFileSync(DEFAULT_RULE_PATHS.validityModel, 'utf8'));
    const unknownClass = writeJson('validity.model.json', { ...validity, classes: ['valid', 'maybe', ...validity.classes.slice(2)] });
    expect(() => loadRuleSet({ validityModel: unknownClass })).toThrow(/validity\.model\.json: classes\.1/);
  });

  it('refuses a file that is not JSON', () => {
    const file = path.join(dir, 'validity.rules.json');
    fs.writeFileSync(file, '{ not json');
    expect(() => loadRuleSet({ validity: file })).toThrow(RuleTableError);
  });
});
