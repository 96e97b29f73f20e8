import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WechatRejectedError } from './wechat.errors';

/** A parsed element: text (CDATA or plain), a nested element, or repeated elements. */
export type WechatXmlValue = string | WechatXmlElement | WechatXmlValue[];
export interface WechatXmlElement {
  [name: string]: WechatXmlValue;
}

export interface ParseWechatXmlOptions {
  /** Refuse bodies over this many bytes. A WeChat push is well under 10 KB; 64 KB leaves room for odd events. */
  maxBytes?: number;
  /** Refuse bodies with more numeric character references (`&#…;`) outside CDATA than this. */
  maxCharRefs?: number;
}

export const WECHAT_XML_DEFAULTS = { maxBytes: 64 * 1024, maxCharRefs: 256 } as const;

const CDATA = '#cdata';
const TEXT = '#text';

// Entity handling is off: no DOCTYPE-defined entity can ever expand, and text stays as written. The five
// predefined entities and numeric references in plain (non-CDATA) text are decoded below, by hand and bounded.
// parseTagValue is off because MsgId (17+ digits) must stay a string: as a number it loses precision.
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  cdataPropName: CDATA,
  maxNestedTags: 16,
});

/**
 * Parses the XML of a WeChat push (or the outer envelope of a safe-mode push) into the children of its
 * `<xml>` root. Refuses, before any parsing, what has no place in a push and could cost memory or time:
 * oversized bodies, DOCTYPE/ENTITY declarations (billion laughs, external entities) and floods of numeric
 * character references. Throws WechatRejectedError.
 */
export function parseWechatXml(body: Buffer | string, options: ParseWechatXmlOptions = {}): WechatXmlElement {
  const maxBytes = options.maxBytes ?? WECHAT_XML_DEFAULTS.maxBytes;
  const maxCharRefs = options.maxCharRefs ?? WECHAT_XML_DEFAULTS.maxCharRefs;
  let text: string;
  if (typeof body === 'string') {
    // Every UTF-16 unit is at least one UTF-8 byte: a string longer than the cap is over it without counting.
    if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) throw tooLarge(maxBytes);
    text = body;
  } else if (Buffer.isBuffer(body)) {
    if (body.length > maxBytes) throw tooLarge(maxBytes);
    text = body.toString('utf8');
  } else {
    throw new WechatRejectedError('not_xml', 'body is neither text nor bytes');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Nearly every push has the flat shape read here in one pass; anything else gets every check below.
  const flat = readFlatPush(text);
  if (flat) return flat;

  screenMarkup(text, maxCharRefs);

  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new WechatRejectedError('malformed_xml', `${valid.err.msg} (line ${valid.err.line})`);

  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // fast-xml-parser refuses names such as __proto__ by throwing.
    throw new WechatRejectedError('malformed_xml', error instanceof Error ? error.message : String(error));
  }
  const root = parsed.xml;
  if (root === undefined) throw new WechatRejectedError('not_xml', 'no <xml> root element');
  const element = normalize(root);
  return typeof element === 'string' || Array.isArray(element) ? {} : element;
}

/** Names the full path renames or refuses, in any case: Object.prototype's members and `prototype`. */
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype'].map((n) => n.toLowerCase()));

/** An element name the flat reading takes: letters, digits and `_` from a letter, not `xml…`, not a prototype name. */
function isFlatName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) && !/^xml/i.test(name) && !PROTOTYPE_NAMES.has(name.toLowerCase());
}

/**
 * Reads a push of the shape WeChat sends: `<xml>` holding distinct elements, each one CDATA section or plain
 * text with no markup, references, carriage returns or surrounding whitespace in it, whitespace only
 * between elements.
 * Returns null for anything else (a declaration, comment, attribute, nesting, repeated element, reference,
 * control character, self-closing tag…), which then takes the full path. What it accepts is well-formed
 * XML without declarations or references, and it reads it exactly as the full path does.
 */
export function readFlatPush(text: string): WechatXmlElement | null {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return null;
  }
  let at = skipSpace(text, 0);
  if (!text.startsWith('<xml>', at)) return null;
  at += 5;
  const element: WechatXmlElement = {};
  for (;;) {
    at = skipSpace(text, at);
    if (text.startsWith('</xml>', at)) return skipSpace(text, at + 6) === n ? element : null;
    if (text.charCodeAt(at) !== 0x3c) return null;
    const nameEnd = text.indexOf('>', at + 1);
    if (nameEnd === -1) return null;
    const name = text.slice(at + 1, nameEnd);
    if (!isFlatName(name) || Object.prototype.hasOwnProperty.call(element, name)) return null;
    at = nameEnd + 1;
    let value: string;
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      if (close === -1) return null;
      value = text.slice(at + 9, close);
      // The full path turns line ends into \n (as XML says it must): such a value is left to it.
      if (value.includes('\r')) return null;
      at = close + 3;
    } else {
      const lt = text.indexOf('<', at);
      if (lt === -1) return null;
      value = text.slice(at, lt);
      if (value.includes('&') || value.includes('>') || value.includes('\r') || value.trim() !== value) return null;
      at = lt;
    }
    if (!text.startsWith('</', at) || !text.startsWith(name, at + 2) || text.charCodeAt(at + 2 + name.length) !== 0x3e) return null;
    at += name.length + 3;
    element[name] = value;
  }
}

function skipSpace(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return at;
    at++;
  }
}

function tooLarge(maxBytes: number): WechatRejectedError {
  return new WechatRejectedError('too_large', `body exceeds ${maxBytes} bytes`);
}

/**
 * One linear pass over the markup outside CDATA and comments: any `<!` declaration other than those two is
 * refused (DOCTYPE, ENTITY, ELEMENT …), and `&#` references are counted against the cap. Text inside CDATA is
 * never expanded, so a complainant who types `<!DOCTYPE` or `&#` in a message is not refused for it.
 */
function screenMarkup(text: string, maxCharRefs: number): void {
  let refs = 0;
  let at = 0;
  while (at < text.length) {
    const decl = text.indexOf('<!', at);
    const end = decl === -1 ? text.length : decl;
    for (let ref = text.indexOf('&#', at); ref !== -1 && ref < end; ref = text.indexOf('&#', ref + 2)) {
      if (++refs > maxCharRefs) throw new WechatRejectedError('char_ref_flood', `more than ${maxCharRefs} numeric character references`);
    }
    if (decl === -1) return;
    if (text.startsWith('<![CDATA[', decl)) {
      const close = text.indexOf(']]>', decl + 9);
      if (close === -1) throw new WechatRejectedError('malformed_xml', 'unterminated CDATA section');
      at = close + 3;
    } else if (text.startsWith('<!--', decl)) {
      const close = text.indexOf('-->', decl + 4);
      if (close === -1) throw new WechatRejectedError('malformed_xml', 'unterminated comment');
      at = close + 3;
    } else {
      const keyword = text.slice(decl + 2, decl + 9).toUpperCase();
      if (keyword.startsWith('DOCTYPE')) throw new WechatRejectedError('doctype_forbidden', 'DOCTYPE declarations are refused');
      if (keyword.startsWith('ENTITY')) throw new WechatRejectedError('entity_forbidden', 'ENTITY declarations are refused');
      throw new WechatRejectedError('malformed_xml', `markup declaration <!${keyword}… is refused`);
    }
  }
}

function normalize(node: unknown): WechatXmlValue {
  if (typeof node === 'string') return decodeText(node);
  if (Array.isArray(node)) return node.map(normalize);
  if (node === null || typeof node !== 'object') return '';
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record);
  const isLeaf = keys.every((key) => key === CDATA || key === TEXT);
  if (isLeaf) {
    // WeChat never mixes plain text and CDATA in one element; if someone does, plain text comes first
    // (the parser does not keep their order).
    const plain = typeof record[TEXT] === 'string' ? decodeText(record[TEXT] as string) : '';
    const cdata = record[CDATA];
    return plain + (Array.isArray(cdata) ? cdata.join('') : typeof cdata === 'string' ? cdata : '');
  }
  const element: WechatXmlElement = {};
  for (const key of keys) {
    // Stray text between child elements carries nothing.
    if (key === TEXT || key === CDATA) continue;
    element[key] = normalize(record[key]);
  }
  return element;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric references; anything else is kept as written. */
export function decodeText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (name[0] !== '#') return PREDEFINED[name];
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
    return allowed ? String.fromCodePoint(code) : '\ufffd';
  });
}
