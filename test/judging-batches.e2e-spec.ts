import { Client } from 'pg';
import { startStack, type Stack } from './support/stack';
import { waitFor } from './support/env';
import { postJson } from './support/apps';
import { webForm } from './support/forms';

/**
 * The worker writes what it judged in one transaction at a time, and what was judged while a transaction
 * ran goes into the next one: under load the transactions grow instead of queueing on the block locks.
 */
describe('judging transactions', () => {
  let stack: Stack;
  let holder: Client;

  beforeAll(async () => {
    stack = await startStack();
    holder = new Client({ connectionString: stack.env.config.DATABASE_URL });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await stack?.close();
  });

  const firms = ['宏达', '金鹏', '华泰', '永兴', '蓝天', '绿源', '北辰', '汇丰', '瑞丰', '恒通'];
  const form = (i: number) =>
    webForm({
      client_token: `batch-${i}`,
      content: `南京市玄武区中山路${100 + i}号的${firms[i % firms.length]}化工厂第${i}车间每天晚上排放黑烟，气味刺鼻。`,
      address: null,
      contact_phone: `139000${String(i).padStart(5, '0')}`,
    });

  it('gathers what was judged while a transaction waited into one next transaction', async () => {
    // Another worker holds the block this city's air complaints are decided in.
    await holder.query(`SELECT pg_advisory_lock(hashtextextended('case-block|air|32', 0))`);
    let released = false;
    try {
      const first = await postJson(`${stack.gw.url}/v1/submissions`, form(0));
      expect(first.status).toBe(202);
      // The first transaction is now waiting on the lock; 30 more reports arrive meanwhile.
      await waitFor(async () => {
        const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        return rows[0].n > 0 ? true : undefined;
      });
      const posted = await Promise.all(Array.from({ length: 30 }, (_, k) => postJson(`${stack.gw.url}/v1/submissions`, form(k + 1))));
      expect(posted.every((p) => p.status === 202)).toBe(true);
      // Give the worker the time to load and judge them all while the lock is held.
      await waitFor(async () => {
        const validated = (await stack.worker.metrics.processed.get()).values.filter((v) => v.labels.stage === 'validate');
        return validated.reduce((n, v) => n + v.value, 0) >= 31 ? true : undefined;
      });
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended('case-block|air|32', 0))`);
      released = true;
      const rows = await waitFor(async () => {
        const r = await stack.db.query(`SELECT status, processed_at FROM submissions WHERE ref LIKE 'batch-%'`);
        return r.rows.length === 31 && r.rows.every((x) => x.status !== 'pending') ? r.rows : undefined;
      });
      expect(rows.every((r) => r.status === 'accepted')).toBe(true);
      // processed_at is the transaction's start time: the waiting one, and one for the thirty judged meanwhile.
      const transactions = new Set(rows.map((r) => r.processed_at.getTime()));
      expect(transactions.size).toBe(2);
    } finally {
      if (!released) await holder.query(`SELECT pg_advisory_unlock_all()`);
    }
  });
});
