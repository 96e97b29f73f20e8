import type { TypedCell } from '../tabular/tabular.types';
import { toHalfWidth } from '../tabular/width.util';

export interface NormalizedPhone {
  /** Digits only: mobiles as 11 digits, landlines with their leading 0 and area code. Null when empty. */
  phone: string | null;
  /** Further numbers written in the same cell. */
  others: string[];
  flags: string[];
}

const MOBILE = /^1[3-9]\d{9}$/;
/** 0 + area code (2-3 digits) + 7-8 digit number. */
const LANDLINE = /^0\d{2,3}\d{7,8}$/;
const SEPARATORS = /[;；,，、/]|\s{2,}/;

/**
 * Normalizes a phone cell: full-width digits, spaces, dashes and brackets; +86 / 0086 / 86 prefixes (an
 * international landline "+86 10 …" gets its trunk 0 back, as dialled in China). A phone that an XLSX stored
 * as a number may have lost its leading 0: it is flagged and kept as given, never guessed.
 */
export function normalizePhone(text: string, typed?: TypedCell): NormalizedPhone {
  const flags: string[] = [];
  const value = toHalfWidth(text).trim();
  if (!value) return { phone: null, others: [], flags };
  const parts = value.split(SEPARATORS).map((p) => p.trim()).filter(Boolean);
  const [first, ...rest] = parts.map((p) => normalizeOne(p));
  if (rest.length) flags.push('multiple_phones');
  if (typed?.kind === 'number' && !MOBILE.test(first.digits) && /^[1-9]\d{8,10}$/.test(first.digits)) {
    flags.push('phone_leading_zero_lost');
  } else if (!first.recognised) {
    flags.push('phone_unrecognised');
  }
  return { phone: first.digits, others: rest.map((r) => r.digits), flags };
}

function normalizeOne(raw: string): { digits: string; recognised: boolean } {
  let s = raw.replace(/[\s\-()（）.]/g, '');
  let international = false;
  if (s.startsWith('+86')) {
    s = s.slice(3);
    international = true;
  } else if (s.startsWith('0086')) {
    s = s.slice(4);
    international = true;
  } else if (/^86(1[3-9]\d{9})$/.test(s)) {
    s = s.slice(2);
  }
  if (MOBILE.test(s)) return { digits: s, recognised: true };
  if (international && /^[1-9]\d{8,10}$/.test(s) && LANDLINE.test(`0${s}`)) return { digits: `0${s}`, recognised: true };
  if (LANDLINE.test(s)) return { digits: s, recognised: true };
  // A local number without area code, or something else: kept as typed (without separators), flagged by the caller.
  return { digits: /^\+?\d+$/.test(s) ? s : raw.trim(), recognised: false };
}
