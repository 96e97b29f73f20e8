import { pinyin } from 'pinyin-pro';
import type { Division, DivisionIndex } from './division-index';
import { scanMentions } from './mention.scanner';
import { cityShortForms, countyShortForms, normalizeText, provinceShortForms } from './name.util';

/**
 * Place names written in pinyin, as English complaints give them ("Nanshan District, Shenzhen", "Pudong New
 * Area, Shanghai"), rewritten as the official Chinese names, so the locate stage reads them like any other:
 * the same county homonyms, the same city and province clues.
 *
 * A name followed by its level word (District, County, City, Province, New Area, Banner, Town, Subdistrict) may
 * be any division of that level (a township's spelling shared by several is settled by a city, province or
 * county the text also names); a bare name a province or a prefecture-level city, or a county inside a city
 * or province the text also names ("Haidian, Beijing"; alone, county names in pinyin are too often ordinary
 * words or people's names). A spelling shared by two different Chinese names (朝阳区 and 潮阳区) is read only
 * when a province or city the text also names keeps one of them, and left as it is otherwise (山西 and 陕西 are
 * both Shanxi without tones): a wrong place is worse than none.
 */

type Level = 'district' | 'county' | 'city' | 'prefecture' | 'province' | 'newarea' | 'banner' | 'township';

const LEVEL_WORDS: [RegExp, Level][] = [
  [/^new (area|district)$/i, 'newarea'],
  [/^district$/i, 'district'],
  [/^(autonomous )?county$/i, 'county'],
  [/^(city|municipality)$/i, 'city'],
  [/^(autonomous )?prefecture$/i, 'prefecture'],
  [/^(province|autonomous region)$/i, 'province'],
  [/^(autonomous )?banner$/i, 'banner'],
  [/^(town|township|zhen|subdistrict|jiedao)$/i, 'township'],
];

/** Conventional English names that are not the plain pinyin of the official one. */
const CONVENTIONAL: Record<string, { name: string; level: 'province' | 'city' }> = {
  'inner mongolia': { name: '内蒙古自治区', level: 'province' },
  tibet: { name: '西藏自治区', level: 'province' },
  shaanxi: { name: '陕西省', level: 'province' },
  'hong kong': { name: '香港特别行政区', level: 'province' },
  macau: { name: '澳门特别行政区', level: 'province' },
  macao: { name: '澳门特别行政区', level: 'province' },
  lhasa: { name: '拉萨市', level: 'city' },
  shigatse: { name: '日喀则市', level: 'city' },
  urumqi: { name: '乌鲁木齐市', level: 'city' },
  hohhot: { name: '呼和浩特市', level: 'city' },
  harbin: { name: '哈尔滨市', level: 'city' },
  kashgar: { name: '喀什地区', level: 'city' },
  canton: { name: '广州市', level: 'city' },
};

interface LatinPlaces {
  /** `<pinyin>|<level>` → the divisions so spelled (homophones and homonyms make several). */
  leveled: Map<string, Division[]>;
  /** `<pinyin>` → provinces and prefecture-level cities so spelled. */
  bare: Map<string, Division[]>;
  /** `<pinyin>` → counties so spelled, read bare only inside a city or province the text names. */
  counties: Map<string, Division[]>;
  /** `<pinyin>` → townships so spelled ("Chendai Town"); built on first use, as few texts need it. */
  townships: () => Map<string, Division[]>;
}

const built = new WeakMap<DivisionIndex, LatinPlaces>();

/**
 * Place names whose characters are read otherwise than in ordinary words, and that the pinyin library reads
 * the ordinary way (闵行 is Minhang, not Minxing).
 */
const PLACE_READINGS: [string, string][] = [
  ['闵行', 'minhang'], ['单县', 'shanxian'], ['洪洞', 'hongtong'], ['乐清', 'yueqing'], ['蔚县', 'yuxian'], ['繁峙', 'fanshi'],
  ['大埔', 'dabu'], ['筠连', 'junlian'], ['黄陂', 'huangpi'], ['乐亭', 'laoting'], ['浚县', 'xunxian'], ['六合', 'luhe'],
  ['郫都', 'pidu'], ['泌阳', 'biyang'],
];

function key(hanzi: string): string {
  const known = PLACE_READINGS.find(([name]) => hanzi.startsWith(name));
  if (known) return known[1] + (hanzi.length > known[0].length ? key(hanzi.slice(known[0].length)) : '');
  return pinyin(hanzi, { toneType: 'none', type: 'array', v: true }).join('').toLowerCase();
}

function add(map: Map<string, Division[]>, k: string, d: Division): void {
  let list = map.get(k);
  if (!list) map.set(k, (list = []));
  if (!list.includes(d)) list.push(d);
}

function levelOf(d: Division): Level | null {
  if (d.kind === 'province') return 'province';
  // Prefectures (自治州, 地区, 盟) are read bare ("Xishuangbanna") or with Prefecture, never as "… City".
  if (d.kind === 'city') return /市$/.test(d.name) ? 'city' : 'prefecture';
  if (d.kind !== 'county') return null;
  if (/新区$/.test(d.name)) return 'newarea';
  if (/区$/.test(d.name)) return 'district';
  if (/县$/.test(d.name)) return 'county';
  if (/市$/.test(d.name)) return 'city';
  if (/旗$/.test(d.name)) return 'banner';
  return null;
}

function stemsOf(d: Division): string[] {
  if (d.kind === 'province') return provinceShortForms(d.name);
  if (d.kind === 'city') return cityShortForms(d.name);
  return countyShortForms(d.name).filter((s) => !/[县旗]$/.test(s));
}

function latinPlacesOf(index: DivisionIndex): LatinPlaces {
  let places = built.get(index);
  if (places) return places;
  let townships: Map<string, Division[]> | null = null;
  places = {
    leveled: new Map(),
    bare: new Map(),
    counties: new Map(),
    townships: () => {
      if (!townships) {
        townships = new Map();
        for (const [name, list] of index.townshipShort) for (const d of list) add(townships, key(name), d);
      }
      return townships;
    },
  };
  for (const d of index.byCode.values()) {
    const level = levelOf(d);
    if (!level) continue;
    for (const stem of stemsOf(d)) {
      const k = key(stem);
      add(places.leveled, `${k}|${level}`, d);
      if (d.kind === 'province' || d.kind === 'city') add(places.bare, k, d);
      else add(places.counties, k, d);
    }
  }
  built.set(index, places);
  return places;
}

/** One capitalised word (Xi'an, Wu-han) that is not a level word. */
const WORD = `(?!(?:New|District|County|City|Municipality|Prefecture|Autonomous|Region|Province|Banner|Town|Township|Zhen|Subdistrict)\\b)[A-Z][a-z]+(?:['’-]?[a-z]+)*`;
/** Level words as written after a name, longest first; "Gulou district" as well as "Gulou District". */
const LEVEL_PHRASES = ['New Area', 'New District', 'District', 'Autonomous County', 'County', 'City', 'Municipality', 'Autonomous Prefecture', 'Prefecture', 'Autonomous Region', 'Province', 'Autonomous Banner', 'Banner', 'Township', 'Town', 'Zhen', 'Subdistrict', 'Jiedao'];
const eitherCase = (phrase: string): string => phrase.replace(/\b([A-Z])/g, (c) => `[${c}${c.toLowerCase()}]`);

/** One or two such words, then optionally a level word. */
const PLACE = new RegExp(
  `\\b(${WORD}(?: ${WORD})?)(?: (${LEVEL_PHRASES.map(eitherCase).join('|')}))?\\b`,
  'g',
);

/** Words that make the capitalised name before them a street's (directions, then the street word). */
const STREET_WORD = /^(East|West|North|South|Middle|Central|Road|Street|Avenue|Boulevard|Lane|Alley|Lu|Jie|Dajie|Xiang|Hutong)$/;
const STREET_AFTER = /^ (?:(?:East|West|North|South|Middle|Central) )?(?:Road|Street|Avenue|Boulevard|Lane|Alley|Lu|Jie|Dajie|Xiang|Hutong)\b/;

/**
 * The one Chinese name the divisions so spelled share; or, when they are different names (homophones: 朝阳区
 * and 潮阳区, 苏州 and 宿州), the one left inside a province or city the text also names. Null otherwise.
 */
function nameOf(divisions: Division[] | undefined, context: readonly string[]): string | null {
  if (!divisions?.length) return null;
  const names = new Set(divisions.map((d) => d.name));
  if (names.size === 1) return divisions[0].name;
  const inside = new Set(divisions.filter((d) => context.some((code) => d.code.startsWith(code) && d.code !== code.padEnd(6, '0'))).map((d) => d.name));
  return inside.size === 1 ? [...inside][0] : null;
}

/** A written name as the maps key it: "Xi'an" and "Wu-han" as xian and wuhan. */
const spelling = (name: string): string => name.toLowerCase().replace(/['’\- ]/g, '');

const levelOfWord = (levelWord: string): Level | undefined => LEVEL_WORDS.find(([re]) => re.test(levelWord))?.[1];

/** Peoples named between a county's name and "Autonomous County" (Rongshui Miao Autonomous County). */
const PEOPLES = /\s(?:Miao|Yao|Zhuang|Dong|Hui|Tujia|Yi|Li|She|Bai|Dai|Hani|Lisu|Naxi|Tibetan|Mongolian|Uygur|Uyghur|Kazak|Manchu|Korean|Qiang|Buyi|Bouyei|Shui|Gelao|Mulao|Maonan|Lahu|Wa|Jingpo|Tu|Salar|Dongxiang|Yugur|Daur|Xibe|Oroqen|Ewenki)$/;

function lookup(places: LatinPlaces, name: string, levelWord: string | undefined): Division[] | undefined {
  if (levelWord && /autonomous/i.test(levelWord)) name = name.replace(PEOPLES, '');
  const k = spelling(name);
  if (!levelWord) return places.bare.get(k);
  const level = levelOfWord(levelWord);
  if (level === 'township') return places.townships().get(k);
  return level ? places.leveled.get(`${k}|${level}`) : undefined;
}

function resolve(places: LatinPlaces, name: string, levelWord: string | undefined, context: readonly string[]): string | null {
  const conventional = CONVENTIONAL[name.toLowerCase()];
  if (conventional && (!levelWord || (conventional.level === 'city' ? /city|prefecture/i : /province|region/i).test(levelWord))) return conventional.name;
  return nameOf(lookup(places, name, levelWord), context);
}

/**
 * A bare county name ("Haidian, Beijing", "Futian, Shenzhen"): only inside a city or province the text names,
 * and only when one county there is so spelled.
 */
function countyInside(places: LatinPlaces, name: string, context: readonly string[]): string | null {
  if (!context.length) return null;
  const divisions = places.counties.get(spelling(name));
  const inside = new Set((divisions ?? []).filter((d) => context.some((code) => d.code.startsWith(code))).map((d) => d.name));
  return inside.size === 1 ? [...inside][0] : null;
}

/** Nanjing Road, Beijing West Road: a street named after a city, not the city. */
function namesStreet(text: string, whole: string, name: string, levelWord: string | undefined, offset: number): boolean {
  return !levelWord && (STREET_AFTER.test(text.slice(offset + whole.length)) || STREET_WORD.test(name.split(' ')[1] ?? ''));
}

/** Code prefixes (province xx, city xxxx) of the provinces and cities the text names unambiguously. */
function contextOf(text: string, places: LatinPlaces, index: DivisionIndex): string[] {
  const codes = new Set<string>();
  for (const m of text.matchAll(PLACE)) {
    if (namesStreet(text, m[0], m[1], m[2], m.index!)) continue;
    for (const [name, levelWord] of [[m[1], m[2]] as const, ...m[1].split(' ').map((w) => [w, undefined] as const)]) {
      const hit = resolve(places, name, levelWord, []);
      const d = hit ? index.names.get(hit)?.find((e) => e.form === 'full' && (e.division.kind === 'province' || e.division.kind === 'city'))?.division : undefined;
      if (d) codes.add(d.kind === 'province' ? d.code.slice(0, 2) : d.code.slice(0, 4));
    }
  }
  // Each once: a long text repeating its places would otherwise make every later lookup scan them all.
  return [...codes];
}

/**
 * Codes of the counties a capitalised word of the text may spell ("Jinjiang, Chendai Town"): never read as the
 * county itself, only to settle which of two townships so spelled is meant.
 */
function countyWordsOf(text: string, places: LatinPlaces): string[] {
  const codes = new Set<string>();
  for (const [w] of text.matchAll(/[A-Z][a-z]+/g)) for (const d of places.counties.get(w.toLowerCase()) ?? []) codes.add(d.code);
  return [...codes];
}

/** The text with the pinyin place names it gives replaced by their Chinese names; unchanged without any. */
/** Provinces and cities the text names in Chinese ("青岛 Huangdao"): context for the pinyin names beside them. */
function chineseContextOf(text: string, index: DivisionIndex): string[] {
  if (!/[\u4e00-\u9fff]/.test(text)) return [];
  const codes = new Set<string>();
  for (const m of scanMentions(normalizeText(text), 'text', index)) {
    for (const e of m.entries) {
      if (e.division.kind === 'province') codes.add(e.division.code.slice(0, 2));
      if (e.division.kind === 'city') codes.add(e.division.code.slice(0, 4));
    }
  }
  return [...codes];
}

/** "Shekou, Shenzhen", "Fuyong": a township's name inside a city or province the text names, when only one there is so spelled. */
function townshipInside(places: LatinPlaces, name: string, context: readonly string[]): string | null {
  if (!context.length || name.includes(' ')) return null;
  const inside = new Set((places.townships().get(spelling(name)) ?? []).filter((d) => context.some((code) => d.code.startsWith(code))).map((d) => d.name));
  return inside.size === 1 ? [...inside][0] : null;
}

/** What a place is written after: "in Futian", "near Kunshan", "在 Futian", "住 Futian"... */
const PLACE_PREPOSITION = /(?:\b(?:in|near|at|around|from|to|of|outside|our)\s+|[在住到去从]\s*)$/i;
/**
 * ...or opening the text or a sentence, before anything but an English word ("Kunshan - a PCB factory",
 * "。Pudong 花木", "，Haidian 这边"; not "Jianhua said").
 */
const OPENS_SENTENCE = /(?:^|[。！？.!?，,：:；;\n])[\s\p{Ps}\p{Pi}]*$/u;
/** Shorter spellings are too often words or people's names to read as a county alone. */
const LONE_COUNTY_MIN = 5;

/**
 * A county name alone after a preposition ("a taxi driver in Futian"): only one word, only a spelling no
 * other county (Nanshan is two), city or province has, and only when the text names no city or province. A
 * person's name (Liu Yang) is two words and never read so.
 */
function loneCounty(places: LatinPlaces, name: string, text: string, offset: number, context: readonly string[]): string | null {
  // Beside a city or province the text names, only a county inside it is read (countyInside).
  if (name.includes(' ') || context.length) return null;
  const k = spelling(name);
  const before = text.slice(Math.max(0, offset - 8), offset);
  // Opening a sentence, it must be followed by words, and not by an English one: a name last in a text is a
  // signature (Best regards, Jianhua).
  const after = text.slice(offset + name.length);
  const opens = OPENS_SENTENCE.test(before) && !/^\s*[A-Za-z]/.test(after) && !/^[\s\p{P}\p{S}]*$/u.test(after);
  if (k.length < LONE_COUNTY_MIN || places.bare.has(k) || !(PLACE_PREPOSITION.test(before) || opens)) return null;
  const counties = places.counties.get(k) ?? [];
  return counties.length === 1 ? counties[0].name : null;
}

/** The text with the pinyin place names it gives replaced by their Chinese names; unchanged without any. */
export function withChinesePlaceNames(text: string, index: DivisionIndex): string {
  if (!/[A-Z][a-z]{2}/.test(text)) return text;
  const places = latinPlacesOf(index);
  const context = [...new Set([...contextOf(text, places, index), ...chineseContextOf(text, index)])];
  let townshipContext: string[] | null = null;
  // A bare word read as a county or township inside the context, or alone after a preposition.
  const bareName = (n: string, offset: number): string | null => countyInside(places, n, context) ?? townshipInside(places, n, context) ?? loneCounty(places, n, text, offset, context);
  // A bare name: a province or city, unless the text places it in another province or city where a county is
  // so spelled ("Chaoyang, Beijing" is 朝阳区, not the city 朝阳 in Liaoning; "Chaoyang, Liaoning" is that city).
  const bareHit = (n: string, offset: number): string | null => {
    const cities = lookup(places, n, undefined) ?? [];
    const own = new Set(cities.map((d) => (d.kind === 'province' ? d.code.slice(0, 2) : d.code.slice(0, 4))));
    const others = context.filter((code) => !own.has(code));
    const placedElsewhere = others.length > 0 && !cities.some((d) => others.some((code) => d.code.startsWith(code)));
    if (placedElsewhere) {
      const inside = countyInside(places, n, others) ?? townshipInside(places, n, others);
      if (inside) return inside;
    }
    return resolve(places, n, undefined, context) ?? bareName(n, offset);
  };
  return text.replace(PLACE, (whole: string, name: string, levelWord: string | undefined, offset: number) => {
    if (namesStreet(text, whole, name, levelWord, offset)) return whole;
    if (levelWord && levelOfWord(levelWord) === 'township') {
      townshipContext ??= [...new Set([...context, ...countyWordsOf(text, places)])];
      const township = (n: string) => nameOf(lookup(places, n, levelWord), townshipContext!);
      const named = township(name);
      if (named) return named;
      // "Yiwu Fotang zhen": the township is the last word; the one before it is read as any other name.
      const words = name.split(' ');
      if (words.length !== 2) return whole;
      return `${resolve(places, words[0], undefined, context) ?? words[0]} ${township(words[1]) ?? `${words[1]} ${levelWord}`}`;
    }
    const hit = levelWord ? resolve(places, name, levelWord, context) : bareHit(name, offset);
    if (hit) return hit;
    // Two capitalised words that are not one name: each on its own ("Shenzhen Nanshan District", "Shenzhen Longgang").
    const words = name.split(' ');
    if (words.length !== 2) return whole;
    const first = resolve(places, words[0], undefined, context) ?? countyInside(places, words[0], context) ?? words[0];
    const second = resolve(places, words[1], levelWord, context) ?? (levelWord ? `${words[1]} ${levelWord}` : (bareName(words[1], offset + words[0].length + 1) ?? words[1]));
    return `${first} ${second}`;
  });
}
