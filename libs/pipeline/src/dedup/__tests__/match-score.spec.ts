import { extractIncidentFeatures } from '../features.util';
import { aliasAgrees, DEFAULT_MATCH_CONFIG, entityAgreement, kindsAgree, namesAgreement, placeAgreement, scoreMatch } from '../match-score.util';
import type { MatchSide } from '../dedup.types';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 8, 1);

function side(text: string, extra: Partial<MatchSide> & { subject?: string; address?: string } = {}): MatchSide {
  const { subject, address, ...rest } = extra;
  return {
    ...extractIncidentFeatures({ text, subject, address }),
    divisionCode: '140824',
    category: 'air',
    at: T0,
    complainantKey: null,
    ...rest,
  };
}

describe('scoreMatch: paraphrases of one incident', () => {
  it('attaches a reworded report of the same factory', () => {
    const a = side('来电反映山西省运城市稷山县蔡村乡迎宾大道金鹏化工股份有限公司存在黑烟污染问题：半夜排放大量黑烟，家里窗户都不敢开。要求尽快查处。');
    const b = side('来电人称其居住在运城市稷山县迎宾大道附近，金鹏化工一股股黑烟从厂里冒出来，好几个星期了。', { at: T0 + 10 * DAY });
    const m = scoreMatch(a, b);
    expect(m.decision).toBe('auto');
    expect(m.parts.entity).toBe('same');
    expect(m.parts.place).toBe('same');
  });

  it('attaches the same report in traditional script and full-width digits', () => {
    const a = side('茶陵县湖口镇迎宾大道119号佳禾污水处理有限公司出水又黑又臭', { category: 'water', divisionCode: '430224' });
    const b = side('茶陵縣湖口鎮迎賓大道１１９號佳禾汙水處理有限公司出水又黑又臭！！', { category: 'water', divisionCode: '430224', at: T0 + DAY });
    const m = scoreMatch(a, b);
    expect(m.decision).toBe('auto');
    expect(m.parts.text).toBeGreaterThan(0.9);
  });

  it('attaches a city-level report to the county case of the same named polluter', () => {
    const a = side('郑州市惠济区文化路的华泰橡胶有限责任公司凌晨两三点偷偷排放黑烟', { divisionCode: '410108' });
    const b = side('郑州市城郊的华泰橡胶凌晨两三点排放大量黑烟，附近居民意见很大', { divisionCode: '410100', at: T0 + 3 * DAY });
    const m = scoreMatch(a, b);
    expect(m.parts.division).toBe('within_city');
    expect(m.decision).toBe('auto');
  });

  it('tolerates a one-character slip in the name', () => {
    const a = side('丰台区滨河路的汇通橡胶有限公司凌晨冒黑烟', { divisionCode: '110106' });
    const b = side('丰台区阳光花园对面的会通橡胶排放大量黑烟', { divisionCode: '110106' });
    expect(scoreMatch(a, b).parts.entity).toBe('similar');
    expect(scoreMatch(a, b).decision).toBe('auto');
  });
});

describe('scoreMatch: hard negatives', () => {
  it('same wording about a different factory is not one incident', () => {
    const a = side('迎宾大道的金鹏化工晚上排放黑烟，气味刺鼻');
    const b = side('迎宾大道的华泰化工晚上排放黑烟，气味刺鼻');
    const m = scoreMatch(a, b);
    expect(m.parts.entity).toBe('different');
    expect(m.decision).toBe('none');
  });

  it('two plants of one kind in different townships of a county are different incidents', () => {
    const a = side('本人住米河镇半个店村，村北耐材厂晚上偷排废气，烟是黄色的', { divisionCode: '410181' });
    const b = side('巩义小关镇有个耐材厂，天天冒白烟，一股怪味', { divisionCode: '410181', at: T0 + DAY });
    const m = scoreMatch(a, b);
    expect(m.parts.entity).toBe('kind');
    expect(m.parts.place).toBe('different');
    // nothing to suggest either: an officer would only have to split them again
    expect(m.decision).toBe('none');
  });

  it('takes a town whose name ends in 镇 written with one 镇 as the same township (博罗湖镇 ~ 湖镇镇)', () => {
    expect(placeAgreement({ places: [], townships: ['博罗湖镇'] }, { places: [], townships: ['湖镇镇'] })).toBe('township');
    expect(placeAgreement({ places: [], townships: ['米河镇'] }, { places: [], townships: ['小关镇'] })).toBe('different');
  });

  it('generic wording without a named polluter or place is never attached automatically', () => {
    const a = side('附近工厂晚上排放黑烟，气味刺鼻，请处理。');
    const b = side('附近工厂晚上排放黑烟，气味刺鼻。');
    const m = scoreMatch(a, b);
    expect(m.parts.text).toBeGreaterThan(0.8);
    expect(m.decision).toBe('suggested');
  });

  it('the same company name in another county is another incident', () => {
    const a = side('鸿运冷链股份有限公司冷却塔噪音一直不停', { category: 'noise', divisionCode: '510904' });
    const b = side('鸿运冷链股份有限公司冷却塔噪音一直不停', { category: 'noise', divisionCode: '510903' });
    const m = scoreMatch(a, b);
    expect(m.parts.division).toBe('conflict');
    expect(m.decision).toBe('none');
  });

  it('the same address with another problem (category) is another incident', () => {
    const a = side('射洪市太乙镇王家庄村的通达养殖下雨天粪污到处流', { category: 'water', divisionCode: '510981' });
    const b = side('射洪市太乙镇王家庄村的通达养殖炉渣堆成山，没有任何遮盖', { category: 'solid_waste', divisionCode: '510981' });
    const m = scoreMatch(a, b);
    expect(m.parts.category).toBe(false);
    expect(m.decision).toBe('none');
  });

  it('reports further apart than the window are different incidents, and the window is configurable', () => {
    const a = side('金鹏化工股份有限公司半夜排放大量黑烟');
    const b = side('金鹏化工股份有限公司半夜排放大量黑烟', { at: T0 + 91 * DAY });
    expect(scoreMatch(a, b).decision).toBe('none');
    expect(scoreMatch(a, b, { ...DEFAULT_MATCH_CONFIG, windowDays: 120 }).decision).toBe('auto');
  });

  it('without a division on one side the same name is only suggested', () => {
    const a = side('安心宠物医院放射室的门一直开着就拍片', { category: 'radiation', divisionCode: '450503' });
    const b = side('我家对面的安心宠物医院放射室的门一直开着就拍片', { category: 'radiation', divisionCode: null });
    const m = scoreMatch(a, b);
    expect(m.parts.division).toBe('unknown');
    expect(m.decision).toBe('suggested');
  });
});

describe('scoreMatch: a county name found in several cities', () => {
  it('narrows an unknown division to the candidate counties: a named polluter in one of them attaches, elsewhere never', () => {
    const located = side('西湖区蒋村街道前刘村旭日养殖厂养殖废水排进河', { category: 'water', divisionCode: '330106' });
    const ambiguous = side('西湖区滨河路的旭日养殖厂粪水直接排到沟里', { category: 'water', divisionCode: null, divisionCandidates: ['330106', '360103'], at: T0 + DAY });
    const m = scoreMatch(ambiguous, located);
    expect(m.parts).toMatchObject({ division: 'unknown', divisionCandidate: true, entity: 'same' });
    expect(m.decision).toBe('auto');
    expect(scoreMatch(located, ambiguous).parts).toMatchObject({ division: 'unknown', divisionCandidate: true });
    expect(scoreMatch(ambiguous, { ...located, divisionCode: '320106' }).decision).toBe('none');
    // Without candidates the same pair is only a suggestion.
    expect(scoreMatch({ ...ambiguous, divisionCandidates: [] }, located).decision).toBe('suggested');
  });

  it('takes the same road in one of the candidate counties as identifying, as in a known county', () => {
    const located = side('西湖区文化路的宏昌塑料厂半夜冒黑烟', { divisionCode: '360103' });
    const ambiguous = side('西湖区文化路有一家塑料厂，凌晨黑烟一股股往外冒', { divisionCode: null, divisionCandidates: ['330106', '360103'], at: T0 + DAY });
    const m = scoreMatch(ambiguous, located);
    expect(m.parts).toMatchObject({ division: 'unknown', divisionCandidate: true, place: 'same', entity: 'kind' });
    expect(m.decision).toBe('auto');
    // Another road of that county, or no candidates at all, leaves it to an officer.
    expect(scoreMatch(side('西湖区建设路有一家塑料厂，凌晨黑烟一股股往外冒', { divisionCode: null, divisionCandidates: ['330106', '360103'], at: T0 + DAY }), located).decision).not.toBe('auto');
    expect(scoreMatch({ ...ambiguous, divisionCandidates: [] }, located).decision).not.toBe('auto');
  });
});

describe('scoreMatch: the same complainant again (重复举报)', () => {
  const waste = (text: string, extra: Partial<MatchSide> = {}) => side(text, { category: 'solid_waste', divisionCode: '211103', ...extra });

  it('attaches a repeat petition about the same kind of plant and problem, even without a name or a place', () => {
    const a = waste('欢喜岭街道迎宾大道兴旺电镀长期把废酸液倒进下水道，危废乱堆', { complainantKey: 'id:1' });
    const b = waste('那个电镀厂长期危废乱堆乱倒特别厉害', { complainantKey: 'id:1', divisionCode: '211100', at: T0 + 8 * DAY });
    const m = scoreMatch(b, a);
    expect(m.parts.sameComplainant).toBe(true);
    expect(m.decision).toBe('auto');
    // Someone else writing the same is only a suggestion at most.
    expect(scoreMatch({ ...b, complainantKey: 'id:2' }, a).decision).not.toBe('auto');
  });

  it('leaves it to an officer when the same person names another road, or another problem', () => {
    const a = waste('迎宾大道有人乱倒垃圾', { complainantKey: 'id:1' });
    expect(scoreMatch(waste('建设路有人乱倒垃圾', { complainantKey: 'id:1', at: T0 + DAY }), a).decision).not.toBe('auto');
    expect(scoreMatch(waste('附近有辐射，担心影响健康', { complainantKey: 'id:1', at: T0 + DAY }), a).decision).not.toBe('auto');
  });
});

describe('scoreMatch: result shape', () => {
  it('is symmetric, bounded and explains itself', () => {
    const a = side('金鹏化工股份有限公司半夜排放大量黑烟', { complainantKey: 'tel:x' });
    const b = side('金鹏化工一股股黑烟从厂里冒出来', { complainantKey: 'tel:x', at: T0 + DAY });
    const ab = scoreMatch(a, b);
    const ba = scoreMatch(b, a);
    expect(ab.score).toBeCloseTo(ba.score, 10);
    expect(ab.score).toBeGreaterThanOrEqual(0);
    expect(ab.score).toBeLessThanOrEqual(1);
    expect(ab.parts.sameComplainant).toBe(true);
    expect(ab.reasons.some((r) => r.includes('重复举报'))).toBe(true);
  });
});

describe('entity agreement rules', () => {
  it('groups trade words of one kind (搅拌站 ~ 商品混凝土), not of different kinds', () => {
    expect(kindsAgree('搅拌站', '商品混凝土')).toBe(true);
    expect(kindsAgree('钢结构厂', '钢结构')).toBe(true);
    expect(kindsAgree('化工', '酒吧')).toBe(false);
    expect(kindsAgree('养殖', '制药')).toBe(false);
    expect(kindsAgree('木材加工', '木业')).toBe(true);
    expect(kindsAgree(null, '制药')).toBe(false);
  });

  it('tolerates a one-character slip behind a glued place word (空地汇同橡胶 ~ 汇通橡胶)', () => {
    const a = extractIncidentFeatures({ text: '丰台区滨河路的汇通橡胶有限公司冒黑烟' });
    const b = extractIncidentFeatures({ text: '丰台区阳光花园对面的空地汇同橡胶偷偷排放黑烟' });
    expect(entityAgreement(a.entityName, b.entityName, a.kind, b.kind)).toBe('similar');
  });

  it('keeps a one-character slip of another kind, or two slips, different (hard negatives)', () => {
    const n = (core: string, brand: string, kind: string) => ({ core, brand, kind });
    expect(entityAgreement(n('汇通橡胶', '汇通', '橡胶'), n('汇同酒吧', '汇同', '酒吧'), '橡胶', '酒吧')).toBe('different');
    expect(entityAgreement(n('金鹏化工', '金鹏', '化工'), n('华泰化工', '华泰', '化工'), '化工', '化工')).toBe('different');
    expect(entityAgreement(n('春晖苑安置房项目', '春晖苑', '安置房项目'), n('锦绣华庭安置房项目', '锦绣华庭', '安置房项目'), null, null)).toBe('different');
  });

  it('leaves one brand with two trade words neither same nor different (顺达商品混凝土 / 顺达砂石)', () => {
    const n = (core: string, brand: string, kind: string) => ({ core, brand, kind });
    expect(entityAgreement(n('顺达商品混凝土', '顺达', '商品混凝土'), n('顺达砂石', '顺达', '砂石'), '商品混凝土', '砂石')).toBe('unknown');
    expect(entityAgreement(n('北滘锦华家私', '北滘锦华', '家私'), n('锦华家具', '锦华', '家具'), '家私', '家具')).toBe('unknown');
  });

  it('matches a passing mention to a firm name in either direction', () => {
    const firm = extractIncidentFeatures({ text: '出水又黑又臭', subject: '佳禾污水处理有限公司' });
    const mention = extractIncidentFeatures({ text: '佳禾污水处理（上述地点）出水又黑又臭' });
    expect(namesAgreement(mention, [firm.entityName], firm.aliases ?? [], [firm.kind])).toBe('same');
    expect(namesAgreement(firm, [mention.entityName], mention.aliases ?? [], [mention.kind])).toBe('same');
    expect(aliasAgrees('佳禾污水处理', '金鹏污水处理')).toBe(false);
  });
});

describe('namesAgreement: passing mentions on both sides', () => {
  it('takes the same passing mention in two reports as the same firm, a short or different one not', () => {
    const a = extractIncidentFeatures({ text: '永州新田青年路的通达农药搬走以后地块没有修复' });
    const b = extractIncidentFeatures({ text: '郊外的一个村子的通达农药搬走以后地块没有修复' });
    expect([a.entity, a.aliases, b.aliases]).toEqual([null, ['通达农药'], ['通达农药']]);
    expect(namesAgreement(a, [b.entityName], b.aliases ?? [], [b.kind])).toBe('similar');
    const other = extractIncidentFeatures({ text: '郊外的一个村子的丰收农药搬走以后地块没有修复' });
    expect(namesAgreement(a, [other.entityName], other.aliases ?? [], [other.kind])).not.toBe('similar');
  });
});
