import type { Division, DivisionIndex, NameEntry } from './division-index';

/**
 * Finds the division names a text mentions: provinces, cities, counties (full, short and alias forms) and
 * townships (full names only). Left to right, longest name first, so "北海海城东街街道" reads as
 * 北海 | 海城 | 东街街道. A short or alias form followed by a road or building word (中山路, 延安大街,
 * 延安北路, 北京饭店) is a street or a landmark, not the place, and is skipped.
 */

export type MentionField = 'address' | 'region' | 'label' | 'title' | 'text' | 'subject';

export interface Mention {
  field: MentionField;
  start: number;
  end: number;
  name: string;
  /** Province/city/county/zone readings of the name. */
  entries: NameEntry[];
  /** Township readings of the name. */
  townships: Division[];
}

/**
 * What makes the name before it part of a street, a landmark, a gate or a bay (南京路, 广安门, 杭州湾), not the place
 * itself; a road named after a landmark (富川广场路, 双流机场路) leaves the place its own.
 */
const NOT_A_PLACE_AFTER = /^([东西南北中]?(路|街(?!道)|大街|大道)|道|巷|弄|胡同|桥|(?:公园|广场|小区|花园|大厦|中学|小学|大学|学院|医院|酒店|宾馆|饭店|商场|超市|银行|站|机场|影院|剧院|书店)(?![东西南北中]?(?:路|街|大道|大街))|号|门|湾)/;
/**
 * A lake named after a county or city (鄱阳湖, 微山湖) spreads over several counties: the name before it is not
 * the county. A province's lake (青海湖) still lies in the province. 湖南路 after a name is a road, not a lake (南京鼓楼湖南路).
 */
const LAKE_AFTER = /^湖(?![镇乡区县村街]|[东西南北中]?路)/;
const MAX_TOWNSHIP_NAME = 16;

/**
 * Counties whose whole name is also an everyday word (城区 downtown, 郊区 the outskirts, 矿区 a mining area, a
 * housing estate's 东区), with what before them makes the everyday word (稀土矿区, 这片郊区, 小区东区, 本市城区):
 * then no place. Elsewhere still the county, but any other county named in full comes first (locate).
 */
const COMPOUND_BEFORE = '某的片个这那该本此其';
const COMMON_WORD_BEFORE: Record<string, RegExp> = {
  城区: new RegExp(`[${COMPOUND_BEFORE}县]$`),
  郊区: new RegExp(`[${COMPOUND_BEFORE}县]$`),
  矿区: new RegExp(`[${COMPOUND_BEFORE}土采煤金银铁铜锌铅锡钨稀矿石盐]$`),
  东区: new RegExp(`[${COMPOUND_BEFORE}区园厂校院城]$`),
  西区: new RegExp(`[${COMPOUND_BEFORE}区园厂校院城]$`),
};
export const COMMON_WORD_COUNTIES: ReadonlySet<string> = new Set(Object.keys(COMMON_WORD_BEFORE));
/**
 * Characters that may stand right before or after a place name without being part of one word with it (呢, 彼:
 * Cantonese and Minnan 这; 哋: Cantonese 们; 老 as in 山东老家; 居 as in 辽源居民).
 */
const BOUNDARY_BEFORE = /[^\u4e00-\u9fff]|[在于住到去从往近省市县区旗州盟镇乡村及和与或是、们哋]/;
const BOUNDARY_AFTER = /[^\u4e00-\u9fff]|[省市县区旗州盟镇乡有的这那一某附郊境地当城本人边周各及和与或沿、呢彼老居]/;

/**
 * A short or alias form inside a longer word (恒通化工 holds 通化, 夏天水发黑 holds 天水) is no place:
 * it needs a boundary on at least one side, or another place name right before or after it (深圳宝安, 沭阳胡集).
 */
function standsAlone(text: string, start: number, end: number, index: DivisionIndex, previous: Mention | undefined): boolean {
  if (previous && previous.end === start && previous.entries.length) return true;
  if (start === 0 || BOUNDARY_BEFORE.test(text[start - 1])) return true;
  if (end >= text.length || BOUNDARY_AFTER.test(text[end])) return true;
  for (let len = Math.min(index.maxNameLength, text.length - end); len >= 2; len--) {
    const next = text.slice(end, end + len);
    if (index.names.has(next) || index.townships.has(next) || index.townshipShort.has(next)) return true;
  }
  return false;
}

/**
 * A county's name starts at `at` (哈尔滨道外: 道外 is a district, not a road 道 named after the city); with
 * `within`, only a county inside one of those divisions (杭州湾里 is a bay, not 杭州 and 南昌's old 湾里区).
 */
function placeNameAt(text: string, at: number, index: DivisionIndex, within?: readonly NameEntry[]): boolean {
  const inside = (d: Division) => !within || within.some((w) => d.code.startsWith(w.division.code.replace(/(00)+$/, '')));
  return countyNameAt(text, at, index, (e) => inside(e.division));
}

/** A county of the given city whose full name starts at `at`. */
function countyOfCityAt(text: string, at: number, cityCode: string, index: DivisionIndex): boolean {
  return countyNameAt(text, at, index, (e) => e.form === 'full' && e.division.cityCode === cityCode);
}

/** A county's name that starts at `at` and that `accept` takes. */
function countyNameAt(text: string, at: number, index: DivisionIndex, accept: (e: NameEntry) => boolean): boolean {
  for (let len = Math.min(index.maxNameLength, text.length - at); len >= 2; len--) {
    if (index.names.get(text.slice(at, at + len))?.some((e) => e.division.kind === 'county' && accept(e))) return true;
  }
  return false;
}

/** Townships whose full name starts at `at`. */
function townshipsAt(text: string, at: number, index: DivisionIndex): Division[] {
  const out: Division[] = [];
  for (let len = 2; len <= MAX_TOWNSHIP_NAME && at + len <= text.length; len++) out.push(...(index.townships.get(text.slice(at, at + len)) ?? []));
  return out;
}

/**
 * Name lengths by their first two characters, longest first: most positions of a text start no name at all,
 * and two characters single out a handful of lengths where one leaves dozens (a text is scanned once per field
 * of every submission).
 */
const lengthsByPrefix = new WeakMap<DivisionIndex, Map<number, number[]>>();

/** Two UTF-16 code units as one number: a map key that costs no string per position. */
const pairAt = (text: string, i: number) => text.charCodeAt(i) * 65536 + text.charCodeAt(i + 1);

function lengthsFor(index: DivisionIndex): Map<number, number[]> {
  let m = lengthsByPrefix.get(index);
  if (m) return m;
  const sets = new Map<number, Set<number>>();
  const townshipNames = [...index.townships.keys()].filter((n) => n.length <= MAX_TOWNSHIP_NAME);
  for (const name of [...index.names.keys(), ...townshipNames]) {
    if (name.length < 2) continue;
    const prefix = pairAt(name, 0);
    let set = sets.get(prefix);
    if (!set) sets.set(prefix, (set = new Set()));
    set.add(name.length);
  }
  m = new Map([...sets].map(([c, lens]) => [c, [...lens].sort((a, b) => b - a)]));
  lengthsByPrefix.set(index, m);
  return m;
}

/**
 * "海域和县市", "乡镇和县区": 和 joining 县 to the 市 or 区 after it, not 和县. Only a two-character county whose
 * first character is a conjunction can read so, and only inside a run of words.
 */
function conjunctionBeforeCounties(text: string, i: number, name: string): boolean {
  return name.length === 2 && /^[和与及或][县区]$/.test(name) && i > 0 && /\p{Script=Han}/u.test(text[i - 1]) && /^[市区乡镇]/.test(text.slice(i + 2, i + 3));
}

export function scanMentions(text: string, field: MentionField, index: DivisionIndex): Mention[] {
  const out: Mention[] = [];
  const byPrefix = lengthsFor(index);
  let i = 0;
  while (i < text.length) {
    let found: Mention | null = null;
    const lengths = i + 1 < text.length ? byPrefix.get(pairAt(text, i)) : undefined;
    if (lengths) {
      for (const len of lengths) {
        if (i + len > text.length) continue;
        const name = text.slice(i, i + len);
        let entries = index.names.get(name) ?? [];
        const townships = index.townships.get(name) ?? [];
        if (!entries.length && !townships.length) continue;
        if (entries.length && NOT_A_PLACE_AFTER.test(text.slice(i + len, i + len + 3)) && !placeNameAt(text, i + len, index, entries)) {
          // 潞州东街街道, 贵溪花园街道: the street word begins one of the county's own townships.
          const own = townshipsAt(text, i + len, index);
          entries = entries.filter((e) => (e.form === 'full' && /[省市区县旗州盟]$/.test(name)) || own.some((t) => t.countyCode === e.division.code));
        }
        if (LAKE_AFTER.test(text.slice(i + len, i + len + 3)) && !placeNameAt(text, i + len, index, entries)) {
          // ...unless the 湖 begins one of the county's own townships (靖西湖润镇), or one of its counties (厦门湖里).
          const own = townshipsAt(text, i + len, index);
          entries = entries.filter((e) => e.division.kind === 'province' || (e.form === 'full' && /[市区县旗]$/.test(name)) || own.some((t) => t.countyCode === e.division.code));
        }
        if (conjunctionBeforeCounties(text, i, name)) entries = [];
        const previous = out[out.length - 1];
        if (COMMON_WORD_BEFORE[name]?.test(text.slice(Math.max(0, i - 1), i)) && !(previous && previous.end === i && previous.entries.length)) entries = [];
        if (entries.some((e) => e.form !== 'full') && !standsAlone(text, i, i + len, index, previous)) entries = entries.filter((e) => e.form === 'full');
        if (!entries.length && !townships.length) continue;
        // 青岛市北区, 济南市中区: the city's short name, then its county whose name begins with 市.
        if (name.endsWith('市') && entries.some((e) => e.division.kind === 'city' && countyOfCityAt(text, i + len - 1, e.division.code, index))) continue;
        // 南阳镇平, 庆阳镇原: a city and a county beginning with 镇/乡, not the township 南阳镇.
        if (!entries.length && /[镇乡]$/.test(name) && index.names.has(name.slice(0, -1)) && placeNameAt(text, i + len - 1, index)) continue;
        found = { field, start: i, end: i + len, name, entries, townships };
        break;
      }
    }
    if (found) {
      out.push(found);
      i = found.end;
    } else {
      i++;
    }
  }
  return out;
}
