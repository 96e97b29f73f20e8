import { createHash } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so a receipt read aloud or typed from a screenshot survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECEIPT_LENGTH = 8;

/**
 * A short receipt number for a submission, the same every time for the same input (its source key, e.g.
 * `telegram:123:45`, or a submission id): 8 base32 characters = 40 bits of SHA-256. Collisions become
 * likely only around a million submissions, so a lookup by receipt should still expect more than one hit.
 */
export function receiptOf(key: string): string {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < RECEIPT_LENGTH) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === RECEIPT_LENGTH) break;
  }
  return out;
}

/** A receipt as printed to the complainant: `ABCD-EFGH`, easier to read back than eight letters in a row. */
export function formatReceipt(receipt: string): string {
  return `${receipt.slice(0, 4)}-${receipt.slice(4)}`;
}

/**
 * Reads a receipt the complainant typed: any case, spaces or dashes, full-width characters, and the letters
 * people confuse with digits (O→0, I/L→1). Null when it cannot be a receipt.
 */
export function normalizeReceipt(input: string | null | undefined): string | null {
  if (!input) return null;
  const cleaned = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.·—]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length !== RECEIPT_LENGTH) return null;
  for (const ch of cleaned) if (!ALPHABET.includes(ch)) return null;
  return cleaned;
}
