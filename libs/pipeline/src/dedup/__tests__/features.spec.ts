import { extractIncidentFeatures, findEntities, findPlaces, findProblemTerms, problemGroupOf, shinglesOf } from '../features.util';
import { foldText } from '../normalize.util';

describe('extractIncidentFeatures', () => {
  it('names the polluter with the legal form trimmed', () => {
    const f = extractIncidentFeatures({ text: '山西省运城市稷山县蔡村乡迎宾大道金鹏化工股份有限公司半夜排放大量黑烟' });
    expect(f.entity).toBe('金鹏化工');
    expect(f.kind).toBe('化工');
  });

  it('prefers the declared subject (被举报对象) and reads traditional script', () => {
    const f = extractIncidentFeatures({ text: '夜裡排放黑煙', subject: '華泰橡膠有限責任公司' });
    expect(f.entity).toBe('华泰橡胶');
  });

  it('keeps venue words as part of the name', () => {
    expect(extractIncidentFeatures({ text: '来电人反映夜色酒吧（古城区金安镇学府路）音响开得很大' }).entity).toBe('夜色酒吧');
    expect(extractIncidentFeatures({ text: '举报：唱响ＫＴＶ唱歌声音特别大' }).entity).toBe('唱响ktv');
  });

  it('gives only the kind when the text names no polluter', () => {
    const f = extractIncidentFeatures({ text: '腾冲市清水镇的一家制药厂夜里散发刺鼻的臭味' });
    expect(f.entity).toBeNull();
    expect(f.kind).toBe('制药');
  });

  it('takes no sentence for a name: a plant pointed back at, a request, an ownership word', () => {
    expect(extractIncidentFeatures({ text: '汽配厂冲床夜间作业，噪声很大，要求环保部门责令该厂停止夜间生产' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '来电人要求突击检查该化工，晚上偷偷排放' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '秦州区某民营医院X光室防护门拍片时不关' }).entity).toBeNull();
    // a name still stands before its trade
    expect(extractIncidentFeatures({ text: '杭州余杭仁和那个永盛塑料厂每天半夜烧塑料' }).entity).toBe('永盛塑料');
  });

  it('knows the trades of smaller plants (彩印, 锻压, 染整), read as their kind, and that an object burnt or dumped is no trade', () => {
    expect(extractIncidentFeatures({ text: '星辰彩印车间废气不经处理直接排到外面' }).entity).toBe('星辰印刷');
    expect(extractIncidentFeatures({ text: '张掖市民乐县民联镇的恒兴锻压锻锤咚咚砸个不停' }).entity).toBe('恒兴锻压');
    expect(extractIncidentFeatures({ text: '举报：润发染整有限公司夜里从暗管排出带颜色的废水' }).entity).toBe('润发印染');
    expect(extractIncidentFeatures({ text: '太和镇有人露天焚烧废旧电缆，黑烟刺鼻' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '鸭粪和冲洗水直接流进水库' }).kind).toBeNull();
  });

  it('takes no sentence opening with a problem for a name, and knows incinerators as a kind', () => {
    expect(extractIncidentFeatures({ text: '怡和苑工程在澄迈县大桥桥头填海搞养殖池，滩涂生态破坏严重' }).entity).not.toBe('填海搞养殖');
    expect(extractIncidentFeatures({ text: '怀疑该厂偷排印染废水，河道水体时常呈红色' }).entity).toBeNull();
    const f = extractIncidentFeatures({ text: '于都罗坳镇的垃圾焚烧发电厂投产以后，村里一直飘着一股垃圾发酵的酸臭味' });
    expect(f.entity).toBeNull();
    expect(f.kind).not.toBeNull();
  });

  it('takes no measure word or pronoun into a name (一股橡胶烧糊的味, 和她店挨着)', () => {
    expect(extractIncidentFeatures({ text: '天天晚上烧，黑烟滚滚，一股橡胶烧糊的味' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '说诊所拍片的房间和她店只隔一堵墙' }).entity).toBeNull();
  });

  it('takes no suspicion, hour or "someone" into a name: 怀疑电镀 names a kind, not a firm', () => {
    const suspected = extractIncidentFeatures({ text: '温州平阳 河水发绿 怀疑电镀 @温州生态环境' });
    expect(suspected.entity).toBeNull();
    expect(suspected.kind).toBe('电镀');
    expect(extractIncidentFeatures({ text: '村后有人偷偷拆解电子垃圾，烧得满天黑烟' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '凌晨三点工地还在作业 有夜间施工许可吗' }).entity).toBeNull();
    // a firm's own name still stands
    expect(extractIncidentFeatures({ text: '鑫达电镀厂又排绿水了' }).entity).toBe('鑫达电镀');
  });

  it('does not take a place whose name ends like a business (驻马店, 瓦房店) for the polluter', () => {
    expect(extractIncidentFeatures({ text: '驻马店古城街道那边有个工地 晚上十一点还在浇混凝土' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '瓦房店市区一家酒吧半夜还在唱' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '驻马店解放路的华美酒店油烟直排' }).entity).toBe('华美饭店'); // the venue read as its kind (酒店 ~ 饭店)
  });

  it('does not take a landmark or an everyday noun for the polluter', () => {
    expect(extractIncidentFeatures({ text: '我要举报歙县第二小学西侧的华泰砂石有限公司' }).entity).toBe('华泰砂石');
    expect(extractIncidentFeatures({ text: '那曲市双湖县前刘村污染农田，担心粮食重金属超标' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '长辛店街道滨河路的汇通橡胶冒黑烟' }).entity).toBe('汇通橡胶');
  });

  it('finds roads, villages and landmarks, and townships apart', () => {
    const f = extractIncidentFeatures({ text: '湖口镇迎宾大道119号的佳禾污水处理超标排放', address: '射洪市太乙镇王家庄村' });
    expect(f.places).toEqual(expect.arrayContaining(['迎宾大道', '王家庄村']));
    expect(f.townships).toEqual(expect.arrayContaining(['湖口镇', '太乙镇']));
    expect(f.place).toBe('王家庄村');
  });

  it('collects problem terms', () => {
    expect(extractIncidentFeatures({ text: '烟囱冒黑烟，气味刺鼻' }).problemTerms).toEqual(expect.arrayContaining(['黑烟', '刺鼻']));
  });

  it('returns empty features for an empty text', () => {
    const f = extractIncidentFeatures({ text: '' });
    expect(f).toMatchObject({ shingles: [], entity: null, place: null, problemTerms: [] });
  });
});

describe('building blocks', () => {
  it('shingles are the 2- and 3-grams without repeats', () => {
    expect(shinglesOf('黑烟黑烟')).toEqual(['黑烟', '黑烟黑', '烟黑', '烟黑烟']);
    expect(shinglesOf('烟')).toEqual(['烟']);
  });

  it('merges a run of anchors into one name, its trade spelled as its kind group', () => {
    const [e] = findEntities(foldText('吉林市丰满区旺起镇文化路的丽景花园综合体项目工地施工'));
    expect(e).toEqual({ core: '丽景花园工地', brand: '丽景花园', kind: '工地' });
  });

  it('cuts place names at the township before them', () => {
    expect(findPlaces(foldText('清水镇民主路126号')).places).toEqual(['民主路']);
  });
});

describe('extractIncidentFeatures: names mentioned in passing and project words', () => {
  it('keeps an everyday-noun trade without legal form as an alias, never as the polluter', () => {
    const f = extractIncidentFeatures({ text: '来电人反映佳禾污水处理（上述地点）出水又黑又臭' });
    expect(f.entity).toBeNull();
    expect(f.aliases).toEqual(['佳禾污水处理']);
    // 重金属 and 建筑垃圾 name nothing at all.
    expect(extractIncidentFeatures({ text: '前刘村污染农田，担心粮食重金属超标' }).aliases).toEqual([]);
  });

  it('moves project words onto the kind: the brand is what distinguishes the project', () => {
    const f = extractIncidentFeatures({ text: '其家附近的春晖苑安置房项目半夜施工' });
    expect(f.entityName).toEqual({ core: '春晖苑工地', brand: '春晖苑', kind: '工地' });
    const generic = extractIncidentFeatures({ text: '某安置房项目施工机器轰鸣' });
    expect(generic.entity).toBeNull();
    expect(generic.kind).toBe('工地');
  });
});

describe('extractIncidentFeatures: how reports of one incident name the polluter', () => {
  const entity = (text: string, subject?: string) => extractIncidentFeatures({ text, subject }).entity;

  it('spells the trade of a name by its kind group, so one project or plant has one name', () => {
    expect(entity('春晖苑工地粉尘到处飘')).toBe(entity('春晖苑安置房项目施工期间一直渣土裸露'));
    expect(entity('华泰石化有限公司冒黑烟')).toBe('华泰化工');
    // Trades outside every group are kept as written.
    expect(entity('恒昌家具有限公司油漆味很重')).toBe('恒昌家具');
  });

  it('reads an indefinite description as the kind of plant, not its name', () => {
    const f = extractIncidentFeatures({ text: '西湖区文化路有一家塑料颗粒厂，凌晨冒黑烟' });
    expect(f.entity).toBeNull();
    expect(f.kind).toBe('塑料');
    expect(extractIncidentFeatures({ text: '开发大道有个木材加工厂，机器噪声很大' }).entity).toBeNull();
    // A definite name keeps its brand.
    expect(entity('开发大道的盛达木业机器噪声很大')).toBe('盛达木业');
    // How many, or where on the building, says nothing of whose (多副通信基站, 楼顶基站).
    expect(extractIncidentFeatures({ text: '某小区6号楼楼顶安装了多副通信基站天线' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '我们小区7栋楼顶基站的事有进展吗' }).entity).toBeNull();
    // A park and a plant in it: the park is where, the plant has no name here.
    expect(extractIncidentFeatures({ text: '湟中区甘河工业园一家锌冶炼企业晚上排放刺鼻气体' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '宁东基地某煤化工企业夜间多次冒黑烟' }).entity).toBeNull();
    expect(entity('甘河工业园华鑫冶炼厂晚上排放刺鼻气体')).toBe('华鑫钢铁');
  });

  it('keeps characters that also end place words inside a brand (万家, 碧水湾, 和谐, 幸福里)', () => {
    expect(entity('其家附近的万家制药股份有限公司')).toBe('万家制药');
    expect(entity('迁陵镇这边碧水湾工地粉尘到处飘')).toBe('碧水湾工地');
    expect(entity('上述地点和谐家园二期项目工地粉尘大')).toBe('和谐家园工地');
    expect(entity('幸福里综合体项目工地半夜施工')).toBe('幸福里工地');
  });

  it('drops determiners, including one cut by a stop character (县|城) and words that point back (上述地点, 该地址)', () => {
    expect(entity('江西省的一个县城安心宠物医院放射室门开着拍片')).toBe('安心医院');
    expect(entity('来电反映该地址鑫源机械冲床咣咣响')).toBe('鑫源机械');
    expect(extractIncidentFeatures({ text: '上述地点渣土车乱倒垃圾' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '通宵渣土车进进出出' }).kind).toBe('渣土车');
  });

  it('never reaches back over an earlier trade word into the next name', () => {
    const f = extractIncidentFeatures({ text: '华泰化工和金鹏化工都在排黑烟' });
    expect(f.entity).toBe('华泰化工');
    expect(f.aliases).toEqual(['和金鹏化工']);
  });

  it('keeps an everyday-noun trade that opens a phrase with a short name, but not a sentence', () => {
    expect(extractIncidentFeatures({ text: '问题描述：顺发再生塑料偷偷排放黑烟' }).aliases).toEqual(['顺发再生塑料']);
    // 的 + a verb phrase with a problem word in it is not a name.
    expect(extractIncidentFeatures({ text: '环城路的恒昌家具一直排放油漆废气' }).aliases).toEqual([]);
  });
});

describe('extractIncidentFeatures: places and problems', () => {
  it('does not take whose village, the villagers, or a problem phrase for a place', () => {
    expect(extractIncidentFeatures({ text: '我们村后面的养殖场，我们小区的人都知道' }).places).toEqual([]);
    expect(extractIncidentFeatures({ text: '下游村民没法用水' }).places).toEqual([]);
    expect(extractIncidentFeatures({ text: '运输车辆带泥上路，尘土飞扬' }).places).toEqual([]);
    expect(extractIncidentFeatures({ text: '前刘村村民没法用水' }).places).toEqual(['前刘村']);
  });

  it('knows the usual words for noise from customers, black-odorous water, commissioning without acceptance, and English reports', () => {
    const groups = (text: string) => [...new Set(extractIncidentFeatures({ text }).problemTerms.map(problemGroupOf))];
    expect(groups('客人在门口大声喧哗')).toEqual(['noise']);
    expect(groups('护城河河水又黑又臭')).toEqual(['black_odorous_water']);
    expect(groups('环保设施没验收就投产')).toEqual(['approval']);
    expect(groups('A bar plays extremely loud music after midnight')).toEqual(['noise']);
  });

  it('puts the words of one incident told differently into the same problem groups', () => {
    const groups = (text: string) => [...new Set(extractIncidentFeatures({ text }).problemTerms.map(problemGroupOf))].sort();
    // 采砂 in one report, 抽砂船 or dredging in the next
    expect(groups('屏山县金沙江沿岸夜间有人非法采砂')).toEqual(['sand_mining']);
    expect(groups('江边每天晚上都有抽砂船')).toEqual(['sand_mining']);
    expect(groups('Every night boats dredge sand illegally on the river')).toEqual(['sand_mining']);
    // an asphalt plant's smell, told as 沥青味 or 柏油味
    expect(groups('沥青搅拌站生产时有浓烈沥青味')).toEqual(['odour']);
    expect(groups('沥青站又开始飘柏油味')).toEqual(['odour']);
    expect(groups('仓库的探照灯照进我们小区')).toEqual(['light']);
    // an English word that holds another is not it ("filled" is no LED)
    expect(groups('The pond was filled with rubbish')).toEqual(['dumping']);
  });

  it('does not take a count or a recent act for a brand (好几根通信基站, 近期安装, 两栋厂房)', () => {
    expect(extractIncidentFeatures({ text: '楼顶新装了好几根通信基站天线' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '小区12号楼楼顶近期安装移动通信基站' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '这家鞋厂新盖了两栋厂房，没看到环评公示' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '陈埭镇一鞋业公司新建厂房' }).kind).toBe('鞋业');
  });

  it('reads 加工厂 as the trade ending, and 量贩 as no part of a KTV brand', () => {
    expect(extractIncidentFeatures({ text: '青山区红钢城街道的钢构加工厂夜间切割钢板' }).kind).toBe('钢铁');
    expect(extractIncidentFeatures({ text: '长寿路街道金嗓子量贩KTV每晚营业到凌晨' }).entity).toBe(extractIncidentFeatures({ text: '长寿路金嗓子KTV的低音炮震得整栋楼都在抖' }).entity);
  });

  it('finds problem words that overlap (散发臭味 holds 发臭 and 臭味), not those inside a longer one', () => {
    const groups = (text: string) => new Set(extractIncidentFeatures({ text }).problemTerms.map(problemGroupOf));
    expect(findProblemTerms(foldText('饲料厂晚上散发臭味'))).toEqual(['发臭', '臭味']);
    expect(groups('饲料厂晚上散发臭味').has('odour')).toBe(true);
    expect(findProblemTerms(foldText('猪场养殖废水直接排进河'))).toEqual(['养殖废水', '排进河']);
  });
});

describe('extractIncidentFeatures: words that only look like a trade', () => {
  it('does not take a place word that begins with a trade, or people of a trade, for a business', () => {
    const zone = extractIncidentFeatures({ text: '海宁经济开发区有一家不明车辆偷倒垃圾' });
    expect([zone.entity, zone.aliases]).toEqual([null, []]);
    expect(extractIncidentFeatures({ text: '几条船向海倾废，养殖户的贝类死了不少' }).kind).toBeNull();
  });

  it('keeps the site as the name when its vehicles follow it, and a firm whose rooftop carries the device', () => {
    expect(extractIncidentFeatures({ text: '第三小学西侧这边翠苑商住楼工地渣土车进进出出' }).entity).toBe('翠苑工地');
    expect(extractIncidentFeatures({ text: '我们村边上的鑫源传媒厂楼顶的LED大屏晚上太亮' }).entity).toBe('鑫源传媒');
  });

  it('reads generic words and time words before a trade as no name (废品收购站, 的时候排放油漆废气)', () => {
    const f = extractIncidentFeatures({ text: '定位点废品收购站焚烧废轮胎' });
    expect([f.entity, f.kind]).toEqual([null, '回收']);
    expect(extractIncidentFeatures({ text: '华鑫喷涂有限公司晚上加班的时候排放油漆废气' }).aliases).toEqual([]);
  });

  it("keeps an ethnic township's whole name", () => {
    expect(extractIncidentFeatures({ text: '德钦县拖顶傈僳族乡前刘村' }).townships).toEqual(['拖顶傈僳族乡']);
  });

  it('reads a project name past project words that hold a stop character (道路改造), not past an estate (小区)', () => {
    expect(extractIncidentFeatures({ text: '举报翠竹苑道路改造工程渣土车半夜进出' }).entity).toBe('翠竹苑工地');
    expect(extractIncidentFeatures({ text: '城东菜场附近的翠竹苑道路改造工程浇筑混凝土，噪音很大' }).aliases).toEqual(['翠竹苑工地']);
    expect(extractIncidentFeatures({ title: '投诉翠竹苑道路改造工程夜间施工扰民问题', text: '附近工地半夜施工' }).aliases).toEqual(['翠竹苑工地']);
    // One estate holds several projects: its name alone does not say which.
    const estate = extractIncidentFeatures({ text: '锦江小区综合体项目工地晚上施工' });
    expect([estate.entity, estate.places]).toEqual([null, ['锦江小区']]);
  });

  it('reads boilers as a trade, and a fuel as what kind of boiler rather than its name', () => {
    expect(extractIncidentFeatures({ text: '永泰锅炉有限公司做射线探伤没有警戒区' }).entityName).toEqual({ core: '永泰锅炉', brand: '永泰', kind: '锅炉' });
    expect(extractIncidentFeatures({ title: '关于永泰锅炉探伤作业的反映', text: '我家附近的永泰锅炉周末做射线探伤' }).entity).toBe('永泰锅炉');
    const fuel = extractIncidentFeatures({ text: '小区旁边的燃煤锅炉冒黑烟' });
    expect([fuel.entity, fuel.kind]).toEqual([null, '燃煤锅炉']);
  });

  it('spells a wood-processing plant as one kind however it is written (木材加工厂, 木业)', () => {
    expect(extractIncidentFeatures({ text: '开发区有一家木材加工厂夜里切割机很吵' }).kind).toBe('木业');
    expect(extractIncidentFeatures({ text: '开发区华兴木业夜里切割机很吵' }).kind).toBe('木业');
  });

  it('drops determiners before place names too', () => {
    expect(extractIncidentFeatures({ text: '郊外的一个村子阳光花园综合体项目工地打桩' }).places).toEqual(['阳光花园']);
  });
});
