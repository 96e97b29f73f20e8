import { WebhookChannelSettingsSchema, webhookCredentialIssues, webhookMappingOf, webhookSettingsOf } from '../webhook-channel.settings';
import { WebhookSettingsError } from '../webhook-settings.schema';

const mapping = { fields: { ref: { template: 'weibo-{$.id}' }, text: '$.content' } };
const apiKey = { kind: 'api_key', header: 'X-Api-Key' };
const hmac = { kind: 'hmac', header: 'X-Signature', timestampHeader: 'X-Timestamp' };

function issues(settings: unknown): string[] {
  const r = WebhookChannelSettingsSchema.safeParse(settings);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('webhook channel settings (stored, shown by the API)', () => {
  it('accepts auth without its secret and a ref template with a source prefix', () => {
    expect(issues({ auth: apiKey, mapping })).toEqual([]);
    expect(issues({ auth: hmac, mapping: { items: '$.data[*]', fields: { ref: { template: 'cityapp:{$$.batch}-{$.seq}' } } } })).toEqual([]);
  });

  it('refuses a secret in settings and says where it belongs', () => {
    expect(issues({ auth: { ...apiKey, key: 'k-0123456789abcdef' }, mapping }).join()).toMatch(/auth\.key: .*credentials/);
    expect(issues({ auth: { ...hmac, secret: 's'.repeat(20) }, mapping }).join()).toMatch(/auth\.secret: .*credentials/);
  });

  it('requires the ref to carry a source prefix', () => {
    expect(issues({ auth: apiKey, mapping: { fields: { ref: '$.id' } } }).join()).toMatch(/mapping\.fields\.ref: the ref needs a source prefix/);
    expect(issues({ auth: apiKey, mapping: { fields: { ref: { template: '{$.id}' } } } }).join()).toMatch(/mapping\.fields\.ref: .*at least 2 characters/);
    expect(issues({ auth: apiKey, mapping: { fields: { ref: { template: '--{$.id}' } } } }).join()).toMatch(/letter or digit/);
    expect(issues({ auth: apiKey, mapping: { fields: { ref: { const: 'x' } } } }).join()).toMatch(/constant ref/);
  });

  it('still names every other wrong field, as the library schema does', () => {
    const found = issues({ auth: { ...hmac, algorithm: 'md5' }, mapping: { fields: { ref: { template: 'a-{$.id}' }, adress: '$.a', submittedAt: { path: '$.t', transforms: [{ op: 'date', format: 'HH:mm' }] } } }, extra: 1 });
    expect(found.join('\n')).toMatch(/auth\.algorithm/);
    expect(found.join('\n')).toMatch(/adress/);
    expect(found.join('\n')).toMatch(/no year/);
    expect(found.join('\n')).toMatch(/extra/);
  });
});

describe('webhook credentials', () => {
  it('asks for credentials.key for an API key and credentials.secret for an HMAC', () => {
    expect(webhookCredentialIssues({ auth: apiKey, mapping }, {})).toEqual([{ path: 'credentials.key', message: expect.stringMatching(/credentials\.key/) }]);
    expect(webhookCredentialIssues({ auth: hmac, mapping }, { key: 'k'.repeat(20) })).toEqual([{ path: 'credentials.secret', message: expect.any(String) }]);
    expect(webhookCredentialIssues({ auth: hmac, mapping }, { secret: 'short' })).toEqual([{ path: 'credentials.secret', message: 'use at least 16 characters' }]);
    expect(webhookCredentialIssues({ auth: hmac, mapping }, { secret: 's'.repeat(16) })).toEqual([]);
  });

  it('joins settings and credentials into runnable settings', () => {
    const s = webhookSettingsOf({ auth: hmac, mapping }, { secret: 's'.repeat(16) });
    expect(s.auth).toMatchObject({ kind: 'hmac', secret: 's'.repeat(16), toleranceSeconds: 300 });
    expect(s.mapping.fields.ref).toEqual({ template: 'weibo-{$.id}', transforms: [] });
    expect(() => webhookSettingsOf({ auth: apiKey, mapping: { fields: { ref: '$.id' } } }, {})).toThrow(WebhookSettingsError);
    try {
      webhookSettingsOf({ auth: apiKey, mapping: { fields: { ref: '$.id' } } }, {});
    } catch (err) {
      expect((err as WebhookSettingsError).issues.map((i) => i.path)).toEqual(['settings.mapping.fields.ref', 'credentials.key']);
    }
  });

  it('reads the mapping alone for a replay', () => {
    expect(webhookMappingOf({ auth: apiKey, mapping }).maxItems).toBe(500);
    expect(() => webhookMappingOf({ auth: apiKey })).toThrow(/settings\.mapping/);
  });
});
