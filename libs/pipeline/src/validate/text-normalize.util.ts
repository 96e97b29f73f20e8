/**
 * Text normalisation shared by the judging stages: the same function is applied to the rule terms and to
 * the submission text, so a term written once in simplified, half-width, lower-case form matches every
 * spelling a complainant or an agent may use.
 *
 * Traditional → simplified goes through a character map built once from OpenCC's dictionaries instead of
 * OpenCC's phrase converter: matching needs characters to line up, not idiomatic phrases, and the map is
 * an order of magnitude cheaper per call (the eval script prints both costs).
 */
import * as OpenCC from 'opencc-js';

type DictGroups = readonly (readonly (string | object)[])[];

/** Single-character entries of OpenCC dictionaries ("key value|key value|…"). */
function singleCharEntries(groups: DictGroups): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of groups) {
    for (const dict of group) {
      if (typeof dict !== 'string') continue;
      for (const entry of dict.split('|')) {
        const [from, to] = entry.split(' ');
        if (from && to && [...from].length === 1 && [...to].length === 1) map.set(from, to);
      }
    }
  }
  return map;
}

function buildTraditionalMap(): Map<string, string> {
  const locale = (OpenCC as unknown as { Locale: { from: Record<string, DictGroups>; to: Record<string, DictGroups> } }).Locale;
  const toSimplified = singleCharEntries(locale.to.cn);
  const variants = new Map([...singleCharEntries(locale.from.tw), ...singleCharEntries(locale.from.hk)]);
  const map = new Map<string, string>(toSimplified);
  // A Hong Kong / Taiwan variant only counts when it leads to a simplified character: variants that stay
  // traditional (么 → 幺) would otherwise corrupt ordinary simplified text.
  for (const [from, standard] of variants) {
    const simplified = toSimplified.get(standard);
    if (simplified && !map.has(from)) map.set(from, simplified);
  }
  return map;
}

const TRADITIONAL = buildTraditionalMap();

/** One code unit → its normalised form; filled lazily for the code points actually seen. */
const charCache = new Map<number, string>();

function normalizeChar(code: number, ch: string): string {
  let out = charCache.get(code);
  if (out !== undefined) return out;
  if (code >= 0xff01 && code <= 0xff5e) out = String.fromCharCode(code - 0xfee0);
  else if (code === 0x3000) out = ' ';
  else out = TRADITIONAL.get(ch) ?? ch;
  if (out.length === 1 && out >= 'A' && out <= 'Z') out = out.toLowerCase();
  charCache.set(code, out);
  return out;
}

/**
 * Full-width → half-width, traditional → simplified, English lower-cased. Keeps one output character per
 * input code point of the BMP, so positions stay comparable for the short windows the rules use.
 */
export function normalizeForRules(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // ASCII fast path: only upper-case letters change.
    if (code < 0x80) {
      out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : text[i];
      continue;
    }
    out += normalizeChar(code, text[i]);
  }
  return out;
}

/** For the eval's cost comparison: OpenCC's own phrase-level converter. */
export function createOpenccConverter(from: 'hk' | 'tw'): (text: string) => string {
  return (OpenCC as unknown as { Converter(o: { from: string; to: string }): (t: string) => string }).Converter({ from, to: 'cn' });
}
