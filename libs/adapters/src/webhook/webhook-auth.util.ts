import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSettings } from './webhook-settings.schema';

export type WebhookAuthFailure =
  | 'missing_header'
  | 'ambiguous_header'
  | 'bad_key'
  | 'bad_signature'
  | 'missing_timestamp'
  | 'bad_timestamp'
  | 'stale_timestamp';

export type WebhookAuthResult =
  /**
   * `replayKey` (HMAC only) identifies this signed delivery: the endpoint remembers it for twice the tolerance
   * and refuses it when seen again, which closes the window a captured request could be replayed in.
   */
  | { ok: true; replayKey: string | null }
  | { ok: false; reason: WebhookAuthFailure };

/** Request headers as Node gives them (lower-case names). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | null | 'ambiguous' {
  const wanted = name.toLowerCase();
  let found: string | string[] | undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) {
      if (found !== undefined) return 'ambiguous';
      found = headers[key];
    }
  }
  if (Array.isArray(found)) return found.length === 1 ? found[0] : found.length === 0 ? null : 'ambiguous';
  return found === undefined || found === '' ? null : found;
}

/** Equal-length digests compared in constant time; hashing first keeps even the key's length private. */
function secretEquals(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks that a push comes from the configured source: an API key header, or an HMAC over
 * `signedPayload` (timestamp and raw body) with the timestamp inside the tolerance window.
 * `rawBody` must be the bytes as received, before any JSON parsing.
 */
export function verifyWebhookAuth(headers: WebhookHeaders, rawBody: Buffer | string, settings: Pick<WebhookSettings, 'auth'>, now: number | Date): WebhookAuthResult {
  const auth = settings.auth;
  const given = header(headers, auth.header);
  if (given === 'ambiguous') return { ok: false, reason: 'ambiguous_header' };
  if (given === null) return { ok: false, reason: 'missing_header' };

  if (auth.kind === 'api_key') {
    return secretEquals(auth.key, given) ? { ok: true, replayKey: null } : { ok: false, reason: 'bad_key' };
  }

  const timestamp = header(headers, auth.timestampHeader);
  if (timestamp === 'ambiguous') return { ok: false, reason: 'ambiguous_header' };
  if (timestamp === null) return { ok: false, reason: 'missing_timestamp' };
  if (!/^\d{9,13}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  // Ten digits are seconds until the year 2286; thirteen are milliseconds.
  const signedAtMs = timestamp.length >= 12 ? Number(timestamp) : Number(timestamp) * 1000;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  if (Math.abs(nowMs - signedAtMs) > auth.toleranceSeconds * 1000) return { ok: false, reason: 'stale_timestamp' };

  if (!given.startsWith(auth.prefix)) return { ok: false, reason: 'bad_signature' };
  const signatureText = given.slice(auth.prefix.length).trim();
  const provided = decodeSignature(signatureText, auth.encoding);
  const hmac = createHmac(auth.algorithm, auth.secret);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  // The template is split on its placeholders so the body's bytes are signed as received, never re-encoded.
  for (const part of auth.signedPayload.split(/(\{timestamp\}|\{body\})/)) {
    if (part === '{timestamp}') hmac.update(timestamp, 'utf8');
    else if (part === '{body}') hmac.update(body);
    else if (part) hmac.update(part, 'utf8');
  }
  const expected = hmac.digest();
  if (!provided || provided.length !== expected.length || !timingSafeEqual(provided, expected)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, replayKey: `${timestamp}:${expected.toString('hex')}` };
}

function decodeSignature(text: string, encoding: 'hex' | 'base64'): Buffer | null {
  if (encoding === 'hex') return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : null;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : null;
}
