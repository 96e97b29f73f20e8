import IORedis from 'ioredis';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { createTestEnv, dbUrl, TEST_DB_PREFIX, waitFor, type TestEnv } from './support/env';
import { exited, postJson, spawnApp, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';
import { TcpProxy } from './support/tcp-proxy';

async function countWhere(db: Client, sql: string, params: unknown[] = []): Promise<number> {
  return (await db.query(sql, params)).rows[0].n;
}

describe('nothing is lost when Redis, the worker or Postgres fail', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    env = await createTestEnv();
    gw = await startGateway(env.config);
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await gw?.close();
    await env?.dispose();
  });

  it('processes a submission whose job Redis lost after the 202 (FLUSHDB), with no manual step', async () => {
    const res = await postJson(`${gw.url}/v1/submissions`, webForm({ client_token: 'flush-1' }));
    expect(res.status).toBe(202);
    const redis = new IORedis(env.config.REDIS_URL);
    await redis.flushdb();
    redis.disconnect();

    const worker = await startWorkerInProcess(env.config);
    try {
      const row = await waitFor(async () => {
        const r = await db.query(`SELECT status, case_id FROM submissions WHERE id = $1`, [res.json.id]);
        return r.rows[0].status !== 'pending' ? r.rows[0] : undefined;
      }, { what: 'the swept submission to be judged' });
      expect(row.status).toBe('accepted');
      expect(row.case_id).toBeTruthy();
    } finally {
      await worker.close();
    }
  });

  it('re-runs jobs of a worker killed with SIGKILL mid-job and ends with exactly one case', async () => {
    // The worker reaches Postgres through a proxy we stall: its jobs are taken (active) and hang in the
    // middle of their database work when the process is killed.
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.config.DATABASE_URL).port || 5432));
    await proxy.start();
    const viaProxy = new URL(env.config.DATABASE_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;

    const content = '玄武区北京东路的永丰印染厂深夜偷排废水，河水发黑发臭，请查处。';
    const ids: string[] = [];
    const queue = new Queue('intake', { connection: new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: env.config.QUEUE_PREFIX });
    const child = spawnApp('worker', { ...env.env, DATABASE_URL: viaProxy.toString(), SWEEP_AFTER_MS: '600000', LOG_LEVEL: 'info' });
    try {
      await waitFor(async () => (child.output().includes('worker started') ? true : undefined), { what: 'the worker to start' });
      proxy.stall();
      for (let i = 0; i < 20; i++) {
        const r = await postJson(`${gw.url}/v1/submissions`, webForm({ client_token: `kill-${i}`, content, district_code: '320102', address: '南京市玄武区北京东路' }));
        ids.push(r.json.id);
      }
      await waitFor(async () => ((await queue.getJobCounts('active')).active > 0 ? true : undefined), { what: 'jobs to be active' });
      child.kill('SIGKILL');
      await exited(child);
    } finally {
      proxy.restore();
      await proxy.stop();
    }
    expect(await countWhere(db, `SELECT count(*)::int AS n FROM submissions WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [ids])).toBeGreaterThan(0);

    const worker = await startWorkerInProcess({ ...env.config, SWEEP_AFTER_MS: 600000 });
    try {
      await waitFor(async () => ((await countWhere(db, `SELECT count(*)::int AS n FROM submissions WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [ids])) === 0 ? true : undefined), {
        timeoutMs: 40000,
        what: 'the stalled jobs to run again',
      });
    } finally {
      await worker.close();
      await queue.close();
    }
    const cases = await db.query(`SELECT DISTINCT case_id FROM submissions WHERE id = ANY($1::uuid[])`, [ids]);
    expect(cases.rows).toHaveLength(1);
    const count = await db.query(`SELECT submission_count FROM cases WHERE id = $1`, [cases.rows[0].case_id]);
    expect(count.rows[0].submission_count).toBe(20);
  });

  it('answers 503 when Postgres is unreachable at submit time, and enqueues and writes nothing', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.config.DATABASE_URL).port || 5432));
    await proxy.start();
    const viaProxy = new URL(env.config.DATABASE_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const prefix = `${env.config.QUEUE_PREFIX}pg`;
    const gw2 = await startGateway({ ...env.config, DATABASE_URL: viaProxy.toString(), QUEUE_PREFIX: prefix });
    const queue = new Queue('intake', { connection: new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    try {
      const ok = await postJson(`${gw2.url}/v1/submissions`, webForm({ client_token: 'pg-up-1' }));
      expect(ok.status).toBe(202);
      // The job is added just after the 202 (the row is what must be durable first): wait for it.
      const before = await waitFor(async () => ((await queue.count()) === 1 ? 1 : undefined), { what: 'the first job to be queued' });
      proxy.cut();
      const res = await postJson(`${gw2.url}/v1/submissions`, webForm({ client_token: 'pg-down-1' }));
      expect(res.status).toBe(503);
      expect(await queue.count()).toBe(before);
    } finally {
      proxy.restore();
      await gw2.close();
      await proxy.stop();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    expect(await countWhere(db, `SELECT count(*)::int AS n FROM submissions WHERE ref = 'pg-down-1'`)).toBe(0);
  });
});

describe('start-up refuses what it cannot work with, with a clear message', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.dispose());

  it('exits at once naming PostgreSQL and the URL it tried', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/huiliu';
    const child = spawnApp('gateway', { ...env.env, DATABASE_URL: url });
    expect(await exited(child, 10000)).toBe(1);
    expect(child.output()).toContain('PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/huiliu');
    expect(child.output()).toMatch(/pg_ctlcluster|DATABASE_URL/);
    expect(child.output()).not.toMatch(/^\s+at /m);
  });

  it('exits at once naming Redis and the URL it tried', async () => {
    const child = spawnApp('worker', { ...env.env, REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(await exited(child, 10000)).toBe(1);
    expect(child.output()).toContain('Redis is not reachable at redis://127.0.0.1:1/0');
  });

  it('refuses a Redis whose maxmemory-policy is not noeviction', async () => {
    const { spawn } = await import('node:child_process');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    try {
      await waitFor(async () => {
        const c = new IORedis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return (await c.ping()) === 'PONG' ? true : undefined;
        } finally {
          c.disconnect();
        }
      }, { what: 'the throwaway redis-server' });
      const child = spawnApp('gateway', { ...env.env, REDIS_URL: `redis://127.0.0.1:${port}/0` });
      expect(await exited(child, 10000)).toBe(1);
      expect(child.output()).toContain('maxmemory-policy is "allkeys-lru"');
      expect(child.output()).toContain('noeviction');
    } finally {
      redis.kill('SIGKILL');
    }
  });

  it('refuses a malformed setting, naming the variable', async () => {
    const child = spawnApp('gateway', { ...env.env, PORT: 'eighty' });
    expect(await exited(child, 10000)).toBe(1);
    expect(child.output()).toContain('PORT');
  });

  it('creates its database on a fresh server and serves', async () => {
    const name = `${TEST_DB_PREFIX}fresh${Date.now()}`;
    const child = spawnApp('gateway', { ...env.env, DATABASE_URL: dbUrl(name), PORT: '0', LOG_LEVEL: 'info' });
    try {
      await waitFor(async () => (child.output().includes('gateway listening on') ? true : undefined), { timeoutMs: 20000, what: 'the gateway to listen' });
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
