import { parseSubmission } from '@huiliu/contracts';
import { mapWebhookPayload } from '../webhook-payload.mapper';
import { parseWebhookSettings } from '../webhook-settings.schema';

const auth = { kind: 'api_key', header: 'X-Api-Key', key: 'k-0123456789abcdef' };

function settingsWith(mapping: unknown, maxItems?: number) {
  return parseWebhookSettings({ auth, mapping, ...(maxItems ? { maxItems } : {}) });
}

/** A city service app that posts one report per request. */
const singleSettings = settingsWith({
  fields: {
    ref: { template: 'cityapp-{$.data.reportNo}' },
    text: { path: '$.data.content', transforms: [{ op: 'trim' }] },
    title: '$.data.title',
    address: { template: '{$.data.loc.province}{$.data.loc.city}{$.data.loc.street}' },
    districtCode: '$.data.loc.adcode',
    lat: { path: '$.data.loc.lat', transforms: [{ op: 'number' }] },
    lng: { path: '$.data.loc.lng', transforms: [{ op: 'number' }] },
    submittedAt: { path: '$.data.createdAt', transforms: [{ op: 'date', format: 'YYYY-MM-DD HH:mm:ss', zone: '+08:00' }] },
    declaredCategory: { path: '$.data.type', transforms: [{ op: 'map', table: { '1': 'air', '2': 'water', '3': 'noise' } }] },
    'complainant.name': '$.data.reporter.name',
    'complainant.phone': '$.data.reporter.mobile',
    'complainant.anonymous': { path: '$.data.reporter.anonymous', transforms: [{ op: 'boolean' }] },
    region: { const: '浙江省/杭州市' },
  },
  attachments: { items: '$.data.photos[*]', url: '$.url', filename: '$.name', contentType: { const: 'image/jpeg' }, size: '$.bytes' },
});

const singlePayload = {
  code: 0,
  data: {
    reportNo: 20240903001,
    title: '河道异味',
    content: '  西溪河段每天傍晚有刺鼻气味，疑似上游化工厂偷排  ',
    loc: { province: '浙江省', city: '杭州市', street: '西湖区三墩镇', adcode: 330106, lat: '30.3211', lng: '120.0923' },
    createdAt: '2024-09-03 18:42:10',
    type: 2,
    reporter: { name: '王女士', mobile: '13800001234', anonymous: '否' },
    photos: [{ url: 'https://files.example.cn/p/1.jpg', name: '1.jpg', bytes: 20480 }, { name: 'no-url.jpg' }],
  },
};

describe('mapWebhookPayload, one submission per payload', () => {
  it('maps every configured field into a submission the schema accepts', () => {
    const { submissions, errors } = mapWebhookPayload(singlePayload, singleSettings);
    expect(errors).toEqual([{ index: 0, field: 'attachments[1].url', message: 'no url; the attachment is left out' }]);
    expect(submissions).toHaveLength(1);
    const s = parseSubmission(submissions[0]);
    expect(s).toMatchObject({
      channelType: 'webhook',
      ref: 'cityapp-20240903001',
      title: '河道异味',
      text: '西溪河段每天傍晚有刺鼻气味，疑似上游化工厂偷排',
      submittedAt: '2024-09-03T18:42:10+08:00',
      declaredCategory: 'water',
      complainant: { name: '王女士', phone: '13800001234', anonymous: false, email: null },
      location: { address: '浙江省杭州市西湖区三墩镇', districtCode: '330106', region: '浙江省/杭州市', lat: 30.3211, lng: 120.0923, label: null },
    });
    expect(s.attachments).toEqual([
      { filename: '1.jpg', contentType: 'image/jpeg', size: 20480, blobKey: null, sha256: null, refused: null, sourceRef: 'https://files.example.cn/p/1.jpg' },
    ]);
    expect(s.flags).toEqual(['mapping_error:attachments']);
  });

  it('leaves out a payload without its ref and says why', () => {
    const { submissions, errors } = mapWebhookPayload({ data: { content: 'x' } }, singleSettings);
    expect(submissions).toEqual([]);
    expect(errors).toEqual([{ index: 0, field: 'ref', message: expect.stringMatching(/missing/) }]);
  });

  it('keeps the submission but empties and reports a field that cannot be read', () => {
    const payload = { data: { ...singlePayload.data, createdAt: '2024-02-30 10:00:00', loc: { ...singlePayload.data.loc, lat: 'north', lng: '120.1' } } };
    const { submissions, errors } = mapWebhookPayload(payload, singleSettings);
    expect(submissions).toHaveLength(1);
    expect(submissions[0].submittedAt).toBeNull();
    expect(submissions[0].location).toMatchObject({ lat: null, lng: null });
    expect(errors.map((e) => e.field)).toEqual(['submittedAt', 'lat', 'lng', 'attachments[1].url']);
    expect(submissions[0].flags).toEqual(expect.arrayContaining(['mapping_error:submittedAt', 'mapping_error:lat']));
  });

  it('drops coordinates out of range', () => {
    const payload = { data: { ...singlePayload.data, loc: { ...singlePayload.data.loc, lat: 120.09, lng: 30.32 } } };
    const { submissions, errors } = mapWebhookPayload(payload, singleSettings);
    expect(submissions[0].location).toMatchObject({ lat: null, lng: null });
    expect(errors.find((e) => e.field === 'lng')?.message).toMatch(/both be present/);
    expect(errors.find((e) => e.field === 'lat')?.message).toMatch(/outside -90..90/);
  });

  it('keeps, nulls or refuses values missing from a code table as configured', () => {
    const base = { fields: { ref: '$.id' } };
    const table = { '1': 'air' };
    const run = (otherwise: string) =>
      mapWebhookPayload({ id: 'x', type: '9' }, settingsWith({ ...base, fields: { ...base.fields, declaredCategory: { path: '$.type', transforms: [{ op: 'map', table, otherwise }] } } }));
    expect(run('keep').submissions[0].declaredCategory).toBe('9');
    expect(run('null').submissions[0].declaredCategory).toBeNull();
    expect(run('error').errors).toEqual([{ index: 0, field: 'declaredCategory', message: '"9" is not in the code table' }]);
  });

  it('refuses text fields fed with an object and dates that are not ISO without a transform', () => {
    const settings = settingsWith({ fields: { ref: '$.id', text: '$.body', submittedAt: '$.at' } });
    const { submissions, errors } = mapWebhookPayload({ id: 7, body: { nested: true }, at: '2024-09-03 08:00' }, settings);
    expect(submissions[0]).toMatchObject({ ref: '7', text: '', submittedAt: null });
    expect(errors.map((e) => e.field)).toEqual(['text', 'submittedAt']);
    expect(errors[1].message).toMatch(/add a date transform/);
  });

  it('flags a numeric id that JSON has already rounded', () => {
    const { submissions } = mapWebhookPayload(JSON.parse('{"id": 24613589088009483}'), settingsWith({ fields: { ref: '$.id' } }));
    expect(submissions[0].flags).toContain('precision_loss');
  });

  it('treats a template none of whose parts exist as absent', () => {
    const settings = settingsWith({ fields: { ref: '$.id', address: { template: '{$.p} {$.c}' } } });
    expect(mapWebhookPayload({ id: '1' }, settings).submissions[0].location?.address).toBeNull();
    expect(mapWebhookPayload({ id: '1', c: '南京' }, settings).submissions[0].location?.address).toBe(' 南京');
  });
});

describe('mapWebhookPayload, batch payloads', () => {
  const batchSettings = settingsWith({
    items: '$.result.items[*]',
    fields: {
      ref: { template: '{$$.batch}-{$.seq}' },
      text: '$.msg',
      submittedAt: { path: '$.ts', transforms: [{ op: 'date', format: 'epoch_ms' }] },
      'complainant.anonymous': { path: '$.anon', transforms: [{ op: 'boolean' }] },
    },
  });

  it('makes one submission per item, reading envelope fields through $$', () => {
    const payload = {
      batch: 'B7',
      result: {
        items: [
          { seq: 1, msg: '工地夜间施工噪音', ts: 1725321900000, anon: 1 },
          { msg: '没有编号的一条', ts: 1725321900000 },
          { seq: 3, msg: '垃圾焚烧冒黑烟', ts: 'soon', anon: 'maybe' },
        ],
      },
    };
    const { submissions, errors } = mapWebhookPayload(payload, batchSettings);
    expect(submissions.map((s) => s.ref)).toEqual(['B7-1', 'B7-3']);
    const mapped = mapWebhookPayload(payload, batchSettings);
    expect(mapped.origins).toEqual([
      { index: 0, record: payload.result.items[0] },
      { index: 2, record: payload.result.items[2] },
    ]);
    expect(mapped.itemCount).toBe(3);
    expect(submissions[0]).toMatchObject({ text: '工地夜间施工噪音', submittedAt: '2024-09-03T08:05:00+08:00', complainant: { anonymous: true } });
    expect(submissions[1]).toMatchObject({ submittedAt: null, complainant: { anonymous: false } });
    expect(errors).toEqual([
      { index: 1, field: 'ref', message: '$.seq is missing' },
      { index: 2, field: 'submittedAt', message: expect.stringMatching(/epoch/) },
      { index: 2, field: 'complainant.anonymous', message: expect.stringMatching(/yes\/no/) },
    ]);
  });

  it('refuses a payload whose items path is not a list, or a batch over the limit', () => {
    expect(mapWebhookPayload({ result: { items: {} } }, batchSettings)).toEqual({
      submissions: [],
      errors: [{ index: null, field: 'items', message: '$.result.items[*] does not select a list' }],
      origins: [],
      itemCount: 0,
    });
    const small = settingsWith({ items: '$[*]', fields: { ref: '$.id' } }, 2);
    expect(mapWebhookPayload([{ id: 1 }, { id: 2 }], small).submissions).toHaveLength(2);
    expect(mapWebhookPayload([{ id: 1 }, { id: 2 }, { id: 3 }], small).errors[0].message).toMatch(/exceed the limit of 2/);
  });
});
