import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { loadConfig, type AppConfig } from '../../libs/platform/src';

const PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_URL = PG_BASE;
/**
 * Databases are named after the jest run (its main process id), so parallel runs on one machine never
 * drop each other's databases; global setup removes only those of runs whose process is gone.
 */
export const RUN_ID = process.env.HUILIU_TEST_RUN ?? String(process.pid);
export const TEMPLATE_DB = `huiliu_tpl_${RUN_ID}`;
export const TEST_DB_PREFIX = `huiliu_t_${RUN_ID}_`;
export const REDIS_BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function dbUrl(name: string): string {
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  return u.toString();
}
export const templateUrl = () => dbUrl(TEMPLATE_DB);

/** Each jest worker gets its own Redis database, so a test that flushes it touches nobody else. */
export function redisUrlForWorker(): string {
  const u = new URL(REDIS_BASE);
  u.pathname = `/${1 + (Number(process.env.JEST_WORKER_ID ?? '1') % 15)}`;
  return u.toString();
}

export interface TestEnv {
  config: AppConfig;
  dbName: string;
  blobRoot: string;
  env: Record<string, string>;
  /** Drops the database, the queue keys and the blob folder. */
  dispose(): Promise<void>;
}

/**
 * A private world for one test file: a database cloned from the migrated template, its own queue prefix
 * in this worker's Redis database, its own blob folder.
 */
export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const dbName = `${TEST_DB_PREFIX}${id}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${dbName}" TEMPLATE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const blobRoot = mkdtempSync(path.join(tmpdir(), 'huiliu-blobs-'));
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl(dbName),
    REDIS_URL: redisUrlForWorker(),
    QUEUE_PREFIX: `t${id}`,
    BLOB_ROOT: blobRoot,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_TOKEN: 'test-admin-token',
    WORKER_METRICS_PORT: '0',
    SWEEP_INTERVAL_MS: '500',
    SWEEP_AFTER_MS: '1000',
    WORKER_LOCK_MS: '2000',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
  const config = loadConfig(env);
  return {
    config,
    dbName,
    blobRoot,
    env,
    async dispose() {
      const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
        for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      } finally {
        redis.disconnect();
      }
      const a = new Client({ connectionString: ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
      rmSync(blobRoot, { recursive: true, force: true });
    },
  };
}

/** Polls until `probe` returns a value that is not undefined, or fails after the timeout. Never a bare sleep. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
