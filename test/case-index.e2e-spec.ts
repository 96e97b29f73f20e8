import type { DataSource } from 'typeorm';
import { createTestEnv, type TestEnv } from './support/env';
import { CaseIndexRepository, createDataSource, PROBE_CASES_PER_KEY, type CaseWrite } from '@huiliu/store';

/** The case index in Postgres: what one probe may bring back. */
describe('case index probes', () => {
  let env: TestEnv;
  let ds: DataSource;
  const index = new CaseIndexRepository();

  beforeAll(async () => {
    env = await createTestEnv();
    ds = createDataSource(env.config.DATABASE_URL);
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.dispose();
  });

  const caseRow = (n: number, at: Date): CaseWrite => ({
    id: `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    isNew: true,
    status: 'open',
    features: null,
    divisionCode: '320102',
    divisionLevel: 'county',
    category: 'air',
    title: `case ${n}`,
    submissionCount: 1,
    channelTypes: ['web'],
    firstReportedAt: at,
    lastReportedAt: at,
    repeatCount: 0,
    suggestedCount: 0,
  });

  it('brings back at most PROBE_CASES_PER_KEY cases for a key many cases share, the most recent ones', async () => {
    // A placeholder phone shared by many callers: one key, far more cases than a probe may load.
    const shared = '7011223344556677';
    const own = '-5011223344556677';
    const t0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: PROBE_CASES_PER_KEY + 40 }, (_, n) => caseRow(n, new Date(t0 + n * 60_000)));
    await ds.transaction((em) =>
      index.save(
        em,
        rows,
        rows.flatMap((c, n) => [
          { caseId: c.id, key: shared, division: 320102, lastAt: c.lastReportedAt! },
          // The oldest case also has a key of its own: other keys still reach a case the shared key cannot.
          ...(n === 0 ? [{ caseId: c.id, key: own, division: 320102, lastAt: c.lastReportedAt! }] : []),
        ]),
      ),
    );
    const since = new Date(t0 - 86_400_000);
    const probe = (key: string, lo: number, hi: number) => ({ i: 0, key, lo, hi, since });

    const exact = await ds.transaction((em) => index.probeAndLoad(em, [probe(shared, 320102, 320102)]));
    expect(exact.cases).toHaveLength(PROBE_CASES_PER_KEY);
    const newest = rows.slice(-PROBE_CASES_PER_KEY).map((c) => c.id).sort();
    expect(exact.cases.map((c) => c.id).sort()).toEqual(newest);

    // A range probe (the province block) is capped the same way.
    const range = await ds.transaction((em) => index.probeAndLoad(em, [probe(shared, 320000, 329999)]));
    expect(range.cases.map((c) => c.id).sort()).toEqual(newest);

    const both = await ds.transaction((em) => index.probeAndLoad(em, [probe(shared, 320102, 320102), { ...probe(own, 320102, 320102), i: 1 }]));
    expect(both.cases).toHaveLength(PROBE_CASES_PER_KEY + 1);
    expect(both.hits.filter((h) => h.i === 1).map((h) => h.caseId)).toEqual([rows[0].id]);
  });
});
