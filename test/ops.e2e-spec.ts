import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { getJson, LogCapture, postJson, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';
import type { WorkerHandle } from '../apps/worker/src/worker';

const ADMIN = { authorization: 'Bearer test-admin-token' };

describe('operating the gateway: channels, health, metrics, queues, logs', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  const logs = new LogCapture();

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huiliu-seed-'));
    const seed = path.join(dir, 'channels.yaml');
    writeFileSync(seed, 'channels:\n  - type: web\n    name: city-portal\n    homeDivision: "320102"\n  - type: email\n    name: county-mailbox\n    enabled: false\n    settings: { host: 127.0.0.1, port: 1143, user: intake }\n    credentials: { password: s3cret-pass }\n');
    env = await createTestEnv({ CHANNELS_FILE: seed, WORKER_METRICS_PORT: String(30000 + Math.floor(Math.random() * 20000)) });
    env.config.WORKER_METRICS_URL = `http://127.0.0.1:${env.config.WORKER_METRICS_PORT}/metrics`;
    gw = await startGateway(env.config, logs.logger());
    worker = await startWorkerInProcess(env.config, logs.logger());
  });
  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await env?.dispose();
  });

  it('seeds channels from a declarative file and never shows credentials', async () => {
    const list = await getJson(`${gw.url}/v1/admin/channels`, ADMIN);
    expect(list.status).toBe(200);
    const names = list.json.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['city-portal', 'county-mailbox']));
    expect(JSON.stringify(list.json)).not.toContain('s3cret-pass');
    expect(list.json.find((c: { name: string }) => c.name === 'county-mailbox').credentials).toEqual({ password: '***' });
  });

  it('protects the admin API with the admin token', async () => {
    expect((await getJson(`${gw.url}/v1/admin/channels`)).status).toBe(401);
    expect((await getJson(`${gw.url}/v1/admin/channels`, { authorization: 'Bearer wrong-token' })).status).toBe(401);
  });

  it('creates, updates, disables and enables channels, effective without a restart', async () => {
    const created = await postJson(`${gw.url}/v1/admin/channels`, { type: 'web', name: 'app-form', settings: {} }, ADMIN);
    expect(created.status).toBe(201);
    const dup = await postJson(`${gw.url}/v1/admin/channels`, { type: 'web', name: 'app-form' }, ADMIN);
    expect(dup.status).toBe(409);
    const bad = await postJson(`${gw.url}/v1/admin/channels`, { type: 'fax', name: 'x' }, ADMIN);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('type');

    const ok = await postJson(`${gw.url}/v1/submissions?channel=app-form`, webForm());
    expect(ok.status).toBe(202);
    const disabled = await postJson(`${gw.url}/v1/admin/channels/app-form/disable`, {}, ADMIN);
    expect(disabled.json.enabled).toBe(false);
    await waitFor(async () => ((await postJson(`${gw.url}/v1/submissions?channel=app-form`, webForm())).status === 403 ? true : undefined), { what: 'the disable to take effect' });
    await postJson(`${gw.url}/v1/admin/channels/app-form/enable`, {}, ADMIN);

    const res = await fetch(`${gw.url}/v1/admin/channels/${created.json.id}`, { method: 'PATCH', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ homeDivision: '110105' }) });
    expect(res.status).toBe(200);
    const after = await res.json();
    expect(after).toMatchObject({ name: 'app-form', homeDivision: '110105', enabled: true });
  });

  it('records the channel each submission came through', async () => {
    const res = await postJson(`${gw.url}/v1/submissions?channel=city-portal`, webForm({ client_token: 'via-portal' }));
    const s = await getJson(`${gw.url}/v1/submissions/${res.json.id}`);
    const portal = (await getJson(`${gw.url}/v1/admin/channels/city-portal`, ADMIN)).json;
    expect(s.json.channelId).toBe(portal.id);
  });

  it('reports readiness of Postgres, Redis and the queue', async () => {
    const h = await getJson(`${gw.url}/health`);
    expect(h.status).toBe(200);
    expect(h.json.checks).toMatchObject({ postgres: { ok: true }, redis: { ok: true }, queueLag: { ok: true } });
    expect((await getJson(`${gw.url}/health/live`)).json).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics with queue depths and the pipeline counts and latencies', async () => {
    const res = await postJson(`${gw.url}/v1/submissions`, webForm({ client_token: 'metrics-1' }));
    await waitFor(async () => ((await getJson(`${gw.url}/v1/submissions/${res.json.id}`)).json.status !== 'pending' ? true : undefined));
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/huiliu_queue_jobs\{queue="intake",state="waiting"/);
    expect(text).toMatch(/huiliu_pipeline_processed_total\{channel="web",stage="validate",outcome="accepted"/);
    expect(text).toMatch(/huiliu_pipeline_stage_seconds_bucket\{le="[^"]+",process="worker",stage="locate"\}/);
  });

  it('puts the queue dashboard behind basic auth', async () => {
    expect((await fetch(`${gw.url}/ops/queues`)).status).toBe(401);
    const basic = `Basic ${Buffer.from('ops:test-admin-token').toString('base64')}`;
    const page = await fetch(`${gw.url}/ops/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('keeps failed jobs with their error, and they can be retried', async () => {
    const queue = new Queue('intake', { connection: new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: env.config.QUEUE_PREFIX });
    try {
      await queue.add('intake.judge', { submissionId: '00000000-0000-0000-0000-000000000001', sourceKey: 'web:ghost' }, { jobId: 'web-ghost', attempts: 1, removeOnFail: false });
      const failed = await waitFor(async () => (await queue.getJob('web-ghost'))?.failedReason || undefined, { what: 'the stale job to fail' });
      expect(failed).toContain('not in the inbox');
      const job = await queue.getJob('web-ghost');
      expect(await job!.getState()).toBe('failed');
      await job!.retry();
      expect(['waiting', 'active', 'failed']).toContain(await job!.getState());
    } finally {
      await queue.close();
    }
  });

  it('never writes a complainant name, phone or e-mail in clear to the logs', async () => {
    const secrets = { contact_name: '欧阳秘密', contact_phone: '13698765432', contact_email: 'whistle.blower@example.cn' };
    await postJson(`${gw.url}/v1/submissions`, webForm({ client_token: 'pii-1', ...secrets, content: `我是欧阳秘密，电话13698765432，邮箱whistle.blower@example.cn，身份证110105199001011234，工厂排放黑烟。` }));
    // A failing path logs too: a submission the inbox cannot store.
    await postJson(`${gw.url}/v1/submissions?channel=no-such-channel`, webForm({ ...secrets }));
    await waitFor(async () => (logs.lines.length > 0 ? true : undefined));
    const all = logs.lines.join('\n');
    for (const s of ['13698765432', 'whistle.blower@example.cn', '110105199001011234', '欧阳秘密']) expect(all).not.toContain(s);
  });
});
