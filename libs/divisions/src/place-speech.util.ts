/**
 * How complaints speak of places around a name, read from the normalized text alone: whether a short form is
 * spoken as a place (监利这边, 凯里一家诊所, 江宁胜太路, 我在义乌。), whether a place is where the writer lives or a
 * company is registered (我住在甘井子区, 沙县区的村民, 注册地吴中区), and which names are too ordinary to be read as a
 * place on such words alone. locate decides what the places are; this only reads the words beside them.
 */

/**
 * Township-level names that say only what kind of area it is (化工园区, 经济开发区, 现代农业产业园) or which side of
 * town (城南, 东关): one county may hold the only township so named, but the words fit any county.
 */
export const GENERIC_TOWNSHIP =
  /^(?:(?:化工|工业|经济|高新|科技|物流|产业|开发|综合|保税|临港|港区|出口加工|农业|生态|旅游|商贸|现代|技术|国家级|省级)*(?:园区|开发区|工业园|产业园|示范区|管理区|试验区|片区|新区|保税区|高新区)|城[东西南北中关郊厢]|[东西南北]关)$/;

/** A street word: what makes the name before it a road's (市中区交通路, 南京东路). */
export const ROAD_WORD = /^[东西南北中]?(?:路|街(?!道)|大道|大街|巷)/;

/**
 * A short name made only of everyday place characters (楼下, 桥头, 码头, 河口, 东门) is what anyone says of the
 * place they stand at: never read as a county or township from the words alone.
 */
const PLAIN_PLACE_WORD = /^[楼上下前后里外边头口门中东西南北桥路河江湖海山坝码街村庄园场港湾城关新老大小沟塘田湾岗岭坡]+$/;

/** Words that point at a place, said right after its name: 这边, 那个, 一带, 嗰间 (Cantonese; 𠮶 once simplified), 彼爿 (Minnan) … */
const DEIXIS = '(?:这边|那边|这里|那里|这块|那块|这片|那片|这一片|那一片|这个|那个|这家|那家|这条|那条|这间|那间|嗰间|嗰度|嗰边|𠮶间|𠮶度|𠮶边|呢边|彼爿|彼间|一带|附近|境内|城区|县城|市区|当地|本地|俺村|我村|我们村)';
const DEIXIS_AFTER = new RegExp(`^${DEIXIS}`);
const DEIXIS_ANYWHERE = new RegExp(DEIXIS, 'g');
/** A spot of the place, then a word pointing at it (黄陂盘龙城这边, 义乌绣湖那家): the plain pointing words only. */
const SPOT_THEN_DEIXIS = /^[\u4e00-\u9fff]{2,3}(?:这边|那边|这里|那里|这块|那块|这片|那片|那家|这家|那个|这个|一带)/;

/** Whether a name is only words for where things stand (码头, 河边, 山上): never a township on its own. */
export function plainPlaceWord(name: string): boolean {
  return PLAIN_PLACE_WORD.test(name);
}

/** Whether a pointing word (这边, 那家 …) stands at text[at]. */
export function pointedAt(text: string, at: number): boolean {
  return DEIXIS_AFTER.test(text.slice(at, at + 4));
}

/** What may stand right before a place so spoken: nothing, a non-Han character, or a word that leads to a place. */
const PLACE_LEAD = /(?:^|[^\p{Script=Han}]|在|我们|咱们|俺们|我家|老家|住|去|到|从|回|是|映的|说的|[了吗呢啊吧呀哦])$/u;

/** "凯里一家口腔诊所", "璧山的污水厂": one of the place's businesses named right after it. */
const PLACE_OF_BUSINESS_AFTER = /^(?:一家|一个|一间|有家|有个|新开的|的[^，。！？,.!?的]{0,4}(?:厂|场|站|公司|工地|店|园区|企业|作坊|矿))/;

/** "明水客运站", "庆安粮库", "泌阳石材园": one of the county's own public places or parks right after it. */
const LANDMARK_AFTER = /^(?:客运站|汽车站|火车站|高铁站|人民医院|中医院|粮库|[一二三四五六七八]中|工业园|产业园|石材园|开发区|[\u4e00-\u9fff]{2}(?:社区|渔港))/;

/**
 * "柯桥金鹰印染", "泌阳鑫源化工", "砀山罐头厂", "介休宏泰焦化": a firm of the place, its brand (or none, before 厂) and
 * a common trade right after it.
 */
const FIRM_AFTER =
  /^(?:[\u4e00-\u9fff]{2,3}|(?=[\u4e00-\u9fff]{1,4}厂))(?:化工|印染|染整|纺织|制药|药业|造纸|纸业|电镀|铸造|冶炼|橡胶|塑料|塑胶|酿造|酒业|石材|水泥|建材|砂石|陶瓷|家具|木业|皮革|制革|养殖|屠宰|饲料|钢铁|钢构|机械|涂料|化纤|再生资源|焦化|洗煤|煤矿|矿业|电厂|热电|罐头|淀粉|食品|味精|肥料|农药|炼油|石化|沥青|铝业|铝|锌|铅|砖|稀土|ktv|KTV|酒吧)/;

/** "湘阴湘江段": the stretch of a river that runs through the place. */
const RIVER_STRETCH_AFTER = /^[\u4e00-\u9fff]{1,3}[江河]段/;

/** "海伦到共合的村道", "平舆到万金店的县道": a route from the place to another. */
const ROUTE_AFTER = /^到[\u4e00-\u9fff]{1,4}的/;

/** "江宁胜太路", "中牟107国道": one of its roads right after it (a road named after the place itself, 江宁路, is no place). */
const ROAD_AFTER = /^(?:[^东西南北中\s\d，。！？,.!?的][\u4e00-\u9fff]{1,2}(?:路|街|大道|大街)(?!道)|[GS]?\d{2,3}(?:国道|省道))/;

/** "我在义乌。", "住在徐汇，", "在海淀哪里": where someone is, said and done. */
const WHERE_ONE_IS_BEFORE = /[在住]$/;
const WHERE_ONE_IS_AFTER = /^(?:[，。！？,.!?；;、]|$|哪里|哪儿)/;

/** Short forms that are also the names of rivers everywhere (沙河那个口子 is an outlet on a river). */
const RIVER_NAMES = new Set(['沙河', '清河', '白河', '柳河', '青河', '东河', '西河', '南河', '北河', '小河', '大河', '黑河', '浑河']);

/** Short forms that are also everyday words or common brand words (东方红, 大方的人): a business after them says nothing. */
const SPOKEN_STOP = new Set(['东方', '大方', '通道', '新建', '平安', '吉利', '安居', '太平', '新城', '向阳', '红旗', '东风', '前进', '胜利', '团结', '友好', '和顺', '兴隆', '长寿', '永安', '安宁', '和平', '富民', '长乐', '新兴', '永宁', '兴国', '安定', '开阳', '高明', '长安', '光明', '文明', '民和', '合作', '共和', '正安', '万安', '太和', '清河', '永和', '泰和', '安远', '宁远']);

/** Words before a place that say someone lives there or a company is registered there, not that the matter is. */
const RESIDENCE_BEFORE = /(?:住在|家住|居住在|居住于|住于|我住|户口在|注册地|注册在|livein|livingin)[^，。；,.;]{0,8}$/i;
/** "沙县区的村民", "游埠镇村民": the writer's own place. */
const RESIDENCE_AFTER = /^[^，。；,.;]{0,4}?的?(?:村民|居民)/;
/** Words that place the matter next to the writer's home. */
const HOME_NEARBY = /小区|家门口|楼下|楼上|隔壁|附近|旁边|对面|窗|[东南西北]边|一墙之隔|我家|家里|住所/;

/**
 * Whether the name at text[start, end) is spoken of as a place: nothing joined to it before (消防通道这边 is no
 * county), and after it a word that points at a place, one of its businesses or roads, or the end of saying where
 * someone is.
 */
export function spokenOfAsPlace(text: string, start: number, end: number, breaks: ReadonlySet<number> = NO_BREAKS, spotMayFollow = true): boolean {
  const name = text.slice(start, end);
  if (PLAIN_PLACE_WORD.test(name) || RIVER_NAMES.has(name)) return false;
  if (!breaks.has(start) && !PLACE_LEAD.test(text.slice(Math.max(0, start - 2), start))) return false;
  const after = text.slice(end, end + 8);
  if (DEIXIS_AFTER.test(after)) return true;
  if (SPOKEN_STOP.has(name)) return false;
  if (standsAlone(text, start, end, breaks)) return true;
  // "黄陂盘龙城这边": a spot of the place, then pointed at (the caller knows when the spot is another county's township).
  if (spotMayFollow && SPOT_THEN_DEIXIS.test(after)) return true;
  const whereOneIs = WHERE_ONE_IS_BEFORE.test(text.slice(0, start)) && WHERE_ONE_IS_AFTER.test(after);
  return whereOneIs || PLACE_OF_BUSINESS_AFTER.test(after) || ROAD_AFTER.test(after) || LANDMARK_AFTER.test(after) || ROUTE_AFTER.test(after) || RIVER_STRETCH_AFTER.test(after) || FIRM_AFTER.test(after);
}

/** Letters, digits and Han characters join words; anything else (space, punctuation, #, emoji) parts them. */
const JOINS = /[\p{L}\p{N}]/u;

/**
 * A name that is a whole word of its own, nothing joined to it on either side: how short messages give the
 * place, before or after the matter (有人往河滩倒垃圾 好几车 增城, #平潭# 海滩上…, 泰兴，半夜化工厂排气).
 */
function standsAlone(text: string, start: number, end: number, breaks: ReadonlySet<number>): boolean {
  const apartBefore = start === 0 || breaks.has(start) || !JOINS.test(text[start - 1]);
  if (!apartBefore) return false;
  // "樊城的" closing a message says where as well: 的 ends the word.
  const wordEnd = text[end] === '的' ? end + 1 : end;
  return wordEnd === text.length || breaks.has(wordEnd) || !JOINS.test(text[wordEnd]);
}

const NO_BREAKS: ReadonlySet<number> = new Set();

/** Names of two to four characters a text points at as places ("千灯那边" gives 千灯), longest first at each. */
export function namesSpokenOfAsPlaces(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(DEIXIS_ANYWHERE)) {
    for (let len = 4; len >= 2; len--) {
      const at = m.index! - len;
      if (at < 0 || !PLACE_LEAD.test(text.slice(Math.max(0, at - 2), at))) continue;
      const name = text.slice(at, m.index);
      if (!PLAIN_PLACE_WORD.test(name)) names.push(name);
    }
  }
  return names;
}

/** Whether the place at text[start, end) is said to be where someone lives or a company is registered. */
export function saidAsHome(text: string, start: number, end: number): boolean {
  return RESIDENCE_BEFORE.test(text.slice(Math.max(0, start - 12), start)) || RESIDENCE_AFTER.test(text.slice(end, end + 8));
}

/** Whether the words after a home place the matter beside it (小区北边一墙之隔有一家工厂). */
export function neighbourhoodFollows(text: string, end: number): boolean {
  return HOME_NEARBY.test(text.slice(end, end + 60));
}
