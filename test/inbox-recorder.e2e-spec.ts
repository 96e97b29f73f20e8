import IORedis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { parseWebForm } from '../libs/adapters/src';
import { InboxRecorder, IntakeQueue } from '../libs/intake/src';
import { createLogger, FsBlobStore } from '../libs/platform/src';
import { ChannelRepository, createDataSource, SubmissionRepository } from '../libs/store/src';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { webForm } from './support/forms';
import { TcpProxy } from './support/tcp-proxy';

describe('the inbox recorder', () => {
  let env: TestEnv;
  let ds: DataSource;
  let db: Client;
  let channelId: string;

  beforeAll(async () => {
    env = await createTestEnv();
    ds = await createDataSource(env.config.DATABASE_URL, { poolSize: 4 }).initialize();
    channelId = (await new ChannelRepository(ds).defaultFor('web')).id;
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await ds?.destroy();
    await env?.dispose();
  });

  function recorderOn(redis: IORedis, queueingWaitMs?: number) {
    const blobs = new FsBlobStore(env.blobRoot);
    const intake = new IntakeQueue(redis, env.config.QUEUE_PREFIX);
    const recorder = new InboxRecorder({ repo: new SubmissionRepository(ds), blobs, intake, logger: createLogger({ level: 'silent' }) }, { batchMs: 2, batchSize: 500, queueingWaitMs });
    return { recorder, intake, blobs };
  }

  function request(token: string) {
    const parsed = parseWebForm(Buffer.from(JSON.stringify(webForm({ client_token: token }))), { idempotencyKey: null, maxAttachmentBytes: 1024 });
    if (!parsed.ok) throw new Error(parsed.reason);
    return { channelId, submission: parsed.submission, raw: parsed.raw, rawContentType: 'application/json' };
  }

  it('commits concurrent submissions together and queues them for judging', async () => {
    const redis = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: 2 });
    const { recorder, intake, blobs } = recorderOn(redis);
    try {
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => recorder.record(request(`together-${i}`))));
      expect(outcomes.every((o) => o.created && o.status === 'pending')).toBe(true);
      const ids = new Set(outcomes.map((o) => o.id));
      // Every recorded submission is in some intake job, single or batch.
      const queued = await waitFor(async () => {
        const jobs = await intake.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1);
        const inJobs = new Set(jobs.flatMap((j) => ('submissionIds' in j.data ? j.data.submissionIds : [j.data.submissionId])));
        return [...ids].every((id) => inJobs.has(id)) ? inJobs : undefined;
      }, { what: 'the recorded submissions to be queued' });
      expect(queued.size).toBeGreaterThanOrEqual(20);
      expect((await intake.queue.getJobs(['waiting'], 0, -1)).length).toBeLessThan(20);
    } finally {
      await recorder.close();
      await intake.close();
      await blobs.close();
      redis.disconnect();
    }
  });

  it('answers once the submission is durable, without waiting on a Redis that does not answer', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(env.config.REDIS_URL).port || 6379));
    await proxy.start();
    const viaProxy = new URL(env.config.REDIS_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const redis = new IORedis(viaProxy.toString(), { maxRetriesPerRequest: 2 });
    const { recorder, intake, blobs } = recorderOn(redis, 200);
    try {
      await redis.ping();
      proxy.stall();
      const t0 = Date.now();
      const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => recorder.record(request(`stalled-${i}`))));
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(outcomes.every((o) => o.created)).toBe(true);
      const rows = await db.query(`SELECT id, raw FROM submissions WHERE id = ANY($1::uuid[])`, [outcomes.map((o) => o.id)]);
      expect(rows.rows).toHaveLength(5);
      for (const r of rows.rows) expect(JSON.parse((await blobs.read(r.raw)).toString('utf8')).client_token).toMatch(/^stalled-/);
      // Closing does not hang on the job that cannot be added; the sweeper queues it later.
      const c0 = Date.now();
      await recorder.close();
      expect(Date.now() - c0).toBeLessThan(3000);
    } finally {
      proxy.cut();
      await intake.close().catch(() => undefined);
      await blobs.close();
      redis.disconnect();
      await proxy.stop();
    }
  });

  it("records inside the caller's transaction: nothing if it rolls back, each raw with its own type, jobs once committed", async () => {
    const redis = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: 2 });
    const { recorder, intake, blobs } = recorderOn(redis);
    const broken = { ...request('within-broken'), submission: { ...request('within-broken').submission, channelType: 'carrier-pigeon' } } as never;
    try {
      const rolledBack = request('within-rolled-back');
      let rolledBackId = '';
      await expect(
        ds.transaction(async (em) => {
          const [outcome] = await recorder.recordIn(em, [rolledBack]);
          expect(outcome).toMatchObject({ created: true });
          rolledBackId = (outcome as { id: string }).id;
          throw new Error('the caller fails after recording');
        }),
      ).rejects.toThrow('the caller fails');
      expect((await db.query(`SELECT 1 FROM submissions WHERE id = $1 OR payload->>'ref' = $2`, [rolledBackId, rolledBack.submission.ref])).rows).toHaveLength(0);

      const xml = { ...request('within-xml'), raw: Buffer.from('<xml/>'), rawContentType: 'application/xml' };
      const outcomes = await ds.transaction((em) => recorder.recordIn(em, [request('within-1'), broken, xml]));
      expect(outcomes[1]).toBeInstanceOf(Error);
      const recorded = [outcomes[0], outcomes[2]] as { id: string; created: boolean }[];
      expect(recorded.every((o) => o.created)).toBe(true);
      const rows = (await db.query(`SELECT id, raw FROM submissions WHERE id = ANY($1::uuid[]) ORDER BY seq`, [recorded.map((o) => o.id)])).rows;
      expect(rows.map((r) => r.raw.contentType)).toEqual(['application/json', 'application/xml']);
      expect((await blobs.read(rows[1].raw)).toString('utf8')).toBe('<xml/>');

      recorder.queueRecorded(recorded as never);
      await waitFor(async () => {
        const jobs = await intake.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1);
        const inJobs = new Set(jobs.flatMap((j) => ('submissionIds' in j.data ? j.data.submissionIds : [j.data.submissionId])));
        return recorded.every((o) => inJobs.has(o.id)) || undefined;
      }, { what: 'the submissions recorded in the transaction to be queued' });
    } finally {
      await recorder.close();
      await intake.close();
      await blobs.close();
      redis.disconnect();
    }
  });
});
