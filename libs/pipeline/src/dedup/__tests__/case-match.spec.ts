import { anchorKeys, probeKeys } from '../candidate-keys.util';
import { CASE_FEATURE_CAPS, caseFeaturesOf, mergeCaseFeatures, type CaseFeatures } from '../case-features.util';
import { chooseCase, scoreAgainstCase } from '../case-match.util';
import { extractIncidentFeatures } from '../features.util';
import { DEFAULT_MATCH_CONFIG } from '../match-score.util';
import { minhash } from '../minhash.util';
import type { MatchSide } from '../dedup.types';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 8, 1);

function side(text: string, extra: Partial<MatchSide> & { subject?: string; address?: string } = {}): MatchSide {
  const { subject, address, ...rest } = extra;
  const f = extractIncidentFeatures({ text, subject, address });
  return { ...f, divisionCode: '320106', category: 'air', at: T0, complainantKey: null, signature: minhash(f.shingles), ...rest };
}

function caseOf(...members: MatchSide[]): CaseFeatures {
  return members.slice(1).reduce((c, m) => mergeCaseFeatures(c, m), caseFeaturesOf(members[0]));
}

describe('mergeCaseFeatures', () => {
  it('accumulates names, places, townships and problems of all members', () => {
    const a = side('鼓楼区一家化工厂晚上排放黑烟', { complainantKey: 'k1' });
    const b = side('鼓楼区华泰化工有限公司气味刺鼻', { address: '东山镇中山路', complainantKey: 'k2', at: T0 + 5 * DAY });
    const c = caseOf(a, b);
    expect(c.entities.map((e) => e.core)).toEqual(['华泰化工']);
    expect(c.kinds).toEqual(['化工']);
    expect(c.places).toContain('中山路');
    expect(c.townships).toContain('东山镇');
    expect(c.problemGroups).toEqual(expect.arrayContaining(['smoke', 'odour']));
    expect(c.members).toBe(2);
    expect([c.firstAt, c.lastAt]).toEqual([T0, T0 + 5 * DAY]);
  });

  it('takes the most specific compatible division and keeps it against a conflicting one', () => {
    const city = side('南京市城郊化工厂冒黑烟', { divisionCode: '320100' });
    const county = side('鼓楼区化工厂冒黑烟', { divisionCode: '320106' });
    expect(caseOf(city, county).divisionCode).toBe('320106');
    expect(caseOf(side('x厂冒黑烟', { divisionCode: null }), city).divisionCode).toBe('320100');
    expect(caseOf(county, side('秦淮区化工厂冒黑烟', { divisionCode: '320104' })).divisionCode).toBe('320106');
  });

  it('stays small: lists are capped and the first signature is kept', () => {
    const members = Array.from({ length: 20 }, (_, i) =>
      side(`第${i}次反映：华泰化工厂排放黑烟，位置在文化${'一二三四五六七八九十'[i % 10]}${i}路`, { complainantKey: `k${i}`, at: T0 + i * DAY }),
    );
    const c = caseOf(...members);
    expect(c.signatures).toHaveLength(CASE_FEATURE_CAPS.signatures);
    expect(c.signatures[0]).toEqual(Array.from(members[0].signature!));
    expect(c.signatures[CASE_FEATURE_CAPS.signatures - 1]).toEqual(Array.from(members[19].signature!));
    expect(c.places.length).toBeLessThanOrEqual(CASE_FEATURE_CAPS.places);
    // Who reported is not part of the features: repeat petitions are told from the members themselves.
    expect(c).not.toHaveProperty('complainantKeys');
    expect(c.members).toBe(20);
    // Plain JSON (stored as jsonb): survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });
});

describe('scoreAgainstCase', () => {
  it('matches on what any member said: the name from one report, the road from another', () => {
    const named = side('华泰化工有限公司半夜排放黑烟');
    const placed = side('中山路有一家化工厂冒黑烟，味道刺鼻', { at: T0 + DAY });
    const c = caseOf(named, placed);
    const sub = side('中山路的华泰化工又在冒黑烟', { at: T0 + 3 * DAY });
    const m = scoreAgainstCase(sub, c);
    expect(m.parts.entity).toBe('same');
    expect(m.parts.place).toBe('same');
    expect(m.decision).toBe('auto');
  });

  it('keeps the hard gates: another category, another county, another named polluter, outside the window', () => {
    const c = caseOf(side('中山路华泰化工有限公司排放黑烟'));
    expect(scoreAgainstCase(side('中山路华泰化工有限公司排放黑烟', { category: 'water' }), c).decision).toBe('none');
    expect(scoreAgainstCase(side('中山路华泰化工有限公司排放黑烟', { divisionCode: '320104' }), c).decision).toBe('none');
    expect(scoreAgainstCase(side('中山路金鹏化工有限公司排放黑烟'), c).parts.entity).toBe('different');
    const late = scoreAgainstCase(side('中山路华泰化工有限公司排放黑烟', { at: T0 + 120 * DAY }), c);
    expect(late.decision).toBe('none');
    expect(late.parts.days).toBeCloseTo(120);
  });

  it('takes a same complainant from the caller, who knows the members, however many reported', () => {
    const members = Array.from({ length: 12 }, (_, i) => side('华泰化工冒黑烟', { complainantKey: `k${i}`, at: T0 + i * DAY }));
    const c = caseOf(...members);
    const again = side('华泰化工又冒黑烟', { complainantKey: 'k11', at: T0 + 12 * DAY });
    expect(scoreAgainstCase(again, c, DEFAULT_MATCH_CONFIG, true).parts.sameComplainant).toBe(true);
    expect(scoreAgainstCase(again, c, DEFAULT_MATCH_CONFIG, false).parts.sameComplainant).toBe(false);
    // Without a complainant key on the submission nothing is a repeat, whatever the caller says.
    expect(scoreAgainstCase({ ...again, complainantKey: null }, c, DEFAULT_MATCH_CONFIG, true).parts.sameComplainant).toBe(false);
    const choice = chooseCase(again, [{ caseId: 'a', features: c, complainantKnown: true }]);
    expect(choice.result?.parts.sameComplainant).toBe(true);
    expect(choice.reasons.join(' ')).toContain('重复举报');
  });

  it('joins a passing mention (佳禾污水处理 without legal form) to the declared company name', () => {
    const c = caseOf(side('出水又黑又臭', { subject: '佳禾污水处理有限公司', category: 'water' }));
    const m = scoreAgainstCase(side('来电人反映佳禾污水处理（上述地点）出水又黑又臭', { category: 'water' }), c);
    expect(m.parts.entity).toBe('same');
  });
});

describe('chooseCase: a polluter name without a division', () => {
  const county = (code: string, name: string) => caseOf(side(`${name}有限公司半夜排放黑烟，呛得人直咳嗽`, { divisionCode: code }));

  it('attaches automatically when the name is carried by exactly one candidate case', () => {
    const sub = side('我家附近的华泰化工半夜排黑烟，呛得人直咳嗽', { divisionCode: null, at: T0 + DAY });
    const choice = chooseCase(sub, [
      { caseId: 'a', features: county('320106', '华泰化工') },
      { caseId: 'b', features: county('320106', '金鹏化工') },
    ]);
    expect(choice).toMatchObject({ caseId: 'a', decision: 'auto' });
    expect(choice.reasons.join(' ')).toMatch(/unique/);
  });

  it('does not choose when the same name exists in another county (hard negative), unless asked to suggest', () => {
    const sub = side('我家附近的华泰化工半夜排黑烟，呛得人直咳嗽', { divisionCode: null, at: T0 + DAY });
    const both = [
      { caseId: 'a', features: county('320106', '华泰化工') },
      { caseId: 'b', features: county('410108', '华泰化工') },
    ];
    const choice = chooseCase(sub, both);
    expect(choice).toMatchObject({ caseId: null, decision: 'none' });
    expect(choice.reasons.join(' ')).toMatch(/carried by 2/);
    expect(chooseCase(sub, both, { ...DEFAULT_MATCH_CONFIG, suggestNameWithoutDivision: true }).decision).toBe('suggested');
  });

  it('only suggests on a near spelling of the name or without a shared problem', () => {
    const near = side('我家附近的华秦化工晚上冒黑烟', { divisionCode: null, at: T0 + DAY });
    expect(chooseCase(near, [{ caseId: 'a', features: county('320106', '华泰化工') }]).decision).not.toBe('auto');
    const otherProblem = side('我家附近的华泰化工晚上噪音很大', { divisionCode: null, at: T0 + DAY });
    expect(chooseCase(otherProblem, [{ caseId: 'a', features: county('320106', '华泰化工') }]).decision).not.toBe('auto');
  });

  it('does not attach on the name when both sides name roads and none agree', () => {
    const c = caseOf(side('同兴镇纬二路的华泰化工有限公司半夜排放黑烟', { divisionCode: '150425' }));
    const sub = side('青年路的华泰化工晚上冒黑烟', { divisionCode: null, at: T0 + DAY });
    expect(chooseCase(sub, [{ caseId: 'a', features: c }]).decision).toBe('none');
  });

  it('needs some shared wording beyond the name: another incident of a same-named firm is described otherwise', () => {
    const c = county('320106', '华泰化工');
    const alike = side('我家附近的华泰化工半夜排黑烟，呛得人直咳嗽', { divisionCode: null, at: T0 + DAY });
    const unlike = side('华泰化工那边一到下雨天烟囱就往外冒浓烟，整条街都能看到，老人孩子都不敢出门', { divisionCode: null, at: T0 + DAY });
    expect(scoreAgainstCase(unlike, c).parts.text).toBeLessThan(DEFAULT_MATCH_CONFIG.uniqueNameMinText!);
    expect(chooseCase(unlike, [{ caseId: 'a', features: c }]).decision).toBe('none');
    expect(chooseCase(alike, [{ caseId: 'a', features: c }]).decision).toBe('auto');
    expect(chooseCase(alike, [{ caseId: 'a', features: c }], { ...DEFAULT_MATCH_CONFIG, uniqueName: 'off' }).decision).toBe('none');
  });

  it('takes the short name of the case’s township in place of shared wording (还是沙岭那家顺达汽修)', () => {
    const c = caseOf(side('于洪区沙岭街道大兴村路边的顺达汽修每天晚上在院里露天喷漆，没有任何废气处理设备，油漆味飘进居民家里', { divisionCode: '210114' }));
    const echo = side('你好 还是沙岭那家顺达汽修 昨晚十点多又在院子里喷漆 我拍了视频', { divisionCode: null, at: T0 + DAY });
    const silent = side('你好 还是那家顺达汽修 昨晚十点多又在院子里喷漆 我拍了视频', { divisionCode: null, at: T0 + DAY });
    expect(scoreAgainstCase(echo, c).parts.text).toBeLessThan(DEFAULT_MATCH_CONFIG.uniqueNameMinText!);
    expect(chooseCase(echo, [{ caseId: 'a', features: c }]).decision).toBe('auto');
    expect(chooseCase(silent, [{ caseId: 'a', features: c }]).decision).toBe('none');
  });

  it('lets a submission with a division join a case without one on a unique name (uniqueName both), not under submission', () => {
    const c = caseOf(side('我家附近的华泰化工半夜排放黑烟，呛得人直咳嗽', { divisionCode: null }));
    const sub = side('鼓楼区中山路华泰化工有限公司半夜排放黑烟', { at: T0 + DAY });
    expect(chooseCase(sub, [{ caseId: 'a', features: c }]).decision).toBe('auto');
    expect(chooseCase(sub, [{ caseId: 'a', features: c }], { ...DEFAULT_MATCH_CONFIG, uniqueName: 'submission' }).decision).toBe('none');
  });
});

describe('chooseCase: which candidate', () => {
  it('prefers a case it identifies (auto) to one it only resembles more in wording (suggested)', () => {
    const named = caseOf(side('中山路的金樽KTV唱歌声音特别大', { category: 'noise' }));
    const unlocated = caseOf(side('金樽KTV客人在门口大声喧哗，楼上住户根本睡不着', { category: 'noise', divisionCode: null }));
    const sub = side('金樽KTV客人在门口大声喧哗，楼上住户根本睡不着，有没有人管', { category: 'noise', at: T0 + DAY });
    expect(scoreAgainstCase(sub, unlocated).score).toBeGreaterThan(scoreAgainstCase(sub, named).score);
    const choice = chooseCase(
      sub,
      [
        { caseId: 'unlocated', features: unlocated },
        { caseId: 'named', features: named },
      ],
      { ...DEFAULT_MATCH_CONFIG, soleCase: false },
    );
    expect(choice).toMatchObject({ caseId: 'named', decision: 'auto' });
  });
});

describe('chooseCase: the only case of a problem in a division', () => {
  const dumping = (text: string, extra: Parameters<typeof side>[1] = {}) => side(text, { category: 'solid_waste', divisionCode: '610327', ...extra });

  it('attaches an unnamed report to the only case of that problem in its county', () => {
    const c = caseOf(dumping('东南镇滨河路有人乱倒垃圾，河道都快堵了'));
    const sub = dumping('就是这个位置，经常有人偷倒生活垃圾', { at: T0 + 2 * DAY });
    const choice = chooseCase(sub, [{ caseId: 'a', features: c }]);
    expect(choice).toMatchObject({ caseId: 'a', decision: 'auto' });
    expect(choice.reasons.join(' ')).toMatch(/only case/);
  });

  it('does not choose when two cases of that problem are open in the county', () => {
    const sub = dumping('就是这个位置，经常有人偷倒生活垃圾', { at: T0 + 2 * DAY });
    const choice = chooseCase(sub, [
      { caseId: 'a', features: caseOf(dumping('东南镇滨河路有人乱倒垃圾')) },
      { caseId: 'b', features: caseOf(dumping('城关镇建设路有人乱倒垃圾')) },
    ]);
    expect(choice.decision).not.toBe('auto');
  });

  it('does not join another kind of polluter, other townships, another problem or a wider division', () => {
    const noise = (text: string, extra: Partial<MatchSide> = {}) => side(text, { category: 'noise', divisionCode: '360103', ...extra });
    const ktv = caseOf(noise('南站街道纬二路的唱响KTV客人在门口大声喧哗，噪音很大'));
    expect(chooseCase(noise('绳金塔街道经五路工业噪声扰民', { at: T0 + DAY }), [{ caseId: 'a', features: ktv }]).decision).not.toBe('auto');
    const factory = caseOf(noise('南站街道有工厂噪声扰民'));
    expect(chooseCase(noise('绳金塔街道工业噪声扰民', { at: T0 + DAY }), [{ caseId: 'a', features: factory }]).decision).not.toBe('auto');
    const dump = caseOf(dumping('有人乱倒垃圾'));
    expect(chooseCase(dumping('附近农田被废渣污染', { at: T0 + DAY }), [{ caseId: 'a', features: dump }]).decision).not.toBe('auto');
    const cityCase = caseOf(dumping('宝鸡市有人乱倒垃圾', { divisionCode: '610300' }));
    expect(chooseCase(dumping('有人偷倒生活垃圾', { at: T0 + DAY }), [{ caseId: 'a', features: cityCase }]).decision).not.toBe('auto');
    expect(
      chooseCase(dumping('有人偷倒生活垃圾', { at: T0 + DAY }), [{ caseId: 'a', features: caseOf(dumping('有人乱倒垃圾')) }], { ...DEFAULT_MATCH_CONFIG, soleCase: false })
        .decision,
    ).not.toBe('auto');
  });

  it('lets a shared road or township stand in for the problem when the report names none of our problem words', () => {
    const water = (text: string, extra: Partial<MatchSide> = {}) => side(text, { category: 'water', divisionCode: '445281', ...extra });
    const c = caseOf(water('占陇镇有家印染作坊把染缸水直接排进排洪渠，渠水黑臭'));
    expect(chooseCase(water('占陇镇村西头那家染布的又往排洪渠放水了，黑的跟墨一样', { at: T0 + DAY }), [{ caseId: 'a', features: c }]).decision).toBe('auto');
    // without the township, nothing says it is that matter
    expect(chooseCase(water('村西头那家染布的又往渠里放水了', { at: T0 + DAY }), [{ caseId: 'a', features: c }]).decision).not.toBe('auto');
    // the township's short name in the words counts as the township (占陇那家染布的)
    expect(scoreAgainstCase(water('占陇村西头那家染布的又往渠里放水了', { at: T0 + DAY }), c).parts.place).toBe('township');
    expect(chooseCase(water('占陇村西头那家染布的又往渠里放水了', { at: T0 + DAY }), [{ caseId: 'a', features: c }]).decision).toBe('auto');
  });

  it('lets the same kind of polluter stand in for the problem when the report names none of our problem words', () => {
    const air = (text: string, extra: Partial<MatchSide> = {}) => side(text, { category: 'air', divisionCode: '321283', ...extra });
    const c = caseOf(air('泰兴那个化工厂夜里又排，一股氨水味'));
    const sub = air('晚上出门全是化工味 能不能查查那家厂', { at: T0 + DAY });
    expect(sub.problemTerms).toEqual([]);
    expect(sub.kind).toBe('化工');
    const choice = chooseCase(sub, [{ caseId: 'a', features: c }]);
    expect(choice).toMatchObject({ caseId: 'a', decision: 'auto' });
    expect(choice.reasons.join(' ')).toMatch(/only case/);
    // two such plants' cases in the county: nothing says which
    const other = caseOf(air('泰兴另一家化工厂烟囱冒黄烟'));
    expect(chooseCase(sub, [{ caseId: 'a', features: c }, { caseId: 'b', features: other }]).decision).not.toBe('auto');
    // another kind of polluter is no stand-in
    const ktv = caseOf(air('泰兴一家烧烤店油烟直排'));
    expect(chooseCase(sub, [{ caseId: 'a', features: ktv }]).decision).not.toBe('auto');
  });

  it('opens a new case when nothing is compatible', () => {
    expect(chooseCase(dumping('有人偷倒生活垃圾'), [])).toMatchObject({ caseId: null, decision: 'none' });
  });

  it('does not take a report in Latin script, or a case of such reports, for an unnamed one', () => {
    const english = dumping('A bar on Renmin Road plays loud music and someone dumps rubbish behind it every night.', { at: T0 + DAY });
    expect(english.unreadNames).toBe(true);
    expect(dumping('东南镇滨河路有人乱倒垃圾').unreadNames).toBeUndefined();
    const c = caseOf(dumping('东南镇滨河路有人乱倒垃圾，河道都快堵了'));
    expect(chooseCase(english, [{ caseId: 'a', features: c }]).decision).not.toBe('auto');

    const englishCase = caseOf(dumping('Trucks dump construction waste by the river on Jianshe Road every night.'));
    expect(englishCase.unreadNames).toBe(true);
    expect(chooseCase(dumping('就是这个位置，经常有人偷倒生活垃圾', { at: T0 + 2 * DAY }), [{ caseId: 'a', features: englishCase }]).decision).not.toBe('auto');
    // A Chinese report joining it makes its names read.
    expect(mergeCaseFeatures(englishCase, dumping('建设路河边有渣土车偷倒建筑垃圾', { at: T0 + DAY })).unreadNames).toBeUndefined();
    // A township both read (Dongnan town / 东南镇) is a name compared.
    const townCase = caseOf(dumping('Someone dumps rubbish by the river every night.', { address: '东南镇' }));
    expect(chooseCase(dumping('东南镇河边天天晚上有人乱倒垃圾', { at: T0 + DAY }), [{ caseId: 'a', features: townCase }]).decision).toBe('auto');
  });

  it('lets a report in English join the only case of its county when both name the same kind of polluter', () => {
    const noise = (text: string, extra: Partial<MatchSide> = {}) => side(text, { category: 'noise', divisionCode: '510107', ...extra });
    const site = caseOf(noise('武侯区簇桥那个锦悦府工地天天半夜打桩，凌晨两点还在哐哐响'));
    const english = noise('The construction site in Wuhou District is piling all night, still banging at 2am.', { at: T0 + DAY });
    expect(english).toMatchObject({ unreadNames: true, unreadKind: '工地' });
    expect(chooseCase(english, [{ caseId: 'a', features: site }]).decision).toBe('auto');
    // another kind, or no kind the English words name, stays apart
    expect(chooseCase(noise('A bar in Wuhou District plays loud music until 2am.', { at: T0 + DAY }), [{ caseId: 'a', features: site }]).decision).not.toBe('auto');
    expect(chooseCase(noise('Something is banging all night in Wuhou District.', { at: T0 + DAY }), [{ caseId: 'a', features: site }]).decision).not.toBe('auto');
    // and a case of English reports keeps its kind for the next report, which never scores it
    const englishCase = caseOf(english);
    expect(englishCase.unreadKinds).toEqual(['工地']);
    expect(englishCase.kinds).toEqual([]);
    expect(chooseCase(noise('簇桥那个工地半夜还在打桩', { at: T0 + 2 * DAY }), [{ caseId: 'a', features: englishCase }]).decision).toBe('auto');
  });
});

describe('candidate keys for case matching', () => {
  it('stores passing mentions as name keys and probes names nationwide for the uniqueness test', () => {
    const f = extractIncidentFeatures({ text: '来电人反映佳禾污水处理（上述地点）出水又黑又臭' });
    const keys = anchorKeys(f, minhash(f.shingles));
    expect(keys).toContain('e:佳禾污水处理');
    const probes = probeKeys('430224', 'water', keys);
    expect(probes).toContain('water|*|e:佳禾污水处理');
    expect(probes.filter((k) => k.startsWith('water|*|')).every((k) => k.startsWith('water|*|e:'))).toBe(true);
    expect(probeKeys(null, 'water', keys)).toContain('water|*|e:佳禾污水处理');
  });
});
