import { TextDecoder } from 'node:util';

/**
 * Turning the bytes of a header or a body into text when the declared charset cannot be trusted.
 *
 * Chinese mail is the hard case: GB2312 labels on GBK/GB18030 bytes, 8-bit bodies with no charset at all,
 * Big5 or UTF-8 bytes labelled us-ascii. Node's TextDecoder knows gb18030 and big5, but its `gbk`/`gb2312`
 * decoder stops at GBK and turns GB18030 four-byte sequences into U+FFFD, so every GB label is read as
 * GB18030 (a superset of both).
 */

export interface DecodedText {
  text: string;
  /** The charset the text was actually read with (a TextDecoder label). */
  charset: string;
  /** True when the bytes were read with another charset than the declared one (or none was declared). */
  repaired: boolean;
  /** True when some bytes could not be decoded in any charset and became U+FFFD. */
  lossy: boolean;
}

const GB_LABELS = new Set([
  'gb2312', 'gb_2312', 'gb_2312-80', 'gb231280', 'csgb2312', 'csiso58gb231280', 'iso-ir-58', 'chinese', 'gbk',
  'cp936', 'ms936', 'windows-936', 'euc-cn', 'euccn', 'gb18030', 'gb-18030', 'gb18030-2000', 'gb18030-2005',
]);
const BIG5_LABELS = new Set(['big5', 'big-5', 'big5-hkscs', 'cn-big5', 'csbig5', 'x-x-big5', 'cp950', 'ms950', 'windows-950']);
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode-2-0-utf-8']);
const ASCII_LABELS = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'us', '7bit', '8bit', 'default', 'unknown-8bit', 'unknown']);
// Labels that decode every byte to something, so a wrong label never shows as an error: the bytes have to be
// checked for being really UTF-8 or Chinese instead.
const SINGLE_BYTE_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-15', 'iso8859-15']);

/** The TextDecoder label for a declared charset, folding the Chinese aliases. Null when unknown or absent. */
export function canonicalCharset(label: string | null | undefined): string | null {
  if (!label) return null;
  let l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  // RFC 2231 allows a language after '*' in an encoded-word charset (utf-8*zh-cn).
  const star = l.indexOf('*');
  if (star >= 0) l = l.slice(0, star);
  const bare = l.replace(/^x-/, '');
  if (GB_LABELS.has(l) || GB_LABELS.has(bare)) return 'gb18030';
  if (BIG5_LABELS.has(l) || BIG5_LABELS.has(bare)) return 'big5';
  if (UTF8_LABELS.has(l) || UTF8_LABELS.has(bare)) return 'utf-8';
  if (ASCII_LABELS.has(l)) return 'us-ascii';
  if (SINGLE_BYTE_LABELS.has(l)) return 'windows-1252';
  if (decoderFor(l, false)) return l;
  if (decoderFor(bare, false)) return bare;
  return null;
}

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string, fatal: boolean): TextDecoder | null {
  const key = `${fatal ? 'F' : 'L'}:${label}`;
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(label, { fatal });
      // The WHATWG "replacement" encoding (iso-2022-kr, hz-gb-2312 …) turns everything into U+FFFD.
      if (d.encoding === 'replacement') d = null;
    } catch {
      d = null;
    }
    // Only labels that passed canonicalCharset or are fixed here reach this map, so it stays small.
    if (decoders.size < 256) decoders.set(key, d);
  }
  return d;
}

function tryStrict(bytes: Uint8Array, label: string): string | null {
  const d = decoderFor(label, true);
  if (!d) return null;
  try {
    return d.decode(bytes);
  } catch {
    return null;
  }
}

function lossy(bytes: Uint8Array, label: string): string {
  return (decoderFor(label, false) ?? decoderFor('utf-8', false)!).decode(bytes);
}

export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

/**
 * How plausible the bytes are as GB text and as Big5 text (0..1 each): the share of double-byte characters
 * that fall in each standard's frequently used block (GB2312 symbols and hanzi A1A1–F7FE; Big5 symbols and
 * 常用字 A140–C67E). Both decoders accept most byte pairs, so validity alone does not tell them apart, but real
 * text stays in its standard's common block while the other reading scatters into rare characters.
 */
export function cjkPlausibility(bytes: Uint8Array): { gb: number; big5: number; pairs: number } {
  let gbGood = 0;
  let gbPairs = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    const t = bytes[i + 1] ?? 0;
    if (t >= 0x30 && t <= 0x39) { i += 4; continue; } // GB18030 four-byte form: neutral
    gbPairs++;
    if (t >= 0xa1 && t <= 0xfe && ((b >= 0xa1 && b <= 0xa9) || (b >= 0xb0 && b <= 0xf7))) gbGood++;
    i += 2;
  }
  let b5Good = 0;
  let b5Pairs = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    const t = bytes[i + 1] ?? 0;
    b5Pairs++;
    const trailOk = (t >= 0x40 && t <= 0x7e) || (t >= 0xa1 && t <= 0xfe);
    if (trailOk && ((b >= 0xa1 && b <= 0xa3) || (b >= 0xa4 && b <= 0xc5) || (b === 0xc6 && t <= 0x7e))) b5Good++;
    i += 2;
  }
  return { gb: gbPairs ? gbGood / gbPairs : 0, big5: b5Pairs ? b5Good / b5Pairs : 0, pairs: Math.max(gbPairs, b5Pairs) };
}

/**
 * Reads bytes whose charset is unknown: UTF-8 if they are strictly valid UTF-8, else GB18030 or Big5,
 * whichever decodes without error and looks more like real text. Null when none decodes cleanly.
 */
export function detectCharset(bytes: Uint8Array): { text: string; charset: string; score: number } | null {
  if (isAscii(bytes)) return { text: lossy(bytes, 'utf-8'), charset: 'us-ascii', score: 1 };
  const utf8 = tryStrict(bytes, 'utf-8');
  if (utf8 !== null) return { text: utf8, charset: 'utf-8', score: 1 };
  const gb = tryStrict(bytes, 'gb18030');
  const big5 = tryStrict(bytes, 'big5');
  if (gb === null && big5 === null) return null;
  const p = cjkPlausibility(bytes);
  // Ties go to GB18030: most mail here comes from the mainland.
  if (gb !== null && (big5 === null || p.gb >= p.big5)) return { text: gb, charset: 'gb18030', score: p.gb };
  return { text: big5!, charset: 'big5', score: p.big5 };
}

/** Share of plausibility a CJK reading needs before it overrides a declared single-byte charset. */
const OVERRIDE_SINGLE_BYTE = 0.9;

/**
 * Decodes text bytes under a declared charset, correcting what the label gets wrong. Never throws and only
 * produces U+FFFD for bytes that no candidate charset can decode.
 */
export function decodeText(bytes: Uint8Array, declared: string | null | undefined): DecodedText {
  const label = canonicalCharset(declared);
  if (bytes.length === 0) return { text: '', charset: label ?? 'utf-8', repaired: false, lossy: false };

  if (label && label !== 'us-ascii' && label !== 'windows-1252') {
    const strict = tryStrict(bytes, label);
    if (strict !== null) {
      // A GB label on bytes that are really UTF-8 (webmail that changed its mind): strict GB decoding of UTF-8
      // mostly fails, but when it succeeds the UTF-8 reading is still the sane one if it is strictly valid and
      // the GB reading is implausible.
      if (label === 'gb18030' && !isAscii(bytes)) {
        const utf8 = tryStrict(bytes, 'utf-8');
        if (utf8 !== null && cjkPlausibility(bytes).gb < 0.5) return { text: utf8, charset: 'utf-8', repaired: true, lossy: false };
      }
      return { text: strict, charset: label, repaired: false, lossy: false };
    }
    const detected = detectCharset(bytes);
    if (detected) return { text: detected.text, charset: detected.charset, repaired: true, lossy: false };
    return { text: lossy(bytes, label), charset: label, repaired: false, lossy: true };
  }

  if (isAscii(bytes)) return { text: lossy(bytes, 'utf-8'), charset: label ?? 'us-ascii', repaired: false, lossy: false };

  const detected = detectCharset(bytes);
  if (label === 'windows-1252') {
    // Latin-1 accepts every byte; only switch when the bytes are strictly UTF-8 or convincingly Chinese.
    if (detected && (detected.charset === 'utf-8' || detected.score >= OVERRIDE_SINGLE_BYTE)) {
      return { text: detected.text, charset: detected.charset, repaired: true, lossy: false };
    }
    return { text: lossy(bytes, 'windows-1252'), charset: 'windows-1252', repaired: false, lossy: false };
  }
  // No charset, us-ascii, or an unknown label on 8-bit bytes: the label is certainly wrong.
  if (detected) return { text: detected.text, charset: detected.charset, repaired: true, lossy: false };
  // Nothing multi-byte decodes cleanly. High bytes standing alone (not in runs) are single-byte text, which
  // windows-1252 reads without loss; runs of high bytes are broken multi-byte text, where the reading with the
  // fewest replacement characters keeps the most.
  if (isolatedHighShare(bytes) >= 0.5) return { text: lossy(bytes, 'windows-1252'), charset: 'windows-1252', repaired: true, lossy: false };
  const candidates = ['utf-8', 'gb18030', 'big5'].map((c) => ({ c, t: lossy(bytes, c) }));
  candidates.sort((a, b) => countReplacement(a.t) - countReplacement(b.t));
  return { text: candidates[0].t, charset: candidates[0].c, repaired: true, lossy: true };
}

export function countReplacement(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/** Share of bytes >= 0x80 whose neighbours are both ASCII: high in Latin-1 text, low in CJK or UTF-8 text. */
function isolatedHighShare(bytes: Uint8Array): number {
  let high = 0;
  let isolated = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 0x80) continue;
    high++;
    if ((i === 0 || bytes[i - 1] < 0x80) && (i + 1 >= bytes.length || bytes[i + 1] < 0x80)) isolated++;
  }
  return high ? isolated / high : 0;
}
