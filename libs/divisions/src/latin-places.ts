import { pinyin } from 'pinyin-pro';
import type { Division, DivisionIndex } from './division-index';
import { cityShortForms, countyShortForms, provinceShortForms } from './name.util';

/**
 * Place names written in pinyin, as English complaints give them ("Nanshan District, Shenzhen", "Pudong New
 * Area, Shanghai"), rewritten as the official Chinese names, so the locate stage reads them like any other:
 * the same county homonyms, the same city and province clues.
 *
 * A name followed by its level word (District, County, City, Province, New Area, Banner) may be any division
 * of that level; a bare name only a province or a prefecture-level city (county names in pinyin are too often
 * ordinary words or people's names). A spelling shared by two different Chinese names (山西 and 陕西 are both
 * Shanxi without tones) is left as it is: a wrong place is worse than none.
 */

type Level = 'district' | 'county' | 'city' | 'province' | 'newarea' | 'banner';

const LEVEL_WORDS: [RegExp, Level][] = [
  [/^new (area|district)$/i, 'newarea'],
  [/^district$/i, 'district'],
  [/^(autonomous )?county$/i, 'county'],
  [/^(city|municipality)$/i, 'city'],
  [/^(province|autonomous region)$/i, 'province'],
  [/^(autonomous )?banner$/i, 'banner'],
];

/** Conventional English names that are not the plain pinyin of the official one. */
const CONVENTIONAL: Record<string, string> = {
  'inner mongolia': '内蒙古自治区',
  tibet: '西藏自治区',
  shaanxi: '陕西省',
  'hong kong': '香港特别行政区',
  macau: '澳门特别行政区',
  macao: '澳门特别行政区',
};

interface LatinPlaces {
  /** `<pinyin>|<level>` → Chinese names (a set: homophones make it ambiguous). */
  leveled: Map<string, Set<string>>;
  /** `<pinyin>` → Chinese names of provinces and prefecture-level cities. */
  bare: Map<string, Set<string>>;
}

const built = new WeakMap<DivisionIndex, LatinPlaces>();

function key(hanzi: string): string {
  return pinyin(hanzi, { toneType: 'none', type: 'array', v: true }).join('').toLowerCase();
}

function add(map: Map<string, Set<string>>, k: string, name: string): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(name);
}

function levelOf(d: Division): Level | null {
  if (d.kind === 'province') return 'province';
  if (d.kind === 'city') return /市$/.test(d.name) ? 'city' : null;
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
  places = { leveled: new Map(), bare: new Map() };
  for (const d of index.byCode.values()) {
    const level = levelOf(d);
    if (!level) continue;
    for (const stem of stemsOf(d)) {
      const k = key(stem);
      add(places.leveled, `${k}|${level}`, d.name);
      if (d.kind === 'province' || d.kind === 'city') add(places.bare, k, d.name);
    }
  }
  built.set(index, places);
  return places;
}

/** One capitalised word (Xi'an, Wu-han) that is not a level word. */
const WORD = `(?!(?:New|District|County|City|Municipality|Autonomous|Region|Province|Banner)\\b)[A-Z][a-z]+(?:['’-]?[a-z]+)*`;
/** One or two such words, then optionally a level word. */
const PLACE = new RegExp(
  `\\b(${WORD}(?: ${WORD})?)(?: (New Area|New District|District|Autonomous County|County|City|Municipality|Autonomous Region|Province|Autonomous Banner|Banner))?\\b`,
  'g',
);

/** Words that make the capitalised name before them a street's (directions, then the street word). */
const STREET_WORD = /^(East|West|North|South|Middle|Central|Road|Street|Avenue|Boulevard|Lane|Alley|Lu|Jie|Dajie|Xiang|Hutong)$/;
const STREET_AFTER = /^ (?:(?:East|West|North|South|Middle|Central) )?(?:Road|Street|Avenue|Boulevard|Lane|Alley|Lu|Jie|Dajie|Xiang|Hutong)\b/;

function only(set: Set<string> | undefined): string | null {
  return set && set.size === 1 ? [...set][0] : null;
}

function resolve(places: LatinPlaces, name: string, levelWord: string | undefined): string | null {
  const conventional = CONVENTIONAL[name.toLowerCase()];
  if (conventional && (!levelWord || /province|region/i.test(levelWord))) return conventional;
  const k = name.toLowerCase().replace(/['’\- ]/g, '');
  if (!levelWord) return only(places.bare.get(k));
  const level = LEVEL_WORDS.find(([re]) => re.test(levelWord))?.[1];
  return level ? only(places.leveled.get(`${k}|${level}`)) : null;
}

/** The text with the pinyin place names it gives replaced by their Chinese names; unchanged without any. */
export function withChinesePlaceNames(text: string, index: DivisionIndex): string {
  if (!/[A-Z][a-z]{2}/.test(text)) return text;
  const places = latinPlacesOf(index);
  return text.replace(PLACE, (whole: string, name: string, levelWord: string | undefined, offset: number) => {
    // Nanjing Road, Beijing West Road: a street named after a city, not the city.
    if (!levelWord && (STREET_AFTER.test(text.slice(offset + whole.length)) || STREET_WORD.test(name.split(' ')[1] ?? ''))) return whole;
    const hit = resolve(places, name, levelWord);
    if (hit) return hit;
    // Two capitalised words that are not one name: each on its own ("Shenzhen Nanshan District", "Shenzhen Bay").
    const words = name.split(' ');
    if (words.length !== 2) return whole;
    const first = resolve(places, words[0], undefined) ?? words[0];
    const second = resolve(places, words[1], levelWord) ?? (levelWord ? `${words[1]} ${levelWord}` : words[1]);
    return `${first} ${second}`;
  });
}
