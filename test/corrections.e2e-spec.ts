import type { Client } from 'pg';
import { startStack, type Stack } from './support/stack';
import { waitFor, type TestEnv } from './support/env';
import { exited, getJson, postJson, spawnApp, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';

const ADMIN = { authorization: 'Bearer test-admin-token' };

describe('explainable and correctable judgements', () => {
  let stack: Stack;
  let env: TestEnv;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack();
    ({ env, gw, db } = stack);
  });
  afterAll(async () => stack?.close());

  const judged = async (body: Record<string, unknown>) => {
    const res = await postJson(`${gw.url}/v1/submissions`, body);
    return waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/submissions/${res.json.id}`);
      return r.json.status !== 'pending' ? r.json : undefined;
    });
  };

  it('explains each decision with its rule, terms and table', async () => {
    const s = await judged(webForm({ client_token: 'explain-1' }));
    expect(s.status).toBe('accepted');
    const rules = s.reasons.map((r: { stage: string; rule: string }) => `${r.stage}:${r.rule}`);
    expect(rules.some((r: string) => r.startsWith('validate:'))).toBe(true);
    expect(rules.some((r: string) => r.startsWith('locate:'))).toBe(true);
    expect(rules.some((r: string) => r.startsWith('classify:'))).toBe(true);
    expect(s.reasons.some((r: { ruleTable?: string }) => r.ruleTable && /@/.test(r.ruleTable))).toBe(true);
  });

  it('refers an out-of-scope complaint to a department', async () => {
    const s = await judged(webForm({ client_token: 'oos-1', title: '物业乱收费', content: '我们小区物业乱收停车费，一个月涨了两次，请管一管。' }));
    expect(s.status).toBe('out_of_scope');
    expect(s.referral).toBeTruthy();
  });

  it('keeps an officer correction with who and when, and a rejudge never overwrites it', async () => {
    const s = await judged(webForm({ client_token: 'correct-1' }));
    expect(s.category).toBe('air');
    const unauth = await postJson(`${gw.url}/v1/submissions/${s.id}/corrections`, { by: 'x', category: 'water' });
    expect(unauth.status).toBe(401);
    const bad = await postJson(`${gw.url}/v1/submissions/${s.id}/corrections`, { by: '王科长', division: '999999' }, ADMIN);
    expect(bad.status).toBe(400);
    const ok = await postJson(`${gw.url}/v1/submissions/${s.id}/corrections`, { by: '王科长', reason: '现场核实为废水', category: 'water', division: '320104' }, ADMIN);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ category: 'water', division: { code: '320104', level: 'county' } });
    const history = await getJson(`${gw.url}/v1/submissions/${s.id}/corrections`, ADMIN);
    expect(history.json.map((c: { field: string; correctedBy: string }) => [c.field, c.correctedBy]).sort()).toEqual([
      ['category', '王科长'],
      ['division', '王科长'],
    ]);

    // An unrelated submission whose stored decision is stale: the rejudge puts it right and says so.
    const other = await judged(webForm({ client_token: 'stale-1' }));
    await db.query(`UPDATE submissions SET category = 'noise' WHERE id = $1`, [other.id]);

    const child = spawnApp('cli', env.env, ['rejudge']);
    expect(await exited(child, 60000)).toBe(0);
    const report = JSON.parse(child.output().trim().split('\n').pop()!);
    expect(report.examined).toBeGreaterThanOrEqual(4);
    expect(report.changes).toEqual([expect.objectContaining({ id: other.id, field: 'category', from: 'noise', to: 'air' })]);

    const after = await getJson(`${gw.url}/v1/submissions/${s.id}`);
    expect(after.json).toMatchObject({ category: 'water', division: { code: '320104' } });
    expect(after.json.reasons.some((r: { rule: string }) => r.rule === 'officer_correction')).toBe(true);
  });
});
