/**
 * Masking of complainant identity (DESIGN.md invariant 6). Used by the logger on every line and by
 * consumer-facing responses. Patterns cover what reaches free text: mainland mobiles and landlines,
 * e-mail addresses, resident ID numbers.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const ID_NUMBER = /(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])/g;
// Mobiles with optional +86/0086/86 and spaces or dashes; landlines with a 0 area code.
const PHONE = /(?<![0-9])(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?![0-9])/g;
const FULLWIDTH_DIGITS = /[０-９]/g;

export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 0) return '***';
  return `${email[0]}***@${email.slice(at + 1)}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 4 ? `***${digits.slice(-2)}` : '***';
}

export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}*`;
}

/** Masks phones, e-mail addresses and ID numbers anywhere in a text. */
export function scrubText(text: string): string {
  const halfWidth = text.replace(FULLWIDTH_DIGITS, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return halfWidth.replace(EMAIL, maskEmail).replace(ID_NUMBER, '******************').replace(PHONE, maskPhone);
}

/** Field names whose values are complainant identity wherever they appear in a logged object. */
export const IDENTITY_FIELDS = new Set(['name', 'phone', 'email', 'idNumber', 'contact_name', 'contact_phone', 'complainant', 'handle', 'password', 'token', 'secret', 'credentials', 'authorization']);

/** Deep-copies a value for logging with identity fields masked and free text scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubValue(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = IDENTITY_FIELDS.has(k) && v != null ? '[masked]' : scrubValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
