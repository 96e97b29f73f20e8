import { validate } from '../validity.stage';
import { compileRuleSet, DEFAULT_RULE_SET } from '../rule-set.loader';
import type { ValidityModelClass } from '../rule-set.schema';
import { compileTextModel, trainTextModel } from '../text-model.util';
import { inputOf } from './judging-fixture.util';

const version = DEFAULT_RULE_SET.validity.version;

describe('validate: accepted', () => {
  it('accepts an environmental complaint and names the terms, rule and table version behind it', () => {
    const d = validate(inputOf('滨江路18号的印染厂每天晚上偷排废水，河水发黑发臭'));
    expect(d.status).toBe('accepted');
    expect(d.reason).toBeNull();
    expect(d.flags).not.toContain('vague_location');
    const env = d.reasons.find((r) => r.rule === 'environmental_terms');
    expect(env?.terms).toEqual(expect.arrayContaining(['废水']));
    expect(env?.ruleTable).toBe(`category@${DEFAULT_RULE_SET.category.version}`);
  });

  it('accepts a discharge reported beside another department\'s matter, but not the other matter alone', () => {
    expect(validate(inputOf('工厂老板拖欠工资还偷排废水，我们工人都知道，就在厂后门的排水沟，晚上排')).status).toBe('accepted');
    expect(validate(inputOf('我们是县污水处理厂的临时工，厂里拖欠工资四个月了，工资一直拖着不发')).status).toBe('out_of_scope');
    // a salesman's claim that tap water is over a limit reports no discharge
    expect(validate(inputOf('推销员上门说自来水重金属超标，推销一台净水器收了3980元，后来发现是虚假宣传，要求退款')).status).toBe('out_of_scope');
  });

  it('keeps noise from a business below or above a home: upstairs and downstairs say where, not who', () => {
    expect(validate(inputOf('来电人反映：其居住小区楼下新开的一家健身房，每天晚上放很大声的动感音乐，低音震得楼上地板都在响')).status).toBe('accepted');
    expect(validate(inputOf('沈阳铁西振华机械半夜还在锻打，咚咚震，楼上楼下全醒了')).status).toBe('accepted');
    expect(validate(inputOf('楼上邻居天天半夜拖椅子，吵得睡不着')).status).toBe('out_of_scope');
  });

  it('keeps noise from a workshop a neighbour runs', () => {
    expect(validate(inputOf('邻居在自家一楼开了个小五金加工厂，机器从早响到晚上十一点，整栋楼都在震')).status).toBe('accepted');
  });

  it('sends questions about permits and EIA procedures, job requests and wildlife trade elsewhere, and rejects testing-service adverts', () => {
    expect(validate(inputOf('请问排污许可证怎么办理？需要哪些材料？我们是小型印刷厂')).status).toBe('out_of_scope');
    expect(validate(inputOf('你好，请问你们单位招不招环境工程专业的？我今年刚毕业')).status).toBe('out_of_scope');
    expect(validate(inputOf('有人在菜市场卖穿山甲和野鸟，这个犯法吧？应该找谁')).status).toBe('out_of_scope');
    expect(validate(inputOf('环保检测优惠：水质、土壤、废气检测全场八折，CMA资质，欢迎来电')).reason).toBe('spam');
  });

  it('accepts a complaint that names no place, flagged vague_location rather than refused', () => {
    const d = validate(inputOf('附近有个厂一直冒黑烟，呛得人喘不过气'));
    expect(d.status).toBe('accepted');
    expect(d.flags).toContain('vague_location');
  });

  it('does not flag vague_location when the source gave a place or coordinates', () => {
    expect(validate(inputOf('附近有个厂一直冒黑烟', { location: { address: '东风镇' } })).flags).not.toContain('vague_location');
    expect(validate(inputOf('附近有个厂一直冒黑烟', { location: { lat: 30.1, lng: 120.2 } })).flags).not.toContain('vague_location');
  });

  it('flags litigation, arbitration and administrative review matters without changing the status', () => {
    const d = validate(inputOf('我们已经向法院起诉了，这家电镀厂还在往河里排废水'));
    expect(d.status).toBe('accepted');
    expect(d.flags).toContain('litigation_matter');
    expect(d.reasons.find((r) => r.rule === 'litigation_matter')?.terms).toEqual(expect.arrayContaining(['法院', '起诉']));
    expect(validate(inputOf('养殖场粪水直排进水库，这事我申请了行政复议')).flags).toContain('litigation_matter');
    expect(validate(inputOf('养殖场粪水直排进水库')).flags).not.toContain('litigation_matter');
  });

  it('reads traditional Chinese and full-width text the same way', () => {
    const d = validate(inputOf('工廠夜裡偷排廢水，ＸＸ路的河道發黑發臭'));
    expect(d.status).toBe('accepted');
  });

  it('accepts English complaints', () => {
    expect(validate(inputOf('A chemical plant next to our village releases a terrible odour every night.')).status).toBe('accepted');
  });

  it('refers English matters of other departments (street racing, street lights, a service fee)', () => {
    const topic = (text: string) => {
      const d = validate(inputOf(text));
      return [d.status, d.reason];
    };
    expect(topic('Street racing every Friday night on the big road near the Olympic park. Nobody stops them.')).toEqual(['out_of_scope', 'traffic']);
    expect(topic('The street lights on our road have been off for two weeks. It is completely dark at night.')).toEqual(['out_of_scope', 'other_gov']);
    expect(topic("A restaurant charged me 300 RMB for a 'service fee' that was not on the menu. Where can I complain?")).toEqual(['out_of_scope', 'consumer']);
    expect(topic('A factory upstream discharges wastewater into the river that feeds our water supply.')[0]).toBe('accepted');
  });

  it('reads 是不是 as a question, not a denial of what follows', () => {
    const terms = (text: string) => validate(inputOf(text)).reasons.flatMap((r) => (r.rule === 'environmental_terms' ? (r.terms ?? []) : []));
    expect(terms('我家自来水有异味，是不是水源被污染了')).toContain('水源');
    expect(terms('这不是水源的问题')).not.toContain('水源');
  });

  it('reads an English term as a word or an inflection of it, never inside another word', () => {
    const terms = (text: string) => validate(inputOf(text)).reasons.flatMap((r) => (r.rule === 'environmental_terms' ? (r.terms ?? []) : []));
    expect(terms('Our research this season was called off; see you at the courtesy desk.')).toEqual([]);
    expect(terms('qPZ05tiSvS+aFQajWJe35GoTaGHqnNZ5OXSTgqP4DP')).toEqual([]);
    expect(terms('The factory keeps dumping sewage into the sea, and the noises never stop.')).toEqual(expect.arrayContaining(['dumping', 'sewage', 'sea']));
    expect(terms('烟囱冒黑烟，还有5g基站的辐射')).toEqual(expect.arrayContaining(['烟囱']));
  });

  it('keeps a pollution complaint that also accuses officials: the pollution is the bureau’s matter', () => {
    expect(validate(inputOf('化工厂天天偷排废水，河水发黑发臭，环保局有人收了好处不管')).status).toBe('accepted');
  });

  it('keeps a long text the tables do not know for an officer instead of refusing it', () => {
    const d = validate(inputOf('我们村口那个新来的单位天天不知道在干什么，大家都很担心，请派人来看看'));
    expect(d.status).toBe('accepted');
    expect(d.flags).toContain('unrecognised_matter');
  });
});

describe('validate: out of scope', () => {
  const cases: [string, string, string][] = [
    ['建筑公司拖欠我们五个月工资，包工头跑了', 'labour', '人力资源'],
    ['学校门口天天有人乱停车，路口堵得走不动', 'traffic', '交通'],
    ['小区物业把公共绿地改成停车位收停车费', 'property', '物业'],
    ['对门邻居把鞋柜杂物堆在楼道，说了还骂人', 'neighbour', '调解'],
    ['在商场买的羽绒服跑绒，商家拒绝退货', 'consumer', '市场监督'],
    ['孩子的户口迁移手续一直办不下来', 'other_gov', '12345'],
    ['我要举报环保局某某科长收受贿赂', 'discipline', '纪检监察'],
  ];
  it.each(cases)('%s → %s with a referral', (text, topic, department) => {
    const d = validate(inputOf(text));
    expect(d.status).toBe('out_of_scope');
    expect(d.reason).toBe(topic);
    expect(d.referral).toContain(department);
    expect(d.reasons.some((r) => r.ruleTable === `validity@${version}` && (r.terms ?? []).length > 0)).toBe(true);
  });

  it('sends requests that only mention an environmental word to their department', () => {
    expect(validate(inputOf('来信人称其在某采石场做工时受伤，老板拒绝支付医疗费。'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
    expect(validate(inputOf('My employer, a waste recycling company, refuses to pay my overtime.'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
    expect(validate(inputOf('装修公司承诺使用环保材料，入住后检测甲醛严重超标，要求赔偿。'))).toMatchObject({ status: 'out_of_scope', reason: 'consumer' });
    expect(validate(inputOf('Where should I go to extend my residence permit? My visa expires soon.'))).toMatchObject({ status: 'out_of_scope', reason: 'other_gov' });
    expect(validate(inputOf('农村宅基地建房审批要多久？申请交上去三个月没消息'))).toMatchObject({ status: 'out_of_scope', reason: 'other_gov' });
    expect(validate(inputOf('每天下班收费站排队要半小时以上，能不能多开几个ETC通道？'))).toMatchObject({ status: 'out_of_scope', reason: 'traffic' });
    expect(validate(inputOf('其在化工厂工作期间吸入粉尘患上尘肺病，企业拒绝承认工伤'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
    expect(validate(inputOf('小区已经停水三天，自来水公司没有任何通知。'))).toMatchObject({ status: 'out_of_scope', reason: 'other_gov' });
  });

  it('does not read the plant where the writer works as the pollution, only what it is said to do', () => {
    expect(validate(inputOf('我在一家污水处理厂做运维工作，每个月加班七八十个小时，公司从来没有给过加班费'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
    expect(validate(inputOf('我在化工厂上班，厂里天天把废水偷排进河里，河水都黑了')).status).toBe('accepted');
    expect(validate(inputOf('我在化工厂附近上班，每天都闻到刺鼻的气味')).status).toBe('accepted');
    expect(validate(inputOf('我应聘了呈贡区污水处理厂的操作工，面试完一个月没消息'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
    expect(validate(inputOf('有个污水处理厂招操作工，要先交两千块培训费，这正常吗'))).toMatchObject({ status: 'out_of_scope', reason: 'labour' });
  });

  it('keeps noise from a shop, a cold store or a logistics park below or beside a home', () => {
    expect(validate(inputOf('楼下的奶茶店把制冰机放在后门外，压缩机声音一刻不停')).status).toBe('accepted');
    expect(validate(inputOf('某物流园夜间装卸货噪声扰民，叉车声通宵不断')).status).toBe('accepted');
  });

  it('takes the note of a hotline agent that a matter belongs to another department at its word', () => {
    expect(validate(inputOf('来电人反映：其订购的某品牌桶装水有异味，怀疑是假冒产品。要求：查处。坐席已告知请向市场监管部门（12315）反映。')).status).toBe('out_of_scope');
    expect(validate(inputOf('来电人反映：彭州高速出口每天早晚高峰严重拥堵。要求：优化交通疏导。坐席已告知不属于本热线受理范围')).status).toBe('out_of_scope');
    expect(validate(inputOf('来电人反映：其因生活垃圾未分类投放被城管罚款200元，认为处罚不合理。')).status).toBe('out_of_scope');
  });

  it('sends noise from square dancing, neighbours, vendors and traffic elsewhere', () => {
    expect(validate(inputOf('小区广场舞音响每天开到晚上十点，吵得孩子没法写作业'))).toMatchObject({ status: 'out_of_scope', reason: 'neighbour' });
    expect(validate(inputOf('楼下摊贩用大喇叭循环叫卖，噪音太大'))).toMatchObject({ status: 'out_of_scope', reason: 'other_gov' });
    expect(validate(inputOf('每天半夜改装车在这条街上炸街，轰鸣声吵得睡不着'))).toMatchObject({ status: 'out_of_scope', reason: 'traffic' });
  });

  it('keeps noise from businesses: factories, construction sites, KTVs, bars', () => {
    for (const text of ['隔壁五金厂的冲床从早响到晚，噪音很大', '工地半夜还在打桩，吵得根本睡不着', '楼下KTV音响开到凌晨三点，吵死了', '街角酒吧低音炮震得窗户都响']) {
      expect(validate(inputOf(text)).status).toBe('accepted');
    }
  });

  it('trusts the words over a declared 非环保类 label, and uses the label when the words say nothing', () => {
    expect(validate(inputOf('河边的养殖场粪水直排进河里', { declaredCategory: '非环保类' })).status).toBe('accepted');
    const d = validate(inputOf('来电人说的事情跟本部门职责无关，已告知', { declaredCategory: '非环保类' }));
    expect(d.status).toBe('out_of_scope');
  });

  it('lets a negation take a topic word back ("不是物业的问题")', () => {
    const d = validate(inputOf('不是物业的问题，是隔壁厂子排的废气太臭了'));
    expect(d.status).toBe('accepted');
  });
});

describe('validate: rejected', () => {
  it('turns an adapter hint into a rejection with that reason', () => {
    for (const hint of ['auto_reply', 'bounce', 'malformed_row', 'oversized_payload', 'event_subscribe']) {
      const d = validate(inputOf('工厂冒黑烟', { rejectHint: hint }));
      expect(d).toMatchObject({ status: 'rejected', reason: hint });
    }
  });

  it('rejects empty and whitespace-only bodies, and images without any text', () => {
    expect(validate(inputOf(''))).toMatchObject({ status: 'rejected', reason: 'empty' });
    expect(validate(inputOf(' \r\n\t ', { title: '举报' }))).toMatchObject({ status: 'rejected', reason: 'empty' });
    const image = validate(inputOf('', { attachments: [{ contentType: 'image/jpeg', size: 1024 }] }));
    expect(image).toMatchObject({ status: 'rejected', reason: 'image_without_text' });
  });

  it('rejects greetings and test submissions, but not a greeting followed by a complaint', () => {
    for (const text of ['你好', '您好，在吗？', 'hello', '好的，谢谢', '在不在']) expect(validate(inputOf(text))).toMatchObject({ status: 'rejected', reason: 'greeting' });
    for (const text of ['测试', 'test', '123', 'TEST 123']) expect(validate(inputOf(text))).toMatchObject({ status: 'rejected', reason: 'test_submission' });
    expect(validate(inputOf('你好，在吗？我要举报村东头的砖厂冒黑烟')).status).toBe('accepted');
  });

  it('rejects spam and advertising', () => {
    expect(validate(inputOf('专业代开各类发票，点数优惠，加微信详谈'))).toMatchObject({ status: 'rejected', reason: 'spam' });
    expect(validate(inputOf('Congratulations! You have won a prize, send your bank details'))).toMatchObject({ status: 'rejected', reason: 'spam' });
    // An advert word inside a real complaint does not make it spam.
    expect(validate(inputOf('楼顶的广告灯箱通宵闪烁，光线直射卧室')).status).toBe('accepted');
    // Unmistakable adverts are spam even when they sell environmental services or kit.
    expect(validate(inputOf('专业代办环评手续，三天出报告，包过，价格优惠，加微信详谈。'))).toMatchObject({ status: 'rejected', reason: 'spam' });
    expect(validate(inputOf('低价出售二手环保设备：除尘器、UV光解、活性炭箱，九成新，欢迎咨询。'))).toMatchObject({ status: 'rejected', reason: 'spam' });
    expect(validate(inputOf('这家厂低价出售的二手设备没有除尘，天天冒黑烟')).status).toBe('accepted');
    expect(validate(inputOf('污水处理设备厂家直销，一体化污水处理设备、除臭设备，全国包安装，欢迎询价。'))).toMatchObject({ status: 'rejected', reason: 'spam' });
  });

  it('rejects bot commands, script-only bodies and undecodable text', () => {
    expect(validate(inputOf('/start'))).toMatchObject({ status: 'rejected', reason: 'bot_command' });
    expect(validate(inputOf('/start@huiliu_bot'))).toMatchObject({ status: 'rejected', reason: 'bot_command' });
    expect(validate(inputOf('<script>alert(document.cookie)</script>'))).toMatchObject({ status: 'rejected', reason: 'script_injection' });
    expect(validate(inputOf('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD'))).toMatchObject({ status: 'rejected', reason: 'undecodable_content' });
  });

  it('reads the text inside markup rather than rejecting it', () => {
    expect(validate(inputOf('<p>工地<b>夜间施工</b>噪音扰民</p>')).status).toBe('accepted');
  });

  it('recognises bounces, auto-replies, silent calls and illegible letters from their words', () => {
    expect(validate(inputOf('Delivery Status Notification (Failure): your message could not be delivered'))).toMatchObject({ reason: 'bounce' });
    expect(validate(inputOf('自动回复：您好，我正在休假中'))).toMatchObject({ reason: 'auto_reply' });
    expect(validate(inputOf('来电无声，坐席多次询问无应答。'))).toMatchObject({ status: 'rejected', reason: 'no_content' });
    expect(validate(inputOf('信件字迹模糊无法辨认'))).toMatchObject({ status: 'rejected', reason: 'illegible' });
  });

  it('rejects greetings, thanks and tests said in a sentence, and keyboard mash', () => {
    expect(validate(inputOf('节日快乐！祝环保局的同志们工作顺利'))).toMatchObject({ status: 'rejected', reason: 'greeting' });
    expect(validate(inputOf('谢谢你们上次来处理，现在好多了，辛苦了！'))).toMatchObject({ status: 'rejected', reason: 'feedback' });
    expect(validate(inputOf('Thanks, problem solved already.'))).toMatchObject({ status: 'rejected', reason: 'feedback' });
    expect(validate(inputOf('[test] This is a test message, please ignore.'))).toMatchObject({ status: 'rejected', reason: 'test_submission' });
    expect(validate(inputOf('来电人接通后只问候了一句便挂断，未反映任何问题。'))).toMatchObject({ status: 'rejected', reason: 'no_content' });
    expect(validate(inputOf('Earn 500 USDT daily with our crypto signal group! Join now'))).toMatchObject({ status: 'rejected', reason: 'spam' });
    expect(validate(inputOf('Undeliverable: Delivery has failed to these recipients'))).toMatchObject({ status: 'rejected', reason: 'bounce' });
    for (const text of ['sdkjf ewoiru xcmvn', "asdfghjkl;'", '1111111111']) expect(validate(inputOf(text))).toMatchObject({ status: 'rejected', reason: 'illegible' });
    // thanks beside a standing complaint, and an English complaint with an abbreviation, are complaints
    expect(validate(inputOf('辛苦了，但是砖厂的黑烟还是每天都冒，请再来看看')).status).toBe('accepted');
    expect(validate(inputOf('The KTV next door is too loud every night')).status).toBe('accepted');
  });

  it('carries a reason naming the rule and the table version', () => {
    const d = validate(inputOf('在吗'));
    expect(d.reasons[0]).toMatchObject({ stage: 'validate', rule: 'reject.greeting', ruleTable: `validity@${version}`, terms: ['在吗'] });
  });
});

describe('validate with the validity model', () => {
  // A small model, so each case shows one rule of how the tables and the model combine.
  const EXAMPLES: { text: string; label: ValidityModelClass }[] = [
    ...['喂喂听得到吗（挂断）', '喂听得到吗喂（挂断）', '喂喂喂听不到（挂断）', '听得到吗喂喂'].map((text) => ({ text, label: 'invalid' as const })),
    ...['这个月电费多了一倍', '电费比上个月多了一倍', '家里电费多了好多', '电费怎么多了一倍'].map((text) => ({ text, label: 'other_gov' as const })),
    ...['村口那个单位天天不知道在干什么', '那个单位天天不知道在搞什么', '村口新来的单位不知道干什么', '单位天天不知道在干啥'].map((text) => ({ text, label: 'valid' as const })),
  ];
  const model = compileTextModel(trainTextModel<ValidityModelClass>(EXAMPLES, ['valid', 'invalid', 'other_gov'], { name: 'validity-model', version: 'toy', sha256: '0'.repeat(64) }));
  const withModel = (margin?: number) =>
    compileRuleSet({ ...DEFAULT_RULE_SET.validity, thresholds: { ...DEFAULT_RULE_SET.validity.thresholds, modelDecidesUnrecognised: margin } }, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, { validity: model });
  const termsAlone = compileRuleSet(DEFAULT_RULE_SET.validity, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, {});
  const hangUp = '坐席：您好。来电人：喂喂，听得到吗？喂？（挂断）';
  const bill = '我家这个月电费比上个月多了一倍，供电所也说不清楚';

  it('reads a text no rule recognised as no complaint, and says the model read it', () => {
    expect(validate(inputOf(hangUp), termsAlone).flags).toContain('unrecognised_matter');
    const d = validate(inputOf(hangUp), withModel(0));
    expect(d).toMatchObject({ status: 'rejected', reason: 'no_complaint' });
    expect(d.reasons[0]).toMatchObject({ rule: 'validity_model', ruleTable: 'validity-model@toy' });
    expect(d.reasons[0].detail).toMatch(/no rule matched; the model reads invalid/);
  });

  it('reads one as another department’s matter, with the topic’s referral', () => {
    expect(validate(inputOf(bill), termsAlone).status).toBe('accepted');
    const d = validate(inputOf(bill), withModel(0));
    expect(d).toMatchObject({ status: 'out_of_scope', reason: 'other_gov', referral: DEFAULT_RULE_SET.referral.referrals.other_gov });
    expect(d.reasons.map((r) => r.rule)).toContain('validity_model');
  });

  it('keeps one for an officer when the model reads a complaint, or is not sure enough, or is off', () => {
    const complaint = validate(inputOf('我们村口那个新来的单位天天不知道在干什么，请派人来看看'), withModel(0));
    expect(complaint.status).toBe('accepted');
    expect(complaint.flags).toContain('unrecognised_matter');
    expect(complaint.reasons.map((r) => r.rule)).toEqual(expect.arrayContaining(['validity_model', 'unrecognised_matter']));
    expect(validate(inputOf(hangUp), withModel(1000))).toMatchObject({ status: 'accepted', flags: expect.arrayContaining(['unrecognised_matter']) });
    expect(validate(inputOf(hangUp), withModel(undefined)).status).toBe('accepted');
  });

  it('never overrides what the tables decided', () => {
    // The tables recognise this complaint: the model, which has only seen hang-ups and bills, is not asked.
    expect(validate(inputOf('喂喂听得到吗，化工厂天天偷排废水，河水发黑发臭'), withModel(0)).status).toBe('accepted');
  });
});

describe('validate: the validity model refers what the tables accepted', () => {
  // 污水 and 臭 make a blocked drain inside a compound read as pollution to the tables.
  const EXAMPLES: { text: string; label: ValidityModelClass }[] = [
    ...['小区下水道堵了物业不修', '楼下下水道堵了物业不管', '下水道又堵了物业不来修', '单元下水道堵了物业拖着'].map((text) => ({ text, label: 'property' as const })),
    ...['化工厂往河里排污水', '工厂排污水进河里', '河里全是工厂排的污水', '厂子往河里排污水'].map((text) => ({ text, label: 'valid' as const })),
  ];
  const model = compileTextModel(trainTextModel<ValidityModelClass>(EXAMPLES, ['valid', 'property'], { name: 'validity-model', version: 'toy', sha256: '0'.repeat(64) }));
  const refersAt = (margin?: number) =>
    compileRuleSet({ ...DEFAULT_RULE_SET.validity, thresholds: { ...DEFAULT_RULE_SET.validity.thresholds, modelRefersAccepted: margin } }, DEFAULT_RULE_SET.category, DEFAULT_RULE_SET.referral, { validity: model });
  const drain = '我们小区下水道堵了，污水漫到楼道里，臭得很，物业不修';

  it('refers it when the model finds another department’s topic likelier than a complaint by the table’s margin', () => {
    expect(validate(inputOf(drain), refersAt(undefined)).status).toBe('accepted');
    expect(validate(inputOf(drain), refersAt(1000)).status).toBe('accepted');
    const d = validate(inputOf(drain), refersAt(1));
    expect(d).toMatchObject({ status: 'out_of_scope', reason: 'property', referral: DEFAULT_RULE_SET.referral.referrals.property });
    expect(d.reasons.find((r) => r.rule === 'validity_model')?.detail).toMatch(/the model reads property [\d.]+ over a complaint/);
  });

  it('never refers a text that reports a discharge', () => {
    expect(validate(inputOf('我们小区下水道堵了物业不修，隔壁工厂还往下水道里偷排污水'), refersAt(1)).status).toBe('accepted');
  });
});
