/**
 * A stable, opaque key for "the same person again" (重复举报): the same phone, e-mail or platform handle.
 * Keyed with a secret pepper (HMAC-SHA-256): a bare hash of an 11-digit phone number could be reversed by
 * trying every number, so the key is only comparable, never readable. The clear values are never returned.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Complainant } from '@huiliu/contracts';
import { foldText } from './normalize.util';

type ComplainantIds = Pick<Complainant, 'phone' | 'email' | 'handle'>;

/** Digits only; +86/0086/86 dropped from mobiles; a landline that lost its leading 0 (stored as a number) gets it back. */
export function normalizePhone(phone: string): string | null {
  let d = foldText(phone).replace(/\D/g, '');
  if (/^(0086|86)1[3-9]\d{9}$/.test(d)) d = d.replace(/^(0086|86)/, '');
  if (/^1[3-9]\d{9}$/.test(d)) return d;
  if (/^0\d{9,11}$/.test(d)) return d;
  if (/^[1-9]\d{8,10}$/.test(d)) return `0${d}`;
  return d.length >= 5 ? d : null;
}

export function normalizeEmail(email: string): string | null {
  const e = email.normalize('NFKC').trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(e) ? e : null;
}

/**
 * The first identifier present, by how personal it is: phone, then e-mail, then platform handle.
 * Returns `<kind>:<hex>` or null when the complainant gave none. `pepper` is the deployment's secret.
 */
export function complainantKeyOf(complainant: Partial<ComplainantIds> | null | undefined, pepper: string): string | null {
  if (!pepper) throw new Error('complainantKeyOf: a secret pepper is required');
  if (!complainant) return null;
  const phone = complainant.phone ? normalizePhone(complainant.phone) : null;
  if (phone) return `tel:${hmac(pepper, `tel:${phone}`)}`;
  const email = complainant.email ? normalizeEmail(complainant.email) : null;
  if (email) return `mail:${hmac(pepper, `mail:${email}`)}`;
  const handle = complainant.handle?.trim();
  if (handle) return `id:${hmac(pepper, `id:${handle}`)}`;
  return null;
}

/** The pepper as a key object, made once: preparing a raw secret key costs as much as the HMAC itself. */
let pepperKey: { pepper: string; key: KeyObject } | null = null;

function hmac(pepper: string, value: string): string {
  if (pepperKey?.pepper !== pepper) pepperKey = { pepper, key: createSecretKey(Buffer.from(pepper, 'utf8')) };
  return createHmac('sha256', pepperKey.key).update(value, 'utf8').digest('hex').slice(0, 32);
}

/** Same person: both keys present and equal. Anonymous or unidentified submissions never match. */
export function sameComplainant(a: { complainantKey: string | null }, b: { complainantKey: string | null }): boolean {
  return a.complainantKey !== null && a.complainantKey === b.complainantKey;
}
