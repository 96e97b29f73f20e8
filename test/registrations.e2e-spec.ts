import type { Client } from 'pg';
import { startStack, type Stack } from './support/stack';
import { waitFor, type TestEnv } from './support/env';
import { getJson, postJson, type RunningGateway } from './support/apps';

const ADMIN = { authorization: 'Bearer test-admin-token' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('staff registrations of letters, visits and transfers', () => {
  let stack: Stack;
  let env: TestEnv;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack();
    ({ env, gw, db } = stack);
  });
  afterAll(async () => stack?.close());

  const register = (type: string, body: unknown, headers: Record<string, string> = {}) => postJson(`${gw.url}/v1/channels/${type}/registrations`, body, { ...ADMIN, ...headers });
  const letter = (over: Record<string, unknown> = {}) => ({
    registrationNumber: 'LX20240914-001',
    receivedDate: '2024-09-14',
    name: '林芳',
    returnAddress: '江苏省徐州市贾汪区青山泉镇',
    phone: '139 0000 1111',
    summary: '来信反映其住所附近的化工厂往河里排污水，河水发黑发臭。',
    scannedPages: [
      { filename: 'scan_0914_001_p1.pdf', contentType: 'application/pdf', dataBase64: PDF.toString('base64') },
      { filename: 'scan_0914_001_p2.pdf', contentType: 'application/pdf', dataBase64: PDF.toString('base64') },
    ],
    ...over,
  });

  it('registers a letter with its scanned pages stored in the blob store, and it is judged', async () => {
    const res = await register('letter', letter());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ ref: 'LX20240914-001', generated: false, duplicate: false, channel: 'letter-default' });
    const s = await waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/submissions/${res.json.id}`, ADMIN);
      return r.json.status && r.json.status !== 'pending' ? r.json : undefined;
    }, { what: 'letter judged' });
    expect(s.status).toBe('accepted');
    const row = await db.query(`SELECT payload, complainant FROM submissions WHERE id = $1`, [res.json.id]);
    const { payload, complainant } = row.rows[0];
    expect(complainant).toMatchObject({ name: '林芳', phone: '13900001111' });
    expect(payload).toMatchObject({ channelType: 'letter', submittedAt: '2024-09-14T00:00:00+08:00', location: { address: '江苏省徐州市贾汪区青山泉镇' }, extra: { returnAddress: '江苏省徐州市贾汪区青山泉镇', scanFiles: ['scan_0914_001_p1.pdf', 'scan_0914_001_p2.pdf'] } });
    expect(payload.attachments).toHaveLength(2);
    expect(payload.attachments[0]).toMatchObject({ filename: 'scan_0914_001_p1.pdf', size: PDF.length, blobKey: expect.stringMatching(/^sha256\//) });
  });

  it('recognises the same registration number (same id back), and the same letter registered under a second number (folded)', async () => {
    const first = await register('letter', letter({ registrationNumber: 'LX20240915-001', name: '周敏', scannedPages: [{ filename: 'scan_0915_001.pdf', dataBase64: PDF.toString('base64') }] }));
    expect(first.status).toBe(201);
    const again = await register('letter', letter({ registrationNumber: 'LX20240915-001', name: '周敏', scannedPages: [{ filename: 'scan_0915_001.pdf', dataBase64: PDF.toString('base64') }] }));
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, duplicate: true });

    const second = await register('letter', letter({ registrationNumber: 'LX20240915-501', name: '周敏', registrar: '郑伟', scannedPages: [{ filename: 'scan_0915_001.pdf', dataBase64: PDF.toString('base64') }] }));
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ id: first.json.id, ref: 'LX20240915-501', duplicate: true, foldedInto: first.json.id });
    const secondAgain = await register('letter', letter({ registrationNumber: 'LX20240915-501', name: '周敏', scannedPages: [{ filename: 'scan_0915_001.pdf', dataBase64: PDF.toString('base64') }] }));
    expect(secondAgain.json).toMatchObject({ id: first.json.id, duplicate: true });
    const rows = await db.query(`SELECT refs FROM submissions WHERE channel_type = 'letter' AND 'LX20240915-001' = ANY(refs)`);
    expect(rows.rows).toEqual([{ refs: ['LX20240915-001', 'LX20240915-501'] }]);
  });

  it('keeps one submission when the same letter is registered twice at the same moment, under one number or two', async () => {
    const rounds = Array.from({ length: 6 }, (_, i) => i);
    for (const i of rounds) {
      const same = { name: `许${i}`, receivedDate: '2024-09-17', scannedPages: [{ filename: `scan_0917_${i}.pdf`, dataBase64: PDF.toString('base64') }] };
      // The same number twice, and the same letter under two numbers, all posted at once.
      const answers = await Promise.all([
        register('letter', letter({ ...same, registrationNumber: `LX20240917-${i}A` })),
        register('letter', letter({ ...same, registrationNumber: `LX20240917-${i}A` })),
        register('letter', letter({ ...same, registrationNumber: `LX20240917-${i}B` })),
        register('letter', letter({ ...same, registrationNumber: `LX20240917-${i}B` })),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
      const rows = await db.query(`SELECT refs FROM submissions WHERE channel_type = 'letter' AND refs && $1::text[]`, [[`LX20240917-${i}A`, `LX20240917-${i}B`]]);
      expect(rows.rows).toHaveLength(1);
      expect([...rows.rows[0].refs].sort()).toEqual([`LX20240917-${i}A`, `LX20240917-${i}B`]);
    }
    const judged = await waitFor(async () => {
      const r = await db.query(`SELECT status, case_id FROM submissions WHERE channel_type = 'letter' AND ref LIKE 'LX20240917-%'`);
      return r.rows.every((x) => x.status !== 'pending') ? r.rows : undefined;
    }, { what: 'raced letters judged' });
    expect(judged).toHaveLength(rounds.length);
  });

  it('generates a registration number when staff give none; the same Idempotency-Key gives the same one', async () => {
    const body = { visitDate: '2024-09-16T09:30', name: '陈刚', visitors: 6, summary: '反映鼓楼区某小区旁的搅拌站粉尘污染严重，居民联名来访。', address: '江苏省南京市鼓楼区热河南路' };
    const a = await register('visit', body, { 'idempotency-key': 'visit-desk-1' });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ generated: true, duplicate: false, ref: expect.stringMatching(/^LF-K[0-9a-f]{20}$/) });
    const b = await register('visit', body, { 'idempotency-key': 'visit-desk-1' });
    expect(b.json).toMatchObject({ id: a.json.id, ref: a.json.ref, duplicate: true });
    const c = await register('visit', body);
    expect(c.json.ref).toMatch(/^LF\d{8}-G[0-9a-f]{10}$/);
    expect(c.json.id).not.toBe(a.json.id);
    const row = await db.query(`SELECT payload FROM submissions WHERE id = $1`, [a.json.id]);
    expect(row.rows[0].payload).toMatchObject({ channelType: 'visit', submittedAt: '2024-09-16T09:30:00+08:00', extra: { visitors: 6, groupVisit: true } });
  });

  it('registers a transfer with its originating authority, document number and deadline', async () => {
    const res = await register('transfer', {
      registrationNumber: 'ZB2024-0917',
      receivedDate: '2024-09-17',
      originAuthority: '生态环境部信访办公室',
      originDocNumber: '环信转〔2024〕118号',
      deadline: '2024-10-17',
      summary: '群众反映浙江省杭州市西湖区转塘街道某印染厂夜间偷排废水。',
      attachments: [{ filename: '转办单.pdf', dataBase64: PDF.toString('base64') }],
    });
    expect(res.status).toBe(201);
    const row = await db.query(`SELECT payload FROM submissions WHERE id = $1`, [res.json.id]);
    expect(row.rows[0].payload).toMatchObject({
      channelType: 'transfer',
      ref: 'ZB2024-0917',
      extra: { originAuthority: '生态环境部信访办公室', originDocNumber: '环信转〔2024〕118号', deadline: '2024-10-17T00:00:00+08:00' },
    });
    expect(row.rows[0].payload.attachments[0]).toMatchObject({ filename: '转办单.pdf', blobKey: expect.any(String) });
  });

  it('answers 422 with field messages, 404 for a type without registrations, 401 without the token', async () => {
    const bad = await register('transfer', { receivedDate: 'yesterday', summary: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.json.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['receivedDate', 'originAuthority']));
    const badPage = await register('letter', letter({ scannedPages: [{ filename: 'a.pdf', dataBase64: '' }] }));
    expect(badPage.status).toBe(422);
    expect((await register('hotline', letter())).status).toBe(404);
    expect((await postJson(`${gw.url}/v1/channels/letter/registrations`, letter())).status).toBe(401);
  });
});
