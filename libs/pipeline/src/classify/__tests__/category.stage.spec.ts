import type { Category } from '@huiliu/contracts';
import { classify } from '../category.stage';
import { compileRuleSet, DEFAULT_RULE_SET } from '../../validate/rule-set.loader';
import { compileTextModel, trainTextModel } from '../../validate/text-model.util';
import { inputOf } from '../../validate/__tests__/judging-fixture.util';

describe('classify: one sentence per category', () => {
  const cases: [string, string][] = [
    ['铸造厂烟囱一到晚上就冒浓烟，窗台上落满黑灰', 'air'],
    ['家具厂喷漆车间的油漆味飘进小区，熏得人头晕', 'air'],
    ['饭店后厨油烟直接对着居民楼排', 'air'],
    ['有人在田里烧秸秆，到处都是烟', 'air'],
    ['搅拌站不洒水不覆盖，扬尘很大', 'air'],
    ['加油站油气回收装置不运行，汽油味很重', 'air'],
    ['轮胎厂一开工，整条街都是橡胶味', 'air'],
    ['养猪场的粪污顺着水沟流进河里，整条河都臭了', 'water'],
    ['造纸厂通过暗管排污水，下游河段水质很差', 'water'],
    ['我家自来水有异味，是不是水源被污染了', 'water'],
    ['钢构厂夜里切割钢板，噪声很大，吵得睡不着', 'noise'],
    ['工地凌晨还在打桩，轰隆隆的', 'noise'],
    ['朝阳区有个工地晚上施工', 'noise'],
    ['有人把医疗废物扔在村口的空地上', 'solid_waste'],
    ['汽修厂把废机油桶堆在院子里，还在往外漏', 'solid_waste'],
    ['楼顶新装的通信基站离卧室窗户只有几米，担心辐射', 'radiation'],
    ['诊所的X光室没有铅门，候诊的人都在门口', 'radiation'],
    ['电镀厂搬走后的地块没有修复，土壤里全是重金属', 'soil'],
    ['采石场在山上炸山采石，植被全毁了', 'ecology'],
    ['有人开着挖掘机在河道里非法采砂', 'ecology'],
    ['有人把湿地填平了建厂房，候鸟都不来了', 'ecology'],
    ['货船在港口附近漏油，海面上一层油污', 'marine'],
    ['运泥船往海里倾倒废渣', 'marine'],
    ['养殖场的尾水直接排入海湾，赶海的人都说海水有味', 'marine'],
    ['这个化工项目没有环评就开工建设了', 'approval'],
    ['商场外墙的LED大屏通宵太亮，强光直射卧室', 'other'],
    ['Black smoke pours out of the chimney of the brick factory every night', 'air'],
    ['A truck dumped construction waste on the river bank last night', 'solid_waste'],
    ['晚上十一点以后化工厂就开始排气，一股烂白菜味', 'air'],
    ['鞋厂的胶水味太冲了，整条街都是', 'air'],
    ['洗车店天天往雨水口冲泥水和洗车液', 'water'],
    ['小酒厂晚上往河里放酒糟水，河边酸臭', 'water'],
    ['采石场洗石的泥浆水全部排进小溪，溪水变成黄汤', 'water'],
    ["There's black, smelly water coming out of a pipe into the canal", 'water'],
    ['金嗓子KTV天天唱到三点，楼上住户要疯了', 'noise'],
    ['钢构厂半夜还在切钢板，刺啦刺啦的', 'noise'],
    ['化工企业将废催化剂偷偷填埋在厂区后院', 'solid_waste'],
    ['有人把油泥拉到荒地里倒，黑乎乎一片', 'solid_waste'],
    ['A mobile phone tower was put on the roof of our building', 'radiation'],
    ['加油站地下油罐渗漏，周边菜地土壤挖开有浓烈汽油味', 'soil'],
    ['江边每天晚上都有抽砂船，河岸都掏空了', 'ecology'],
    ['Someone is cutting down the mangroves near the coast', 'ecology'],
    ['有人向海中倾倒建筑垃圾', 'marine'],
    ['商场楼顶射灯每晚来回扫射，照进居民家中', 'other'],
  ];
  it.each(cases)('%s → %s', (text, expected) => {
    const d = classify(inputOf(text));
    expect(d.primary).toBe(expected);
    expect(d.categories[0]).toBe(expected);
  });
});

describe('classify: several categories, clues and precedence', () => {
  it('lists every category the text supports, the main one first', () => {
    const d = classify(inputOf('化工厂夜里偷排废水，河水发黑发臭，同时烟囱冒黑烟，刺鼻的气味让人头晕'));
    expect(d.categories).toEqual(expect.arrayContaining(['water', 'air']));
    expect(d.primary).toBe(d.categories[0]);
  });

  it('lets a smell give way to the water or soil it comes from, but not to a refuse station or a noise', () => {
    const water = classify(inputOf('河水有点黑，一股臭鸡蛋味，熏得人头晕恶心，上游是个养猪场'));
    expect(water.primary).toBe('water');
    expect(water.reasons.map((r) => r.rule)).toContain('symptom_yields');
    expect(classify(inputOf('加油站油罐渗漏，菜地的土壤挖开全是汽油味')).primary).toBe('soil');
    expect(classify(inputOf('垃圾中转站臭气熏天，窗户都不敢开')).primary).toBe('air');
    expect(classify(inputOf('化工厂排出一股酸臭的气味，熏得人睡不着觉')).primary).toBe('air');
    // a smell named beside smoke is the air complaint it reads as
    expect(classify(inputOf('焦化厂黄烟冒得老高，一股刺鼻气味，河水也发黑')).primary).toBe('air');
  });

  it('reads a refuse station or a manure heap named only as where a smell comes from as an odour complaint', () => {
    const d = classify(inputOf('小区门口的垃圾站一直不清，臭味都飘到楼上了，臭得没法开窗'));
    expect(d.primary).toBe('air');
    expect(d.reasons.map((r) => r.rule)).toContain('source_of_symptom');
    expect(classify(inputOf('养牛场的牛粪就堆在露天，夏天那个臭啊，臭得吃饭都得关门')).primary).toBe('air');
    // waste dumped somewhere is the waste, however it smells
    expect(classify(inputOf('河滩上昨晚又被人倒了好几车垃圾，臭得很')).primary).toBe('solid_waste');
    expect(classify(inputOf('工业园旁边空地堆了大量油漆桶，像是危险废物，有刺鼻气味')).primary).toBe('solid_waste');
    expect(classify(inputOf('城边空地堆满了废轮胎，夏天太阳一晒味道很大')).primary).toBe('solid_waste');
    // burning it is the smoke, not the waste
    expect(classify(inputOf('田边有人焚烧废轮胎')).primary).toBe('air');
  });

  it('reads a project without its EIA as an approval matter until the text says what it pollutes', () => {
    const d = classify(inputOf('家具园新建了一个集中喷涂中心，我们没看到任何环评公示，请问是否依法办了环评？'));
    expect(d.primary).toBe('approval');
    expect(d.reasons.map((r) => r.rule)).toContain('facility_only');
    expect(classify(inputOf('船舶修造企业扩建码头和厂房，未办理环评手续即施工')).primary).toBe('approval');
    // once it says what comes out, that is the category
    expect(classify(inputOf('喷涂中心没做环评就投产了，每天晚上油漆味刺鼻')).primary).toBe('air');
  });

  it('reads an environmental word that begins a place name as the place (小溪塔街道), not as pollution', () => {
    expect(classify(inputOf('宜昌市夷陵区小溪塔街道一企业未办环评手续就开工建设厂房')).primary).toBe('approval');
    expect(classify(inputOf('木材加工厂天天烧边角料，浓烟往村里飘')).primary).toBe('air');
  });

  it('reads a lake called 海 as water, not the sea', () => {
    expect(classify(inputOf('大理市洱海边上好多客栈又开始偷排了，晚上去洱海边散步，能看到管子往湖里流灰水')).primary).toBe('water');
    expect(classify(inputOf('化工企业向排干沟排放废水，威胁乌梁素海水质')).primary).toBe('water');
    expect(classify(inputOf('养殖场把养殖尾水直接排进海里，海水发臭')).primary).toBe('marine');
    // The shore of such a lake is no seashore, wherever in the text it stands.
    expect(classify(inputOf('大理市双廊镇海边有一家客栈，晚上把厨房的污水用管子直接排进洱海，排口附近有腥臭味')).primary).toBe('water');
    expect(classify(inputOf('青海湖边上的一排客栈，洗澡水、厕所的污水直接往湖边的沙滩上排')).primary).toBe('water');
    expect(classify(inputOf('石狮市海边的养殖场把尾水直接排到海滩上，沙滩都发黑了')).primary).toBe('marine');
  });

  it('lets the sea outrank dumped waste only when the text says the sea takes it, not where it merely happens', () => {
    expect(classify(inputOf('石狮市蚶江镇海边空地上有人偷倒印染厂的污泥，黑乎乎一大片')).primary).toBe('solid_waste');
    expect(classify(inputOf('汽修厂的废机油桶就堆在人行道边上，桶还在往外漏油')).primary).toBe('solid_waste');
    expect(classify(inputOf('施工船晚上往海里倾倒垃圾和废渣')).primary).toBe('marine');
  });

  it('lets the smell of a compost yard stay an odour complaint', () => {
    expect(classify(inputOf('有机肥厂发酵鸡粪，臭味很大，周边几个村都能闻到')).primary).toBe('air');
  });

  it('lets the words override a wrong declared category, and says so', () => {
    const d = classify(inputOf('KTV每天营业到凌晨，音响声音特别大，整栋楼都能听见', { declaredCategory: '大气污染' }));
    expect(d.primary).toBe('noise');
    expect(d.categories).not.toContain('air');
    expect(d.reasons.map((r) => r.rule)).toContain('declared_overridden');
  });

  it('uses the declared category as a clue when the words name no category', () => {
    expect(classify(inputOf('这家公司的问题很严重，请尽快来查', { declaredCategory: '水污染' })).primary).toBe('water');
    expect(classify(inputOf('这家公司的问题很严重，请尽快来查', { declaredCategory: 'marine' })).primary).toBe('marine');
  });

  it('reads 其他 as environmental-but-uncategorised, never as a category of its own against the words', () => {
    expect(classify(inputOf('小区旁边工地夜间施工，噪音扰民', { declaredCategory: '其他' })).primary).toBe('noise');
    expect(classify(inputOf('请尽快来查', { declaredCategory: '其他' })).primary).toBe('other');
  });

  it('keeps approval behind the pollution it comes with', () => {
    const d = classify(inputOf('砖厂没有环评手续就投产了，每天冒黑烟'));
    expect(d.primary).toBe('air');
    expect(d.categories).toContain('approval');
  });

  it('files waste dumped at sea as marine pollution', () => {
    const d = classify(inputOf('施工船往海里倾倒建筑垃圾和废渣'));
    expect(d.primary).toBe('marine');
    expect(d.categories).toContain('solid_waste');
  });

  it('ignores a negated category ("不是噪音")', () => {
    const d = classify(inputOf('不是噪音的问题，是化工厂的废气太臭'));
    expect(d.primary).toBe('air');
    expect(d.categories).not.toContain('noise');
  });

  it('names the matched terms and the table version in its reasons', () => {
    const d = classify(inputOf('楼下烧烤店油烟太大'));
    const reason = d.reasons.find((r) => r.rule === 'category.air');
    expect(reason?.terms).toEqual(expect.arrayContaining(['油烟']));
    expect(reason?.ruleTable).toBe(`category@${DEFAULT_RULE_SET.category.version}`);
  });

  it('returns no category for a text with no environmental words and no clue, when the category model is off', () => {
    const termsAlone = compileRuleSet(DEFAULT_RULE_SET.validity, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, {});
    expect(classify(inputOf('物业费年年涨'), termsAlone)).toMatchObject({ categories: [], primary: null });
  });
});

describe('classify with the category model', () => {
  // A small model, so each case shows one rule of how the terms and the model combine.
  const EXAMPLES: { text: string; label: Category }[] = [
    ...['鱼塘里的鱼翻白肚', '塘里鱼翻白肚了', '鱼翻白肚漂了一片', '河里鱼翻白肚'].map((text) => ({ text, label: 'water' as Category })),
    ...['呛得直咳嗽', '呛得人直咳嗽', '晚上呛得直咳嗽', '一开窗就呛得咳嗽'].map((text) => ({ text, label: 'air' as Category })),
    ...['种什么都不长', '地里种什么都不长', '那块地种啥都不长', '种什么都不长了'].map((text) => ({ text, label: 'soil' as Category })),
    ...['没有环评就开工', '没有环评就投产', '没环评就开工了', '没有环评手续'].map((text) => ({ text, label: 'other' as Category })),
  ];
  const model = compileTextModel(trainTextModel<Category>(EXAMPLES, ['air', 'water', 'soil', 'other'], { name: 'category-model', version: 'toy', sha256: '0'.repeat(64) }));
  const withModel = (overrules?: number) =>
    compileRuleSet(DEFAULT_RULE_SET.validity, { ...DEFAULT_RULE_SET.category, thresholds: { ...DEFAULT_RULE_SET.category.thresholds, modelOverrules: overrules } }, DEFAULT_RULE_SET.referral, { category: model });

  it('names the category of a complaint whose words no term lists, and says the model read it', () => {
    const termsAlone = compileRuleSet(DEFAULT_RULE_SET.validity, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, {});
    expect(classify(inputOf('鱼翻白肚漂了一片'), termsAlone).primary).toBeNull();
    const d = classify(inputOf('鱼翻白肚漂了一片'), withModel(24));
    expect(d.primary).toBe('water');
    const reason = d.reasons.find((r) => r.rule === 'category_model');
    expect(reason?.ruleTable).toBe('category-model@toy');
    expect(reason?.detail).toMatch(/no category terms; the model reads water/);
  });

  it('weighs a declared category as the terms do: it stands unless the model is sure enough to overrule it', () => {
    expect(classify(inputOf('那块地种啥都不长了'), withModel(24)).primary).toBe('soil');
    expect(classify(inputOf('那块地种啥都不长了', { declaredCategory: '水污染' }), withModel(undefined)).primary).toBe('water');
    expect(classify(inputOf('那块地种啥都不长了', { declaredCategory: '水污染' }), withModel(1)).primary).toBe('soil');
  });

  it('overrules the terms only at or above the table’s margin, and says so', () => {
    // 噪音 is a noise term; the model has never seen noise and is sure this is soil.
    const text = '地里种什么都不长，那块地种啥都不长，噪音';
    expect(classify(inputOf(text), withModel(undefined)).primary).toBe('noise');
    expect(classify(inputOf(text), withModel(1000)).primary).toBe('noise');
    const d = classify(inputOf(text), withModel(1));
    expect(d.primary).toBe('soil');
    expect(d.reasons.find((r) => r.rule === 'category_model_overrules')?.detail).toMatch(/the terms say noise; the model reads soil/);
  });

  it('leaves English to the terms: the bundled model reads Han characters only', () => {
    const d = classify(inputOf('A dye works pours black wastewater into the river every night, the water stinks'));
    expect(d.primary).toBe('water');
    expect(d.reasons.map((r) => r.rule)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^category_model/)]));
  });

  it('never overrules what a precedence rule settled, nor puts an approval matter before a pollution', () => {
    // The smell gives way to the black water (symptom_yields): the model's air does not undo that.
    const smell = classify(inputOf('河水有点黑，呛得直咳嗽，呛得人直咳嗽，上游是个养猪场'), withModel(1));
    expect(smell.primary).toBe('water');
    // 冒黑烟 names the pollution; the model's `other` would be the approval matter, which yields.
    const approval = classify(inputOf('砖厂没有环评就投产，没有环评手续，每天冒黑烟'), withModel(1));
    expect(approval.primary).toBe('air');
    expect(approval.categories).toContain('approval');
  });
});
