/**
 * Text normalization for matching: two reports of one incident should read the same after this, whatever
 * the script (traditional/simplified), width (full/half), case, punctuation, emoji or petition formulas.
 * Only used to compare texts; the stored submission keeps the complainant's own words.
 */
import { BOILERPLATE_RULES, T2S_TABLE } from './dedup.rules';

/** Traditional → simplified by character, built once from the generated table (see dedup-build-t2s). */
const T2S = buildCharMap(T2S_TABLE.from, T2S_TABLE.to);

function buildCharMap(from: string, to: string): Uint16Array {
  if (from.length !== to.length) throw new Error('dedup.t2s-chars.json: from and to differ in length');
  const map = new Uint16Array(0x10000);
  for (let i = 0; i < from.length; i++) map[from.charCodeAt(i)] = to.charCodeAt(i);
  return map;
}

function isCjk(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

/**
 * Full-width → half-width, traditional → simplified, lower case, in one pass. Keeps punctuation (as a
 * single space-free marker '|') so that extractors can still see where a phrase ends.
 */
export function foldText(text: string): string {
  let out = '';
  // The last code written, kept aside: reading it back from `out` flattens the string built by `+=` each
  // time, which made long texts quadratic.
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0; // full-width ASCII block
    else if (c === 0x3000) c = 0x20; // ideographic space
    if (c >= 0x41 && c <= 0x5a) {
      last = c + 32;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      last = c;
    } else if (isCjk(c)) {
      const s = T2S[c];
      last = s === 0 ? c : s;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      i++; // astral plane: emoji and rare symbols carry no identity; the surrogate pair goes
      last = 0x7c;
    } else if (last !== -1 && last !== 0x7c) {
      last = 0x7c;
    } else {
      continue;
    }
    out += String.fromCharCode(last);
  }
  return out;
}

const BOILERPLATE = compileBoilerplate();

function compileBoilerplate(): RegExp {
  const phrases = [...new Set(BOILERPLATE_RULES.phrases.map((p) => foldText(p).replace(/\|/g, '')))]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const patterns = BOILERPLATE_RULES.patterns.map((p) => `(?:${p.regex})`);
  return new RegExp([...patterns, ...phrases].join('|'), 'g');
}

/** Removes petition formulas that every complaint shares (rules/dedup.boilerplate.rules.json). */
export function stripBoilerplate(folded: string): string {
  return folded.replace(BOILERPLATE, '|');
}

/**
 * The matching form of a text: simplified Chinese, half-width, lower case, no punctuation, spaces or emoji,
 * petition boilerplate removed. Deterministic and idempotent.
 */
export function normalizeForMatching(text: string): string {
  // Boilerplate goes before punctuation, so a phrase never matches across a sentence break.
  return stripBoilerplate(foldText(text)).replace(/\|/g, '');
}
