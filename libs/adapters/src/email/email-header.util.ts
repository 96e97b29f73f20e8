import { canonicalCharset, decodeText, isAscii } from './email-charset.util';

/** One header field, unfolded, with its value still as bytes (raw 8-bit headers are common in Chinese mail). */
export interface RawHeader {
  key: string;
  value: Buffer;
}

export interface DecodedHeaderText {
  text: string;
  repaired: boolean;
  lossy: boolean;
}

/**
 * Groups raw header lines (without line ends) into fields: a line that starts with SP or HTAB continues the
 * field above it. Unfolding removes only the line break, as RFC 5322 says.
 */
export function foldHeaderLines(lines: readonly Uint8Array[]): RawHeader[] {
  const out: RawHeader[] = [];
  let current: Uint8Array[] | null = null;
  const flush = () => {
    if (!current) return;
    const line = Buffer.concat(current);
    const colon = line.indexOf(0x3a);
    if (colon > 0) {
      const key = line.subarray(0, colon).toString('latin1').trim().toLowerCase();
      out.push({ key, value: trimWsp(line.subarray(colon + 1)) });
    }
    current = null;
  };
  for (const line of lines) {
    if (current && line.length > 0 && (line[0] === 0x20 || line[0] === 0x09)) current.push(line);
    else {
      flush();
      current = [line];
    }
  }
  flush();
  return out;
}

function trimWsp(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && (b[s] === 0x20 || b[s] === 0x09 || b[s] === 0x0d || b[s] === 0x0a)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d || b[e - 1] === 0x0a)) e--;
  return b.subarray(s, e);
}

export function headerValue(headers: readonly RawHeader[], key: string): Buffer | null {
  for (const h of headers) if (h.key === key) return h.value;
  return null;
}

// An encoded word: =?charset?B|Q?text?=. No whitespace inside, so a stray "=?" in running text cannot swallow
// the rest of the line.
const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20);
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/**
 * Decodes a header value from its raw bytes: RFC 2047 encoded words and raw 8-bit text alike.
 *
 * Adjacent encoded words of one charset are joined as bytes before decoding, because senders split a
 * multi-byte character across words (and pad each base64 word, so joining the base64 text is not enough).
 * Raw 8-bit runs are read as strict UTF-8, else as the hinted charset, else as GB18030 or Big5 by plausibility.
 */
export function decodeHeaderBytes(raw: Uint8Array, hintCharset?: string | null): DecodedHeaderText {
  const s = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  let text = '';
  let repaired = false;
  let lossyAny = false;
  let pendingCharset: string | null = null;
  let pendingRawCharset = '';
  let pending: Buffer[] = [];
  const flushWords = () => {
    if (!pending.length) return;
    const d = decodeText(Buffer.concat(pending), pendingCharset ?? pendingRawCharset);
    text += d.text;
    repaired ||= d.repaired && pendingCharset !== null;
    lossyAny ||= d.lossy;
    pending = [];
  };
  const literal = (seg: string) => {
    const bytes = Buffer.from(seg, 'latin1');
    if (isAscii(bytes)) {
      text += seg;
      return;
    }
    const d = decodeLiteral(bytes, hintCharset);
    text += d.text;
    repaired ||= d.repaired;
    lossyAny ||= d.lossy;
  };

  let pos = 0;
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(s); m; m = ENCODED_WORD.exec(s)) {
    const between = s.slice(pos, m.index);
    const charset = canonicalCharset(m[1]);
    // Whitespace between two encoded words is folding, not content (RFC 2047 §6.2).
    const adjacent = pending.length > 0 && /^[ \t\r\n]*$/.test(between);
    if (!adjacent || charset !== pendingCharset || (charset === null && m[1] !== pendingRawCharset)) {
      flushWords();
      if (!adjacent) literal(between);
    }
    pendingCharset = charset;
    pendingRawCharset = m[1];
    pending.push(wordBytes(m[2], m[3]));
    pos = m.index + m[0].length;
  }
  flushWords();
  literal(s.slice(pos));
  return { text: text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''), repaired, lossy: lossyAny };
}

function decodeLiteral(bytes: Buffer, hint: string | null | undefined): { text: string; repaired: boolean; lossy: boolean } {
  const hinted = canonicalCharset(hint);
  // A hint from the body's charset is only worth trying when it is a real multi-byte charset.
  if (hinted && hinted !== 'us-ascii' && hinted !== 'windows-1252') {
    const d = decodeText(bytes, hinted);
    return { text: d.text, repaired: true, lossy: d.lossy };
  }
  const d = decodeText(bytes, null);
  return { text: d.text, repaired: true, lossy: d.lossy };
}

export interface ParsedAddress {
  name: string | null;
  address: string | null;
}

/**
 * The first mailbox of an address header (From): `Name <a@b>`, `"Name" <a@b>`, `a@b (Name)` or `a@b`.
 * The display name is decoded from bytes like any header text.
 */
export function parseAddressHeader(raw: Uint8Array, hintCharset?: string | null): ParsedAddress & DecodedHeaderText {
  const s = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  let address: string | null = null;
  let nameRaw = '';
  const angle = /<([^<>]*)>/.exec(s);
  if (angle) {
    address = angle[1].trim() || null;
    nameRaw = s.slice(0, angle.index);
  } else {
    const bare = /[^\s<>(),;:"]+@[^\s<>(),;:"]+/.exec(s);
    if (bare) {
      address = bare[0];
      const comment = /\(([^()]*)\)/.exec(s);
      nameRaw = comment ? comment[1] : '';
    } else nameRaw = s;
  }
  nameRaw = nameRaw.trim().replace(/,\s*$/, '');
  if (nameRaw.startsWith('"') && nameRaw.endsWith('"') && nameRaw.length >= 2) nameRaw = nameRaw.slice(1, -1).replace(/\\(.)/g, '$1');
  const decoded = decodeHeaderBytes(Buffer.from(nameRaw, 'latin1'), hintCharset);
  let name = decoded.text.trim().replace(/^"(.*)"$/, '$1').trim();
  if (!name || (address && name.toLowerCase() === address.toLowerCase())) name = '';
  if (address) address = address.replace(/^mailto:/i, '').trim().toLowerCase();
  return { name: name || null, address: address && address.includes('@') ? address : address || null, text: decoded.text, repaired: decoded.repaired, lossy: decoded.lossy };
}

/**
 * Parameters of a structured header (Content-Type, Content-Disposition) from raw bytes, with RFC 2231
 * continuations and charset'lang'%XX values decoded, and RFC 2047 words or raw 8-bit bytes in plain values
 * decoded as header text. Keys are lowercased. The main value (`text/plain`) is under the empty key.
 */
export function parseStructuredHeader(raw: Uint8Array | null, hintCharset?: string | null): { value: string; params: Record<string, string> } {
  if (!raw) return { value: '', params: {} };
  const s = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const parts: { key: string; value: string }[] = [];
  let i = 0;
  const semi = s.indexOf(';');
  const value = (semi < 0 ? s : s.slice(0, semi)).replace(/\([^()]*\)/g, '').trim().toLowerCase();
  i = semi < 0 ? s.length : semi + 1;
  while (i < s.length) {
    while (i < s.length && /[\s;]/.test(s[i])) i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const key = s.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    let v = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i++];
      }
      i++;
      while (i < s.length && s[i] !== ';') i++;
    } else {
      const end = s.indexOf(';', i);
      v = (end < 0 ? s.slice(i) : s.slice(i, end)).trim();
      i = end < 0 ? s.length : end;
    }
    if (key && /^[a-z0-9_.*-]+$/.test(key)) parts.push({ key, value: v });
  }

  const params: Record<string, string> = {};
  const continued = new Map<string, { nr: number; value: string; encoded: boolean }[]>();
  for (const { key, value: v } of parts) {
    const m = /^(.*?)(?:\*(\d+))?(\*)?$/.exec(key)!;
    const name = m[1];
    if (m[2] === undefined && m[3] === undefined) {
      if (!(name in params)) params[name] = decodeHeaderBytes(Buffer.from(v, 'latin1'), hintCharset).text;
      continue;
    }
    const list = continued.get(name) ?? [];
    list.push({ nr: m[2] === undefined ? 0 : Number(m[2]), value: v, encoded: m[3] === '*' });
    continued.set(name, list);
  }
  for (const [name, sections] of continued) {
    sections.sort((a, b) => a.nr - b.nr);
    let charset: string | null = null;
    const bytes: Buffer[] = [];
    for (const sec of sections) {
      let v = sec.value;
      if (sec.encoded && sec.nr === 0) {
        const m = /^([^']*)'[^']*'(.*)$/.exec(v);
        if (m) {
          charset = m[1] || null;
          v = m[2];
        }
      }
      bytes.push(sec.encoded ? percentDecode(v) : Buffer.from(v, 'latin1'));
    }
    const joined = Buffer.concat(bytes);
    // RFC 2231 wins over a plain parameter of the same name: it is the one that can carry the real name.
    params[name] = charset ? decodeText(joined, charset).text : decodeHeaderBytes(joined, hintCharset).text;
  }
  return { value, params };
}

function percentDecode(v: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) {
      out.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(v.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** The Message-ID without angle brackets and surrounding whitespace; null when absent or empty. */
export function messageIdOf(raw: Uint8Array | null): string | null {
  if (!raw) return null;
  const s = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1').trim();
  const m = /<([^<>]*)>/.exec(s);
  const id = (m ? m[1] : s).replace(/\s+/g, '').trim();
  return id || null;
}
