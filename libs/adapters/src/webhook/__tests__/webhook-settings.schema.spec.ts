import { parseWebhookSettings, WebhookSettingsError } from '../webhook-settings.schema';

const auth = { kind: 'api_key', header: 'X-Api-Key', key: 'k-0123456789abcdef' };

function issues(input: unknown): string[] {
  try {
    parseWebhookSettings(input);
  } catch (error) {
    if (error instanceof WebhookSettingsError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('parseWebhookSettings', () => {
  it('fills defaults and expands a bare path into a path source', () => {
    const settings = parseWebhookSettings({
      auth: { kind: 'hmac', header: 'X-Sig', secret: 's'.repeat(16), timestampHeader: 'X-Ts' },
      mapping: { fields: { ref: '$.id', text: { path: '$.data.content', transforms: [{ op: 'trim' }] } } },
    });
    expect(settings.auth).toMatchObject({ algorithm: 'sha256', encoding: 'hex', prefix: '', toleranceSeconds: 300, signedPayload: '{timestamp}.{body}' });
    expect(settings.mapping.fields.ref).toEqual({ path: '$.id', transforms: [] });
    expect(settings.maxItems).toBe(500);
  });

  it('requires a ref', () => {
    expect(issues({ auth, mapping: { fields: { text: '$.content' } } }).join()).toMatch(/mapping\.fields\.ref/);
  });

  it('names a misspelt field instead of ignoring it', () => {
    expect(issues({ auth, mapping: { fields: { ref: '$.id', adress: '$.addr' } } }).join()).toMatch(/adress/);
  });

  it('refuses bad paths, [*] outside an items path, and items paths without [*]', () => {
    expect(issues({ auth, mapping: { fields: { ref: 'id' } } }).join()).toMatch(/must start with \$/);
    expect(issues({ auth, mapping: { fields: { ref: '$.a[x]' } } }).join()).toMatch(/expected \[n\]/);
    expect(issues({ auth, mapping: { fields: { ref: '$.items[*].id' } } }).join()).toMatch(/selects many values/);
    expect(issues({ auth, mapping: { items: '$.items', fields: { ref: '$.id' } } }).join()).toMatch(/must end with \[\*\]/);
  });

  it('refuses weak secrets, unknown algorithms, templates without placeholders and impossible date patterns', () => {
    expect(issues({ auth: { ...auth, key: 'short' }, mapping: { fields: { ref: '$.id' } } }).join()).toMatch(/auth\.key/);
    expect(issues({ auth: { kind: 'hmac', header: 'X', secret: 's'.repeat(16), timestampHeader: 'T', algorithm: 'md5' }, mapping: { fields: { ref: '$.id' } } }).join()).toMatch(/algorithm/);
    expect(issues({ auth: { kind: 'hmac', header: 'X', secret: 's'.repeat(16), timestampHeader: 'T', signedPayload: '{body}' }, mapping: { fields: { ref: '$.id' } } }).join()).toMatch(/signedPayload/);
    expect(issues({ auth, mapping: { fields: { ref: { template: 'fixed' } } } }).join()).toMatch(/placeholder/);
    expect(issues({ auth, mapping: { fields: { ref: '$.id', submittedAt: { path: '$.t', transforms: [{ op: 'date', format: 'HH:mm' }] } } } }).join()).toMatch(/no year/);
    expect(issues({ auth, mapping: { fields: { ref: '$.id', submittedAt: { path: '$.t', transforms: [{ op: 'date', format: 'iso', zone: 'Asia/Shanghai' }] } } } }).join()).toMatch(/zone/);
  });
});
