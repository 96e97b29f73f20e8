import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';

/**
 * Runs `fn` while this process holds the Postgres advisory lock named `name` (in every gateway and worker
 * process alike). The lock is tried rather than waited for, so a request waiting for it holds no pooled
 * connection: the holder's own work needs connections from the same pool.
 */
export async function withAdvisoryLock<T>(ds: DataSource, name: string, fn: () => Promise<T>, opts: { retryMs?: number; timeoutMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  for (;;) {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ held }]: { held: boolean }[] = await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held', [name]);
      if (held) {
        try {
          return await fn();
        } finally {
          await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
        }
      }
    } finally {
      await runner.release();
    }
    if (Date.now() > deadline) throw new Error(`advisory lock ${name} not obtained within ${opts.timeoutMs ?? 15000} ms`);
    await sleep(opts.retryMs ?? 10);
  }
}
