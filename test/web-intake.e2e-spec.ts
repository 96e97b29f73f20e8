import type { Client } from 'pg';
import { startStack, type Stack } from './support/stack';
import { waitFor, type TestEnv } from './support/env';
import { getJson, postJson, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';

describe('web channel: a form post becomes a stored case', () => {
  let stack: Stack;
  let env: TestEnv;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack();
    ({ env, gw, db } = stack);
  });
  afterAll(async () => stack?.close());

  const submit = (body: unknown, headers: Record<string, string> = {}) => postJson(`${gw.url}/v1/submissions`, body, headers);
  const judged = (id: string) =>
    waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/submissions/${id}`);
      return r.json.status !== 'pending' ? r.json : undefined;
    }, { what: `submission ${id} judged` });

  it('answers 202 with an id and a status URL, and the submission ends in a case', async () => {
    const res = await submit(webForm());
    expect(res.status).toBe(202);
    expect(res.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json.statusUrl).toBe(`/v1/submissions/${res.json.id}`);

    const s = await judged(res.json.id);
    expect(s.status).toBe('accepted');
    expect(s.caseId).toBeTruthy();
    expect(s.division.code).toBe('320102');
    expect(s.category).toBe('air');
    const cases = await db.query('SELECT submission_count FROM cases WHERE id = $1', [s.caseId]);
    expect(cases.rows).toEqual([{ submission_count: 1 }]);
    // The raw original is kept.
    const raw = await db.query(`SELECT raw FROM submissions WHERE id = $1`, [res.json.id]);
    expect(raw.rows[0].raw.blobKey).toMatch(/^segments\//);
  });

  it('the same Idempotency-Key, twice and concurrently, gives one submission and one id', async () => {
    const key = `idem-${Date.now()}`;
    const first = await submit(webForm(), { 'Idempotency-Key': key });
    const again = await submit(webForm({ content: '另一个内容，但同一个幂等键' }), { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.json.id).toBe(first.json.id);
    expect(again.json.duplicate).toBe(true);

    const key2 = `idem-conc-${Date.now()}`;
    const all = await Promise.all(Array.from({ length: 12 }, () => submit(webForm(), { 'Idempotency-Key': key2 })));
    expect(new Set(all.map((r) => r.status))).toEqual(new Set([202]));
    expect(new Set(all.map((r) => r.json.id)).size).toBe(1);
    expect(all.filter((r) => r.json.duplicate === false)).toHaveLength(1);
    const rows = await db.query(`SELECT count(*)::int AS n FROM submissions WHERE source_key = $1`, [`web:${key2}`]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('uses the client_token as the idempotency key when no header is sent', async () => {
    const body = webForm();
    const a = await submit(body);
    const b = await submit(body);
    expect(b.json.id).toBe(a.json.id);
  });

  it('refuses a body over the limit with 413 before parsing, and records nothing', async () => {
    const big = webForm({ content: '黑烟'.repeat(400_000), client_token: 'too-big-1' });
    const res = await submit(big);
    expect(res.status).toBe(413);
    const rows = await db.query(`SELECT count(*)::int AS n FROM submissions WHERE ref = 'too-big-1'`);
    expect(rows.rows[0].n).toBe(0);
  });

  it('answers 422 with field-level messages only when the complaint text is missing or undecodable', async () => {
    const missing = await submit(webForm({ content: undefined }));
    expect(missing.status).toBe(422);
    expect(missing.json.fields).toEqual([expect.objectContaining({ field: 'content' })]);
    const blank = await submit(webForm({ content: '   ' }));
    expect(blank.status).toBe(422);
    const notJson = await submit('{"content": ');
    expect(notJson.status).toBe(422);
    expect(notJson.json.fields[0].field).toBe('body');
    const badText = Buffer.concat([Buffer.from('{"client_token":"bad-utf8-text","content":"工厂'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('排污"}')]);
    const undecodable = await submit(badText);
    expect(undecodable.status).toBe(422);
    expect(undecodable.json.reason).toBe('undecodable_content');
  });

  it('repairs and flags a broken optional field instead of refusing the complaint', async () => {
    const loneSurrogate = JSON.stringify(webForm({ client_token: 'lone-1' })).replace('"contact_name":"张晓明"', '"contact_name":"张\\ud83d明"');
    const a = await submit(loneSurrogate);
    expect(a.status).toBe(202);
    expect(a.json.flags).toContain('lone_surrogate_contact_name');

    const body = JSON.stringify(webForm({ client_token: 'bad-addr-1', address: 'ADDR' }));
    const [head, tail] = body.split('ADDR');
    const badAddress = Buffer.concat([Buffer.from(head), Buffer.from([0xe6, 0xb1]), Buffer.from('玄武区'), Buffer.from(tail)]);
    const b = await submit(badAddress);
    expect(b.status).toBe(202);
    expect(b.json.flags).toEqual(expect.arrayContaining(['repaired_utf8', 'repaired_utf8_address']));
  });

  it('keeps NUL bytes out of Postgres and ignores unknown fields', async () => {
    const res = await submit(webForm({ client_token: 'nul-1', content: '工厂\u0000夜间排放黑烟\u0000', surprise_field: { a: 1 } }));
    expect(res.status).toBe(202);
    expect(res.json.flags).toContain('nul_removed');
    const row = await db.query(`SELECT payload->>'text' AS text FROM submissions WHERE id = $1`, [res.json.id]);
    expect(row.rows[0].text).toBe('工厂夜间排放黑烟');
  });

  it('folds identical words at the same place into one case, and keeps them apart at another place', async () => {
    const content = '玄武区中山路的宏远铸造厂晚上排放大量黑烟，呛得人咳嗽，请尽快查处。';
    const a = await submit(webForm({ content, district_code: '320102', address: '南京市玄武区中山路' }));
    const b = await submit(webForm({ content: `${content} `, district_code: '320102', address: '南京市玄武区中山路' }));
    const other = '鼓楼区中山路的宏远铸造厂晚上排放大量黑烟，呛得人咳嗽，请尽快查处。';
    const c = await submit(webForm({ content: other, district_code: '320106', address: '南京市鼓楼区中山路' }));
    const [sa, sb, sc] = await Promise.all([judged(a.json.id), judged(b.json.id), judged(c.json.id)]);
    expect(sa.caseId).toBeTruthy();
    expect(sb.caseId).toBe(sa.caseId);
    expect(sc.caseId).not.toBe(sa.caseId);
    const count = await db.query('SELECT submission_count FROM cases WHERE id = $1', [sa.caseId]);
    expect(count.rows[0].submission_count).toBe(2);
    expect([sa.match, sb.match].sort()).toEqual(['auto', 'new']);
  });

  it('checks a given division code against the division data', async () => {
    const res = await submit(webForm({ client_token: 'bad-code-1', district_code: '999999', address: null, content: '有个工厂一直排放黑烟，气味很大。' }));
    const s = await judged(res.json.id);
    expect(s.division.code).toBeNull();
  });

  it('masks the complainant in responses unless the admin token is presented', async () => {
    const res = await submit(webForm({ client_token: 'mask-1', contact_name: '李建国', contact_phone: '13700001111' }));
    const open = await getJson(`${gw.url}/v1/submissions/${res.json.id}`);
    expect(JSON.stringify(open.json)).not.toContain('李建国');
    expect(JSON.stringify(open.json)).not.toContain('13700001111');
    const admin = await getJson(`${gw.url}/v1/submissions/${res.json.id}`, { authorization: 'Bearer test-admin-token' });
    expect(admin.json.complainant.name).toBe('李建国');
  });

  it('answers 404 for an unknown submission', async () => {
    expect((await getJson(`${gw.url}/v1/submissions/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await getJson(`${gw.url}/v1/submissions/not-a-uuid`)).status).toBe(404);
  });
});
