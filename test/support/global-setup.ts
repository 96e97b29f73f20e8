import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '../../libs/store/src';
import { ensurePostgres, ensureRedis } from '../../libs/platform/src';
import { ADMIN_URL } from './env';

/**
 * Once per `npm test`: checks the services, builds dist/ (process tests spawn the real apps) and
 * prepares a migrated template database that each test file clones in milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  await ensurePostgres(ADMIN_URL);
  await ensureRedis(redisUrl);
  execFileSync(process.execPath, [path.join(__dirname, '../../scripts/build.js')], { stdio: 'inherit' });

  process.env.HUILIU_TEST_RUN = String(process.pid);
  const { TEMPLATE_DB, templateUrl } = await import('./env');
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    // Leftovers of interrupted runs: databases of a run whose process no longer exists.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname ~ '^huiliu_(t|tpl)_[0-9]+'`);
    for (const r of stale.rows) {
      const pid = Number(/^huiliu_(?:t|tpl)_(\d+)/.exec(r.datname)![1]);
      if (!alive(pid)) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const ds = await createDataSource(templateUrl()).initialize();
  await runMigrations(ds);
  await ds.destroy();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
