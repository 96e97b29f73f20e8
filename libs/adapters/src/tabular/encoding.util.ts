import * as iconv from 'iconv-lite';
import type { TabularEncoding } from './tabular.types';

export interface DetectedEncoding {
  encoding: TabularEncoding;
  /** Bytes of byte-order mark at the start of the file (not part of any record). */
  bomBytes: number;
}

/**
 * Decides the encoding of a CSV export from its first bytes. Order: BOM; the NUL pattern of BOM-less
 * UTF-16; strict UTF-8 validity; otherwise GB18030 (a superset of GBK/GB2312, what Chinese Excel and
 * most government systems write). `complete` says the sample is the whole file, so a multi-byte
 * sequence cut at its end is an error rather than the sample boundary.
 */
export function detectEncoding(head: Uint8Array, complete: boolean): DetectedEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomBytes: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomBytes: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomBytes: 2 };
  const utf16 = sniffUtf16(head);
  if (utf16) return { encoding: utf16, bomBytes: 0 };
  return { encoding: isValidUtf8(head, complete) ? 'utf8' : 'gb18030', bomBytes: 0 };
}

/** BOM-less UTF-16 text of mostly ASCII/CJK has NUL in one byte of most code units. */
function sniffUtf16(head: Uint8Array): TabularEncoding | null {
  const n = Math.min(head.length - (head.length % 2), 4096);
  if (n < 8) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const units = n / 2;
  if (oddNul > units * 0.3 && evenNul < units * 0.05) return 'utf16le';
  if (evenNul > units * 0.3 && oddNul < units * 0.05) return 'utf16be';
  return null;
}

export function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return false;
    }
    // A sequence cut by the end of the sample is fine unless the sample is the whole file.
    if (i + need >= n) return !complete;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** A streaming decoder: multi-byte characters split across chunks are held until complete. */
export interface StreamDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

export function streamDecoder(encoding: TabularEncoding): StreamDecoder {
  // BOM bytes are skipped by the reader itself (they count in byte offsets), so the decoder keeps them.
  const decoder = iconv.getDecoder(encoding === 'utf16le' ? 'utf-16le' : encoding === 'utf16be' ? 'utf-16be' : encoding, {
    stripBOM: false,
  });
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
}

/** The bytes that U+FFFD itself encodes to: its presence in the raw bytes means a decoded U+FFFD is genuine. */
export function replacementCharBytes(encoding: TabularEncoding): Buffer {
  return encoding === 'gb18030' ? iconv.encode('\ufffd', 'gb18030') : iconv.encode('\ufffd', encoding === 'utf8' ? 'utf8' : encoding === 'utf16le' ? 'utf-16le' : 'utf-16be');
}

let gbWidths: Uint8Array | null = null;

/** Per BMP code unit: its byte length in GB18030 (1, 2 or 4). Built once by decoding every two-byte code. */
function gb18030Widths(): Uint8Array {
  if (gbWidths) return gbWidths;
  const widths = new Uint8Array(65536).fill(4);
  for (let c = 0; c < 0x80; c++) widths[c] = 1;
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) pairs.push(lead, trail);
  }
  const decoded = iconv.decode(Buffer.from(pairs), 'gb18030');
  if (decoded.length === pairs.length / 2) {
    for (let i = 0; i < decoded.length; i++) widths[decoded.charCodeAt(i)] = 2;
  } else {
    for (let c = 0x80; c < 0x10000; c++) widths[c] = iconv.encode(String.fromCharCode(c), 'gb18030').length;
  }
  gbWidths = widths;
  return widths;
}

/**
 * Byte length of decoded text in the file's encoding. Exact for text decoded without loss; the reader stops
 * trusting offsets once a lossy decode (U+FFFD not present in the raw bytes) was seen.
 */
export function encodedLength(text: string, encoding: TabularEncoding): number {
  if (encoding === 'utf8') return Buffer.byteLength(text, 'utf8');
  if (encoding === 'utf16le' || encoding === 'utf16be') return text.length * 2;
  const widths = gb18030Widths();
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair (astral character) is one four-byte GB18030 sequence.
      n += 4;
      i++;
    } else n += widths[c];
  }
  return n;
}
