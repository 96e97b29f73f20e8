/**
 * Incident features: what lets two differently worded reports be recognised as one incident (who
 * pollutes, where, what problem, and the remaining wording), and two alike-worded reports as two.
 */
import { getDivisionIndex } from '@huiliu/divisions';
import { FEATURE_RULES } from './dedup.rules';
import { foldText, normalizeForMatching } from './normalize.util';
import type { EntityName, IncidentFeatures, IncidentSource } from './dedup.types';

const BOUNDARY = '|';

function alternation(words: readonly string[]): string {
  return [...new Set(words.map((w) => foldText(w)))]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|');
}

const INDUSTRIES = new Set(FEATURE_RULES.industries.map(foldText));
const VENUES = new Set(FEATURE_RULES.venues.map(foldText));
const LEGAL_FORMS = new Set(FEATURE_RULES.legalForms.map(foldText));
/** Words that end a polluter's name: a trade (化工), a venue (酒吧) or a legal form (有限公司). */
const ANCHORS = alternation([...INDUSTRIES, ...VENUES, ...LEGAL_FORMS]);
const ANCHOR_RE = new RegExp(ANCHORS, 'g');
const ANCHOR_TEST_RE = new RegExp(ANCHORS);
const ANCHOR_END_RE = new RegExp(`(?:${ANCHORS})$`);

let firmLikePlaces: Set<string> | null = null;
/** Division and township names that end in a trade or venue word (驻马店, 瓦房店, 万金店): places, never polluters. */
function placesNamedLikeFirms(): Set<string> {
  if (firmLikePlaces) return firmLikePlaces;
  const index = getDivisionIndex();
  firmLikePlaces = new Set();
  for (const name of [...index.names.keys(), ...index.townshipShort.keys()]) {
    const f = foldText(name);
    if (f.length >= 3 && ANCHOR_END_RE.test(f)) firmLikePlaces.add(f);
  }
  return firmLikePlaces;
}
const DETERMINERS = [...new Set(FEATURE_RULES.determiners.map(foldText))].sort((a, b) => b.length - a.length);
const BRAND_STOPS = new Set(foldText(FEATURE_RULES.brandStops));
const MAX_BRAND = 8;
const MAX_ALIASES = 4;
/** Longest brand of a passing mention run into the next words (顺发再生 in 顺发再生塑料偷偷排放). */
const MAX_RUN_ON_BRAND = 4;
const GENERIC_BRAND_WORDS = [...new Set(FEATURE_RULES.genericBrandWords.map(foldText))].sort((a, b) => b.length - a.length);

/** Moves project words off the end of a brand onto the kind: 春晖苑安置房 + 项目 → 春晖苑 + 安置房项目. */
function peelGenericWords(brand: string, kind: string | null): { brand: string; kind: string | null } {
  let changed = true;
  while (changed && brand) {
    changed = false;
    for (const g of GENERIC_BRAND_WORDS) {
      if (brand.endsWith(g)) {
        brand = brand.slice(0, brand.length - g.length);
        kind = g + (kind ?? '');
        changed = true;
        break;
      }
    }
  }
  return { brand, kind };
}

const GENERIC_PROJECT_WORDS = GENERIC_BRAND_WORDS.filter((g) => !FEATURE_RULES.places.specific.some((p) => foldText(p) === g));

/**
 * A project word holding a stop character (道路 of 道路改造, 市政 of 市政工程) that covers position `at` and ends
 * before `end`: 春晖苑道路改造工程 names the project 春晖苑, its 路 is no road's. A project word that is itself
 * a kind of place (小区) still ends the name: 蓝湾小区综合体项目 is somewhere in the estate 蓝湾小区, which may
 * hold other projects. Returns where the word starts.
 */
function genericWordOver(folded: string, at: number, end: number): { from: number } | null {
  for (const g of GENERIC_PROJECT_WORDS) {
    for (let k = g.indexOf(folded[at]); k >= 0; k = g.indexOf(folded[at], k + 1)) {
      const from = at - k;
      if (from >= 0 && from + g.length <= end && folded.startsWith(g, from)) return { from };
    }
  }
  return null;
}

const KIND_GROUP = new Map<string, string>();
const KIND_CANONICAL = new Map<string, string>();
for (const [group, words] of Object.entries(FEATURE_RULES.kindGroups)) {
  for (const w of words) KIND_GROUP.set(foldText(w), group);
  KIND_CANONICAL.set(group, foldText(words[0]));
}

/** The kind group (rules kindGroups) of a trade or venue word, or of the longest known word a run of them ends with. */
export function kindGroupOf(kind: string): string | null {
  const exact = KIND_GROUP.get(kind);
  if (exact) return exact;
  // A run of anchors (水产养殖场, 钢结构厂, 综合体项目工地): the longest known word it ends with, else the
  // longest it holds (商住楼工地渣土车: the site's trucks).
  for (let i = 1; i < kind.length; i++) {
    const g = KIND_GROUP.get(kind.slice(i));
    if (g) return g;
  }
  for (let len = kind.length - 1; len >= 2; len--) {
    for (let i = 0; i + len <= kind.length; i++) {
      const g = KIND_GROUP.get(kind.slice(i, i + len));
      if (g) return g;
    }
  }
  return null;
}

/**
 * One spelling per kind of polluter (安置房项目, 商住楼工地 → 工地; 石化 → 化工): reports of one project or
 * plant name its trade in different words, and the name is a lookup key, so it must not depend on which.
 * A kind outside every group stays as written.
 */
export function canonicalKind(kind: string | null): string | null {
  if (!kind) return kind;
  const group = kindGroupOf(kind);
  return group ? KIND_CANONICAL.get(group)! : kind;
}

const COMMON_NOUN_TRADES = new Set(FEATURE_RULES.commonNounTrades.map(foldText));
const POSITION_RE = new RegExp(`^(?:${alternation(FEATURE_RULES.positionWords)})`);

const TOWNSHIP_SUFFIXES = new Set(FEATURE_RULES.places.township.map(foldText));
const PLACE_RE = new RegExp(alternation([...FEATURE_RULES.places.specific, ...FEATURE_RULES.places.township]), 'g');
const PLACE_STOPS = new Set(foldText(FEATURE_RULES.placeStops));
const PLACE_NOT_AHEAD = new Set(foldText(FEATURE_RULES.placeNotAhead));
const MAX_PLACE_NAME = 4;

const PLACE_AHEAD_RE = new RegExp(`^(?:${alternation([...FEATURE_RULES.places.specific, ...FEATURE_RULES.places.township])})`);
const ANCHOR_NOT_AHEAD = new Set(foldText(FEATURE_RULES.anchorNotAhead));

const PROBLEM_TERM_GROUP = new Map<string, string>();
for (const [group, terms] of Object.entries(FEATURE_RULES.problemGroups)) {
  for (const t of terms) PROBLEM_TERM_GROUP.set(foldText(t), group);
}
const PROBLEMS = alternation([...PROBLEM_TERM_GROUP.keys()]);
const PROBLEM_RE = new RegExp(PROBLEMS, 'g');
const PROBLEM_TEST_RE = new RegExp(PROBLEMS);

/** The problem group (smoke, odour, wastewater, …) of a term from `problemTerms`. */
export function problemGroupOf(term: string): string | null {
  return PROBLEM_TERM_GROUP.get(term) ?? null;
}

function isNameChar(ch: string): boolean {
  return ch !== BOUNDARY && !(ch >= '0' && ch <= '9');
}

const INDEFINITE = new Set(FEATURE_RULES.indefiniteDeterminers.map(foldText));
/** Characters a determiner may have before its last one: only after one of them can a determiner straddle. */
const DETERMINER_HEADS = new Set(DETERMINERS.flatMap((d) => [...d.slice(0, -1)]));

/**
 * Where the name before an anchor starts, past determiners (一家, 附近, 该, …), and whether one of them was
 * indefinite. A determiner may straddle the stop character that ended the walk back (县|城 in
 * 一个县城安心宠物医院), or end right before it (一座|…).
 */
function nameStart(folded: string, b: number, start: number): { at: number; indefinite: boolean } {
  let at = b;
  let indefinite = false;
  for (const d of INDEFINITE) if (folded.endsWith(d, b)) indefinite = true;
  for (const d of b > 0 && DETERMINER_HEADS.has(folded[b - 1]) ? DETERMINERS : []) {
    for (let k = 1; k < d.length; k++) {
      const end = b - k + d.length;
      if (b - k >= 0 && end > at && end <= start && folded.startsWith(d, b - k)) {
        at = end;
        if (INDEFINITE.has(d)) indefinite = true;
      }
    }
  }
  let changed = true;
  while (changed && at < start) {
    changed = false;
    for (const d of DETERMINERS) {
      if (at + d.length <= start && folded.startsWith(d, at)) {
        at += d.length;
        if (INDEFINITE.has(d)) indefinite = true;
        changed = true;
        break;
      }
    }
  }
  return { at, indefinite };
}

/**
 * All polluter names in a folded text, in order. A name is up to MAX_BRAND characters before a run of
 * anchors (trade, venue, legal form), cut at a stop character (的, 路, 镇, …) or a sentence boundary.
 */
export function findEntities(folded: string): EntityName[] {
  return findEntityMentions(folded)
    .filter((m) => !m.weak)
    .map((m) => m.name);
}

interface EntityMention {
  name: EntityName;
  /** An everyday-noun trade without legal form (佳禾污水处理, 丰收食品): a name only when another report confirms it. */
  weak: boolean;
}

function findEntityMentions(folded: string): EntityMention[] {
  const found: EntityMention[] = [];
  ANCHOR_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  // A name never reaches back over an earlier trade word (华泰化工和金鹏化工: the second name is 和金鹏 at most).
  let previousEnd = 0;
  while ((m = ANCHOR_RE.exec(folded)) !== null) {
    const start = m.index;
    const limit = previousEnd;
    // Consume the whole run of anchors: 丽景花园综合体|项目|工地, 华泰|化工|有限公司.
    const words = [m[0]];
    let end = start + m[0].length;
    for (;;) {
      ANCHOR_RE.lastIndex = end;
      const next = ANCHOR_RE.exec(folded);
      if (!next || next.index !== end) break;
      // A legal form closes the name: 恒昌家具有限公司|油漆味 (only another legal form may follow: 集团|分公司).
      if (LEGAL_FORMS.has(words[words.length - 1]) && !LEGAL_FORMS.has(next[0])) break;
      words.push(next[0]);
      end += next[0].length;
    }
    ANCHOR_RE.lastIndex = end;
    const ahead = folded.slice(end, end + 6);
    // 长辛店街道, 第二小学西侧: part of a place name or a landmark, not the polluter.
    if (PLACE_AHEAD_RE.test(ahead) || POSITION_RE.test(ahead)) continue;
    // 经济开发区, 养殖户: the anchor begins a longer place word, or a word for people (商户, 养殖户).
    const placeHere = PLACE_AHEAD_RE.exec(folded.slice(start, start + 8));
    if ((placeHere && placeHere[0].length > end - start) || ANCHOR_NOT_AHEAD.has(folded[end])) continue;
    // 重金属, 建筑垃圾, 油漆味: an everyday noun unless a legal form or venue word makes it a business.
    const weak = words.every((w) => COMMON_NOUN_TRADES.has(w));
    // An everyday noun may still be the start of the next name (塑料|颗粒厂), a trade or legal form may not.
    if (!weak) previousEnd = end;
    // A passing mention stands as a name of its own (佳禾污水处理（…）, 的通达农药): followed by a boundary or
    // introduced by 的. Run into the next words it is usually an everyday noun (担心粮食重金属超标,
    // 倾倒大量建筑垃圾), unless it opens the phrase with a short name (：顺发再生塑料偷偷排放黑烟).
    const runOn = weak && end < folded.length && folded[end] !== BOUNDARY && !/的[^的]{2,8}$/.test(folded.slice(Math.max(0, start - 9), start));
    let b = start;
    // Project words are peeled off the brand below, so they do not count against its length.
    let generic = 0;
    for (;;) {
      while (b > limit && start - b - generic < MAX_BRAND && isNameChar(folded[b - 1]) && !BRAND_STOPS.has(folded[b - 1])) b--;
      const over = b > limit && BRAND_STOPS.has(folded[b - 1]) ? genericWordOver(folded, b - 1, start) : null;
      if (!over || over.from < limit) break;
      generic += b - over.from;
      b = over.from;
    }
    const named = nameStart(folded, b, start);
    // A passing mention's name holds no problem phrase or trade word (的恒昌家具一直排放|油漆废气,
    // 道路改造工程浇筑|混凝土 are sentences, not names).
    if (weak && (PROBLEM_TEST_RE.test(folded.slice(named.at, start)) || ANCHOR_TEST_RE.test(folded.slice(named.at, start)))) continue;
    // Nor does any name begin with a problem phrase (填海搞|养殖池, 偷排|印染): that is the sentence saying what is
    // done. A facility named by what it does is a trade of its own (垃圾焚烧厂, 焚烧厂).
    if (PROBLEM_AT_START_RE.test(folded.slice(named.at, start))) continue;
    // Project words (道路改造) are no part of the short name: 春晖苑道路改造工程夜间施工 opens with 春晖苑.
    const runOnBrand = runOn ? peelGenericWords(folded.slice(named.at, start), null).brand.length : 0;
    if (runOn && !(runOnBrand >= 2 && runOnBrand <= MAX_RUN_ON_BRAND && start - b - generic < MAX_BRAND)) continue;
    if (folded.startsWith('第', named.at)) continue; // 第三中学: a numbered landmark
    if (placesNamedLikeFirms().has(folded.slice(named.at, end))) continue;
    // The comparable core drops legal forms; the trade or venue stays (华泰化工 ≠ 华泰酒吧).
    const kindWords = words.filter((w) => !LEGAL_FORMS.has(w));
    const peeled = peelGenericWords(folded.slice(named.at, start), kindWords.length ? kindWords.join('') : null);
    let brand = peeled.brand;
    let kind = peeled.kind;
    let indefinite = named.indefinite;
    // 甘河工业园一家锌冶炼, 宁东基地某煤化工, 博罗园洲一电子: a park and a plant in it, or a determiner inside the
    // words before the trade: the name, if any, is what follows.
    const inner = lastInnerCut(brand);
    if (inner) {
      brand = brand.slice(inner.end);
      indefinite ||= inner.indefinite;
    }
    if (brand.length >= 3 && brand.endsWith('一')) {
      brand = '';
      indefinite = true;
    }
    // 一家塑料颗粒厂, 有个木材加工厂: an indefinite description says what kind of plant, not which one.
    if (indefinite && brand) {
      kind = brand + (kind ?? '');
      brand = '';
    }
    // 要求环保部门责令该厂, 检查该化工: a determiner right before the trade points back at a plant; what stands
    // before it is the sentence, not a name.
    if (brand && DETERMINERS.some((d) => folded.endsWith(d, start) && start - d.length >= named.at)) brand = '';
    kind = canonicalKind(kind);
    if (brand.length < 2 && (!kind || weak)) continue;
    found.push({ name: { core: brand.length >= 2 ? brand + (kind ?? '') : '', brand: brand.length >= 2 ? brand : '', kind }, weak });
  }
  return found;
}

const INNER_CUT_RE = /工业园区|工业园|产业园|园区|开发区|基地|一家|一个|一座|一处|某/g;
const INNER_INDEFINITE = new Set(['一家', '一个', '一座', '一处', '某']);

/** The last park word or determiner inside a would-be brand (not at its start), and where it ends. */
function lastInnerCut(brand: string): { end: number; indefinite: boolean } | null {
  let last: { end: number; indefinite: boolean } | null = null;
  for (const m of brand.matchAll(INNER_CUT_RE)) {
    if (m.index! > 0) last = { end: m.index! + m[0].length, indefinite: INNER_INDEFINITE.has(m[0]) };
  }
  return last;
}

/** Specific places (roads, villages, landmarks) and townships named in a folded text. */
export function findPlaces(folded: string): { places: string[]; townships: string[] } {
  const places: string[] = [];
  const townships: string[] = [];
  // 运输车辆带泥上路: a place word inside a problem phrase is not a place.
  const problemSpans: [number, number][] = [];
  PROBLEM_RE.lastIndex = 0;
  for (let p = PROBLEM_RE.exec(folded); p !== null; p = PROBLEM_RE.exec(folded)) problemSpans.push([p.index, p.index + p[0].length]);
  PLACE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PLACE_RE.exec(folded)) !== null) {
    const start = m.index;
    // 下游村民: the villagers, not a village.
    if (PLACE_NOT_AHEAD.has(folded[start + m[0].length])) continue;
    if (problemSpans.some(([s, e]) => start >= s && start < e)) continue;
    let b = start;
    // 拖顶傈僳族乡, 许家桥回族维吾尔族乡: an ethnic township's name carries the people's name as well.
    const longest = folded[start - 1] === '族' ? MAX_PLACE_NAME + 6 : MAX_PLACE_NAME;
    while (b > 0 && start - b < longest && isNameChar(folded[b - 1]) && !PLACE_STOPS.has(folded[b - 1])) b--;
    // 一个村子阳光花园, 附近王家庄村: the same determiners as before a polluter's name.
    const name = folded.slice(nameStart(folded, b, start).at, start);
    if (name.length < 2) continue;
    const token = name + m[0];
    const list = TOWNSHIP_SUFFIXES.has(m[0]) ? townships : places;
    if (!list.includes(token)) list.push(token);
  }
  return { places, townships };
}

/** A problem term at the very start of a would-be brand. */
const PROBLEM_AT_START_RE = new RegExp(`^(?:${PROBLEMS})`);

/** The longest problem term starting at each position (a lookahead, so that matches may overlap). */
const PROBLEM_AT_RE = new RegExp(`(?=(${PROBLEMS}))`, 'g');

/**
 * Problem terms of a folded text. Terms may overlap: 散发臭味 holds 发臭 (of a stream) and 臭味 (of the air),
 * and a scan that resumes after the first would never see the second. A term inside a longer one found
 * before it (废水 in 养殖废水) adds nothing: the longer one says what it is.
 */
export function findProblemTerms(folded: string): string[] {
  const terms = new Set<string>();
  let coveredTo = 0;
  for (const m of folded.matchAll(PROBLEM_AT_RE)) {
    const end = m.index + m[1].length;
    if (end <= coveredTo) continue;
    terms.add(m[1]);
    coveredTo = end;
  }
  return [...terms].sort();
}

/** Character 2- and 3-grams, without repeats. A text shorter than 2 characters is its own single shingle. */
export function shinglesOf(normalized: string): string[] {
  if (normalized.length < 2) return normalized ? [normalized] : [];
  const set = new Set<string>();
  for (let i = 0; i + 2 <= normalized.length; i++) {
    set.add(normalized.slice(i, i + 2));
    if (i + 3 <= normalized.length) set.add(normalized.slice(i, i + 3));
  }
  return [...set];
}

function pickEntity(candidates: EntityName[]): EntityName | null {
  return candidates.find((e) => e.brand) ?? null;
}

export function extractIncidentFeatures(source: IncidentSource): IncidentFeatures {
  const text = source.text ?? '';
  const title = source.title ?? '';
  const foldedText = foldText(text);
  const foldedTitle = foldText(title);
  const foldedSubject = foldText(source.subject ?? '');
  const foldedAddress = foldText(source.address ?? '');

  // 被举报对象 is the most deliberate naming, then the title, then the complainant's own words.
  const subjectMentions = findEntityMentions(foldedSubject);
  const textMentions = [...findEntityMentions(foldedTitle), ...findEntityMentions(foldedText)];
  const subjectEntities = subjectMentions.filter((m) => !m.weak).map((m) => m.name);
  const textEntities = textMentions.filter((m) => !m.weak).map((m) => m.name);
  let entityName = pickEntity(subjectEntities) ?? pickEntity(textEntities);
  // A bare subject (通达公司) yields a name without trade: borrow the trade from the text when the brand agrees.
  if (entityName && !entityName.kind) {
    const withKind = textEntities.find((e) => e.brand === entityName!.brand && e.kind);
    if (withKind) entityName = withKind;
  }
  const kind = entityName?.kind ?? [...subjectEntities, ...textEntities].find((e) => e.kind)?.kind ?? null;

  const fromAddress = findPlaces(foldedAddress);
  const fromText = findPlaces(`${foldedTitle}${BOUNDARY}${foldedText}`);
  const places = [...new Set([...fromAddress.places, ...fromText.places])];
  const townships = [...new Set([...(source.township ? [foldText(source.township)] : []), ...fromAddress.townships, ...fromText.townships])];

  // Every other name the report mentions, weak ones included: 佳禾污水处理（上述地点） names the plant that
  // another report calls 佳禾污水处理有限公司. Compared against a firm name on the other side, or the very
  // same passing mention (namesAgreement).
  const aliases: string[] = [];
  for (const m of [...subjectMentions, ...textMentions]) {
    const core = m.name.core;
    if (core && core !== entityName?.core && !aliases.includes(core) && aliases.length < MAX_ALIASES) aliases.push(core);
  }

  return {
    shingles: shinglesOf(normalizeForMatching(`${title}|${text}`)),
    entity: entityName?.core ?? null,
    aliases,
    entityName,
    kind,
    place: places[0] ?? townships[0] ?? null,
    places,
    townships,
    problemTerms: findProblemTerms(`${foldedTitle}${BOUNDARY}${foldedText}`),
    ...(unreadKindOf(title, text) ?? {}),
  };
}

const LATIN_KINDS = Object.entries(FEATURE_RULES.latinKinds).flatMap(([kind, words]) =>
  words.map((w) => ({ kind, re: new RegExp(`\\b${foldText(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) })),
);

/** A report in Latin script: its names go unread, and the kind of polluter its words name (the first one). */
function unreadKindOf(title: string, text: string): { unreadNames: true; unreadKind?: string } | null {
  if (!mostlyLatin(`${title}${text}`)) return null;
  const folded = foldText(`${title} ${text}`);
  let best: { kind: string; at: number } | null = null;
  for (const { kind, re } of LATIN_KINDS) {
    const m = re.exec(folded);
    if (m && (!best || m.index < best.at)) best = { kind, at: m.index };
  }
  return best ? { unreadNames: true, unreadKind: best.kind } : { unreadNames: true };
}

/** More Latin letters than twice the Chinese characters (and a sentence's worth of them). */
function mostlyLatin(text: string): boolean {
  let latin = 0;
  let han = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
    else if (c >= 0x4e00 && c <= 0x9fff) han++;
  }
  return latin >= 20 && latin > han * 2;
}
