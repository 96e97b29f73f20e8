import { createHmac } from 'node:crypto';
import { verifyWebhookAuth } from '../webhook-auth.util';
import { parseWebhookSettings, type WebhookSettingsInput } from '../webhook-settings.schema';

const mapping = { fields: { ref: '$.id' } };
const SECRET = 'whsec_0123456789abcdef';
const NOW = Date.UTC(2024, 8, 3, 0, 5, 0);
const TS = String(NOW / 1000);
const BODY = Buffer.from('{"id":"A-1","content":"河水发黑发臭"}', 'utf8');

function settings(auth: WebhookSettingsInput['auth']) {
  return parseWebhookSettings({ auth, mapping });
}

const hmacSettings = settings({ kind: 'hmac', header: 'X-Signature', secret: SECRET, timestampHeader: 'X-Timestamp' });

function sign(body: Buffer, timestamp = TS, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

describe('verifyWebhookAuth with an API key', () => {
  const keySettings = settings({ kind: 'api_key', header: 'X-Api-Key', key: 'k-0123456789abcdef' });

  it('accepts the configured key in the configured header, whatever the header case', () => {
    expect(verifyWebhookAuth({ 'x-api-key': 'k-0123456789abcdef' }, BODY, keySettings, NOW)).toEqual({ ok: true, replayKey: null });
    expect(verifyWebhookAuth({ 'X-API-KEY': 'k-0123456789abcdef' }, BODY, keySettings, NOW).ok).toBe(true);
  });

  it('refuses a wrong, longer, shorter or missing key, and a repeated header', () => {
    expect(verifyWebhookAuth({ 'x-api-key': 'k-0123456789abcdeF' }, BODY, keySettings, NOW)).toEqual({ ok: false, reason: 'bad_key' });
    expect(verifyWebhookAuth({ 'x-api-key': 'k-0123456789abcdef0' }, BODY, keySettings, NOW)).toEqual({ ok: false, reason: 'bad_key' });
    expect(verifyWebhookAuth({ 'x-api-key': 'k' }, BODY, keySettings, NOW)).toEqual({ ok: false, reason: 'bad_key' });
    expect(verifyWebhookAuth({}, BODY, keySettings, NOW)).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyWebhookAuth({ 'x-api-key': ['k-0123456789abcdef', 'other'] }, BODY, keySettings, NOW)).toEqual({ ok: false, reason: 'ambiguous_header' });
  });
});

describe('verifyWebhookAuth with an HMAC', () => {
  const headers = (signature: string, timestamp = TS) => ({ 'x-signature': signature, 'x-timestamp': timestamp });

  it('accepts an HMAC-SHA256 over "{timestamp}.{body}" and returns a replay key', () => {
    const result = verifyWebhookAuth(headers(sign(BODY)), BODY, hmacSettings, NOW);
    expect(result).toEqual({ ok: true, replayKey: `${TS}:${sign(BODY)}` });
    // The same bytes given as a string verify too, and an upper-case hex signature is the same signature.
    expect(verifyWebhookAuth(headers(sign(BODY).toUpperCase()), BODY.toString('utf8'), hmacSettings, new Date(NOW)).ok).toBe(true);
  });

  it('refuses a changed body, another secret, and a signature moved to another timestamp', () => {
    const tampered = Buffer.from(BODY.toString('utf8').replace('A-1', 'A-2'));
    expect(verifyWebhookAuth(headers(sign(BODY)), tampered, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookAuth(headers(sign(BODY, TS, 'another-secret-0000')), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const later = String(Number(TS) + 10);
    expect(verifyWebhookAuth(headers(sign(BODY), later), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookAuth(headers('zz'), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookAuth(headers(sign(BODY).slice(0, 40)), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a timestamp outside the tolerance, in either direction, and accepts one at its edge', () => {
    const old = String(Number(TS) - 301);
    expect(verifyWebhookAuth(headers(sign(BODY, old), old), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'stale_timestamp' });
    const future = String(Number(TS) + 301);
    expect(verifyWebhookAuth(headers(sign(BODY, future), future), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'stale_timestamp' });
    const edge = String(Number(TS) - 300);
    expect(verifyWebhookAuth(headers(sign(BODY, edge), edge), BODY, hmacSettings, NOW).ok).toBe(true);
  });

  it('reads millisecond timestamps and refuses missing or non-numeric ones', () => {
    const ms = String(NOW - 1000);
    expect(verifyWebhookAuth(headers(sign(BODY, ms), ms), BODY, hmacSettings, NOW).ok).toBe(true);
    expect(verifyWebhookAuth({ 'x-signature': sign(BODY) }, BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(verifyWebhookAuth(headers(sign(BODY), '2024-09-03'), BODY, hmacSettings, NOW)).toEqual({ ok: false, reason: 'bad_timestamp' });
  });

  it('supports sha1, base64 signatures with a prefix, and a custom signed payload template', () => {
    const custom = settings({
      kind: 'hmac',
      header: 'X-Hub-Signature',
      secret: SECRET,
      algorithm: 'sha1',
      encoding: 'base64',
      prefix: 'sha1=',
      timestampHeader: 'X-Request-Time',
      signedPayload: 'v1:{body}:{timestamp}',
    });
    const signature = createHmac('sha1', SECRET).update(`v1:${BODY.toString('utf8')}:${TS}`).digest('base64');
    const good = { 'x-hub-signature': `sha1=${signature}`, 'x-request-time': TS };
    expect(verifyWebhookAuth(good, BODY, custom, NOW).ok).toBe(true);
    expect(verifyWebhookAuth({ ...good, 'x-hub-signature': signature }, BODY, custom, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('signs the raw bytes, so a body that is not valid UTF-8 still verifies exactly', () => {
    const gbk = Buffer.from([0x7b, 0xc4, 0xe3, 0xba, 0xc3, 0x7d]);
    const signature = createHmac('sha256', SECRET).update(`${TS}.`).update(gbk).digest('hex');
    expect(verifyWebhookAuth(headers(signature), gbk, hmacSettings, NOW).ok).toBe(true);
    expect(verifyWebhookAuth(headers(signature), gbk.toString('utf8'), hmacSettings, NOW).ok).toBe(false);
  });
});
