import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { exited, getJson, LogCapture, postJson, spawnApp, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import type { WorkerHandle } from '../apps/worker/src/worker';
import { FsBlobStore } from '../libs/platform/src';

const ADMIN = { authorization: 'Bearer test-admin-token' };

async function patchJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json', ...ADMIN }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const API_KEY = 'cityapp-key-0123456789';
const SECRET = 'whsec_weibo_0123456789abcdef';

/** A city service app: one report per request, API key auth. */
const cityApp = {
  type: 'webhook',
  name: 'cityapp',
  settings: {
    auth: { kind: 'api_key', header: 'X-Api-Key' },
    mapping: {
      fields: {
        ref: { template: 'cityapp-{$.data.reportNo}' },
        title: '$.data.title',
        text: { path: '$.data.content', transforms: [{ op: 'trim' }] },
        address: '$.data.address',
        districtCode: '$.data.adcode',
        submittedAt: { path: '$.data.createdAt', transforms: [{ op: 'date', format: 'YYYY-MM-DD HH:mm:ss', zone: '+08:00' }] },
        declaredCategory: { path: '$.data.type', transforms: [{ op: 'map', table: { '1': 'air', '2': 'water' } }] },
        'complainant.name': '$.data.reporter.name',
        'complainant.phone': '$.data.reporter.mobile',
      },
    },
  },
  credentials: { key: API_KEY },
};

/** A Weibo monitoring vendor: batches of posts, HMAC-SHA256 over "{timestamp}.{body}". */
const weibo = {
  type: 'webhook',
  name: 'weibo-monitor',
  settings: {
    auth: { kind: 'hmac', header: 'X-Signature', prefix: 'sha256=', timestampHeader: 'X-Timestamp', toleranceSeconds: 300 },
    mapping: {
      items: '$.posts[*]',
      fields: {
        ref: { template: 'weibo-{$.mid}' },
        text: '$.text',
        submittedAt: { path: '$.created', transforms: [{ op: 'date', format: 'epoch_s' }] },
        region: '$.user.location',
        label: { const: '微博舆情' },
      },
    },
  },
  credentials: { secret: SECRET },
};

function report(reportNo: number | string, over: Record<string, unknown> = {}) {
  return {
    code: 0,
    data: {
      reportNo,
      title: '化工厂排放黑烟',
      content: '  南京市玄武区中山路100号的宏达化工厂每天晚上排放黑烟，气味刺鼻，窗户都不敢开，请尽快查处。  ',
      address: '江苏省南京市玄武区中山路100号',
      adcode: '320102',
      createdAt: '2024-09-03 18:42:10',
      type: 1,
      reporter: { name: '王秀英', mobile: '13800001234' },
      ...over,
    },
  };
}

function signed(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`${timestamp}.`).update(Buffer.from(body, 'utf8')).digest('hex');
  return { 'X-Signature': `sha256=${sig}`, 'X-Timestamp': String(timestamp) };
}

describe('no-code webhook sources', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;
  const logs = new LogCapture();

  beforeAll(async () => {
    env = await createTestEnv({ WEBHOOK_BODY_LIMIT: '64kb' });
    gw = await startGateway(env.config, logs.logger('info'));
    worker = await startWorkerInProcess(env.config);
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await gw?.close();
    await env?.dispose();
  });

  const hook = (name: string, body: unknown, headers: Record<string, string> = {}) => postJson(`${gw.url}/v1/hooks/${name}`, body, headers);
  const count = async (where = "channel_type = 'webhook'", params: unknown[] = []) =>
    (await db.query(`SELECT count(*)::int AS n FROM submissions WHERE ${where}`, params)).rows[0].n as number;
  const judged = (id: string) =>
    waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/submissions/${id}`);
      return r.json.status !== 'pending' ? r.json : undefined;
    }, { what: `submission ${id} judged` });

  describe('channels are created through the admin API', () => {
    it('creates an API-key and an HMAC source; the secrets stay in credentials and are never shown', async () => {
      const a = await postJson(`${gw.url}/v1/admin/channels`, cityApp, ADMIN);
      expect(a.status).toBe(201);
      expect(a.json.credentials).toEqual({ key: '***' });
      const b = await postJson(`${gw.url}/v1/admin/channels`, weibo, ADMIN);
      expect(b.status).toBe(201);
      const shown = await getJson(`${gw.url}/v1/admin/channels/weibo-monitor`, ADMIN);
      expect(JSON.stringify(shown.json)).not.toContain(SECRET);
      expect(shown.json.settings.auth).toMatchObject({ kind: 'hmac', header: 'X-Signature' });
    });

    it('refuses wrong settings with 400 naming the field', async () => {
      const bareRef = await postJson(`${gw.url}/v1/admin/channels`, { ...cityApp, name: 'bare-ref', settings: { ...cityApp.settings, mapping: { fields: { ref: '$.id' } } } }, ADMIN);
      expect(bareRef.status).toBe(400);
      expect(bareRef.json.fields).toEqual([expect.stringMatching(/^settings\.mapping\.fields\.ref: the ref needs a source prefix/)]);

      const badPath = await postJson(`${gw.url}/v1/admin/channels`, { ...cityApp, name: 'bad-path', settings: { ...cityApp.settings, mapping: { fields: { ref: { template: 'x-{$.id}' }, text: 'content' } } } }, ADMIN);
      expect(badPath.status).toBe(400);
      expect(badPath.json.fields.join()).toMatch(/settings\.mapping\.fields\.text(\.path)?: path "content" must start with \$/);

      const secretInSettings = await postJson(`${gw.url}/v1/admin/channels`, { ...weibo, name: 'leaky', settings: { ...weibo.settings, auth: { ...weibo.settings.auth, secret: SECRET } } }, ADMIN);
      expect(secretInSettings.status).toBe(400);
      expect(secretInSettings.json.fields.join()).toMatch(/settings\.auth\.secret: .*credentials/);

      const noSecret = await postJson(`${gw.url}/v1/admin/channels`, { ...weibo, name: 'no-secret', credentials: {} }, ADMIN);
      expect(noSecret.status).toBe(400);
      expect(noSecret.json.fields).toEqual([expect.stringMatching(/^credentials\.secret: /)]);

      const list = await getJson(`${gw.url}/v1/admin/channels`, ADMIN);
      expect(list.json.map((c: { name: string }) => c.name)).not.toEqual(expect.arrayContaining(['bare-ref', 'bad-path', 'leaky', 'no-secret']));
    });
  });

  describe('an API-key source', () => {
    it('records a push, answers 202 with the submission id, and the worker judges it into a case', async () => {
      const res = await hook('cityapp', report(1001), { 'X-Api-Key': API_KEY });
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ channel: 'cityapp', items: 1, recorded: 1, duplicates: 0, errors: [] });
      const [item] = res.json.submissions;
      expect(item).toMatchObject({ index: 0, ref: 'cityapp-1001', duplicate: false, statusUrl: `/v1/submissions/${item.id}` });

      const s = await judged(item.id);
      expect(s.status).toBe('accepted');
      expect(s.caseId).toBeTruthy();
      expect(s.channel).toBe('webhook');
      expect(s.division.code).toBe('320102');
      expect(s.text).toBe('南京市玄武区中山路100号的宏达化工厂每天晚上排放黑烟，气味刺鼻，窗户都不敢开，请尽快查处。');

      const row = await db.query(`SELECT source_key, payload, raw, channel_id FROM submissions WHERE id = $1`, [item.id]);
      expect(row.rows[0].source_key).toBe('webhook:cityapp-1001');
      expect(row.rows[0].payload).toMatchObject({ submittedAt: '2024-09-03T18:42:10+08:00', declaredCategory: 'air' });
      // The raw original is the request body, byte for byte.
      const raw = row.rows[0].raw;
      const store = new FsBlobStore(env.config.BLOB_ROOT);
      const bytes = await store.read(raw);
      expect(JSON.parse(bytes.toString('utf8'))).toEqual(report(1001));
      await store.close();
    });

    it('is idempotent by source key: the same payload twice, even concurrently, is one submission', async () => {
      const all = await Promise.all(Array.from({ length: 6 }, () => hook('cityapp', report(1002), { 'X-Api-Key': API_KEY })));
      expect(all.map((r) => r.status)).toEqual(Array(6).fill(202));
      expect(new Set(all.map((r) => r.json.submissions[0].id)).size).toBe(1);
      expect(all.filter((r) => r.json.duplicates === 0)).toHaveLength(1);
      expect(await count('source_key = $1', ['webhook:cityapp-1002'])).toBe(1);
    });

    it('answers 401 to a wrong or missing key and records nothing', async () => {
      const before = await count();
      const wrong = await hook('cityapp', report(1003), { 'X-Api-Key': 'cityapp-key-wrong-000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.reason).toBe('bad_key');
      const missing = await hook('cityapp', report(1003));
      expect(missing.status).toBe(401);
      expect(missing.json.reason).toBe('missing_header');
      expect(await count()).toBe(before);
    });

    it('answers 422 with the field when nothing can be mapped, or the body is not JSON', async () => {
      const before = await count();
      const noRef = await hook('cityapp', { code: 0, data: { content: '没有编号' } }, { 'X-Api-Key': API_KEY });
      expect(noRef.status).toBe(422);
      expect(noRef.json.errors).toEqual([{ index: 0, field: 'ref', message: '$.data.reportNo is missing' }]);
      const notJson = await hook('cityapp', '{"code": 0, "data": ', { 'X-Api-Key': API_KEY });
      expect(notJson.status).toBe(422);
      expect(notJson.json.errors[0].field).toBe('body');
      expect(await count()).toBe(before);
    });

    it('keeps a submission whose optional field cannot be read, reporting the field', async () => {
      const res = await hook('cityapp', report(1004, { createdAt: '2024-02-30 10:00:00' }), { 'X-Api-Key': API_KEY });
      expect(res.status).toBe(202);
      expect(res.json.recorded).toBe(1);
      expect(res.json.errors).toEqual([{ index: 0, field: 'submittedAt', message: expect.stringMatching(/not a real date/) }]);
    });

    it('answers 413 to a body over WEBHOOK_BODY_LIMIT, 404 to an unknown channel', async () => {
      const big = await hook('cityapp', report(1005, { content: '黑烟'.repeat(40_000) }), { 'X-Api-Key': API_KEY });
      expect(big.status).toBe(413);
      expect(big.json.message).toBe('body over the 65536-byte limit');
      expect(await count('ref = $1', ['cityapp-1005'])).toBe(0);
      const unknown = await hook('no-such-source', report(1006), { 'X-Api-Key': API_KEY });
      expect(unknown.status).toBe(404);
      // A channel of another type is not a webhook source.
      const web = await postJson(`${gw.url}/v1/admin/channels`, { type: 'web', name: 'site-form' }, ADMIN);
      expect(web.status).toBe(201);
      expect((await hook('site-form', report(1006), { 'X-Api-Key': API_KEY })).status).toBe(404);
    });
  });

  describe('an HMAC source with batch payloads', () => {
    const posts = (over: Record<string, unknown>[] = []) => ({
      batch: `b-${Date.now()}`,
      posts: [
        { mid: '4990001', text: '小区旁边的工地天天夜里施工，噪音太大了', created: 1725321900, user: { location: '江苏 南京' } },
        { text: '没有编号的一条', created: 1725321900 },
        { mid: '4990003', text: '河道里漂着死鱼，水面发黑发臭', created: 'yesterday', user: { location: '浙江 杭州' } },
        ...over,
      ],
    });

    it('records the good items of a batch and reports the bad one', async () => {
      const body = JSON.stringify(posts());
      const res = await hook('weibo-monitor', body, signed(body));
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ items: 3, recorded: 2, duplicates: 0 });
      expect(res.json.submissions.map((s: { index: number; ref: string }) => [s.index, s.ref])).toEqual([
        [0, 'weibo-4990001'],
        [2, 'weibo-4990003'],
      ]);
      expect(res.json.errors).toEqual([
        { index: 1, field: 'ref', message: '$.mid is missing' },
        { index: 2, field: 'submittedAt', message: expect.stringMatching(/epoch/) },
      ]);
      const rows = await db.query(`SELECT ref, payload->'extra'->'webhook' AS webhook, payload->'location'->>'label' AS label FROM submissions WHERE ref LIKE 'weibo-499000%' ORDER BY ref`);
      expect(rows.rows.map((r) => r.ref)).toEqual(['weibo-4990001', 'weibo-4990003']);
      expect(rows.rows[0].webhook).toMatchObject({ item: 0, of: 3, batchBlobKey: expect.any(String) });
      expect(rows.rows[0].label).toBe('微博舆情');
    });

    it('refuses a bad signature, a stale timestamp and a replayed request with 401, recording nothing', async () => {
      const before = await count();
      const body = JSON.stringify({ posts: [{ mid: '4990010', text: '烟囱冒黑烟', created: 1725321900 }] });
      const tampered = await hook('weibo-monitor', body.replace('黑烟', '白烟'), signed(body));
      expect(tampered.status).toBe(401);
      expect(tampered.json.reason).toBe('bad_signature');
      const otherSecret = await hook('weibo-monitor', body, signed(body, undefined, 'whsec_someone_else_000000'));
      expect(otherSecret.json.reason).toBe('bad_signature');
      const old = Math.floor(Date.now() / 1000) - 301;
      const stale = await hook('weibo-monitor', body, signed(body, old));
      expect(stale.status).toBe(401);
      expect(stale.json.reason).toBe('stale_timestamp');
      expect(await count()).toBe(before);

      const headers = signed(body);
      const first = await hook('weibo-monitor', body, headers);
      expect(first.status).toBe(202);
      const replayed = await hook('weibo-monitor', body, headers);
      expect(replayed.status).toBe(401);
      expect(replayed.json.reason).toBe('replayed');
      expect(await count()).toBe(before + 1);
      // The replay key lives under the queue prefix, for twice the tolerance.
      const IORedis = (await import('ioredis')).default;
      const redis = new IORedis(env.config.REDIS_URL);
      try {
        const keys = await redis.keys(`${env.config.QUEUE_PREFIX}:webhook-replay:*`);
        expect(keys.length).toBeGreaterThan(0);
        const ttl = await redis.ttl(keys[0]);
        expect(ttl).toBeGreaterThan(500);
        expect(ttl).toBeLessThanOrEqual(600);
      } finally {
        redis.disconnect();
      }
      // The same content signed afresh (a genuine redelivery) is accepted and is the same submission.
      const again = await hook('weibo-monitor', body, signed(body, Math.floor(Date.now() / 1000) + 1));
      expect(again.status).toBe(202);
      expect(again.json.duplicates).toBe(1);
    });

    it('accepts an empty batch with nothing to record', async () => {
      const body = JSON.stringify({ posts: [] });
      const res = await hook('weibo-monitor', body, signed(body));
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ items: 0, recorded: 0, submissions: [], errors: [] });
    });
  });

  describe('the dry run', () => {
    it('shows what a sample becomes, with per-field errors, and records nothing', async () => {
      const before = await count();
      const sample = { posts: [{ mid: '77', text: '工厂排污', created: 'soon' }, { text: 'no id' }] };
      const res = await postJson(`${gw.url}/v1/admin/channels/weibo-monitor/dry-run`, { payload: sample }, ADMIN);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ channel: 'weibo-monitor', settings: 'saved', items: 2, warnings: [] });
      expect(res.json.submissions).toEqual([
        {
          index: 0,
          sourceKey: 'webhook:weibo-77',
          existingId: null,
          submission: expect.objectContaining({ schemaVersion: 1, channelType: 'webhook', ref: 'weibo-77', text: '工厂排污', submittedAt: null, refs: [], rejectHint: null }),
        },
      ]);
      expect(res.json.errors).toEqual([
        { index: 0, field: 'submittedAt', message: expect.stringMatching(/epoch/) },
        { index: 1, field: 'ref', message: '$.mid is missing' },
      ]);
      expect(res.json.dropped).toEqual([{ index: 1, fields: [{ field: 'ref', message: '$.mid is missing' }] }]);
      expect(await count()).toBe(before);

      // A record already in the inbox is pointed at.
      const known = await postJson(`${gw.url}/v1/admin/channels/cityapp/dry-run`, { payload: report(1001) }, ADMIN);
      expect(known.json.submissions[0].existingId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('tries settings before saving them, refusing bad ones with 400 naming the field, and warns of a shared ref prefix', async () => {
      const proposed = { ...weibo.settings, mapping: { fields: { ref: { template: 'weibo-{$.id}' }, text: '$.content', lat: { path: '$.geo', transforms: [{ op: 'number' }] } } } };
      const res = await postJson(`${gw.url}/v1/admin/channels/cityapp/dry-run`, { settings: proposed, payload: { id: 5, content: '噪音', geo: 'north' } }, ADMIN);
      expect(res.status).toBe(200);
      expect(res.json.settings).toBe('proposed');
      expect(res.json.errors).toEqual([{ index: 0, field: 'lat', message: expect.stringMatching(/not a number/) }]);
      // cityapp's credentials hold a key, not the HMAC secret the proposed auth needs; and weibo-monitor already uses "weibo-".
      expect(res.json.warnings).toEqual([
        { field: 'credentials.secret', message: expect.any(String) },
        { field: 'settings.mapping.fields.ref', message: expect.stringMatching(/channel weibo-monitor uses the ref prefix "weibo-"/) },
      ]);

      const bad = await postJson(`${gw.url}/v1/admin/channels/cityapp/dry-run`, { settings: { ...proposed, mapping: { fields: { ref: { template: 'x-{$.id}' }, submittedAt: { path: '$.t', transforms: [{ op: 'date', format: 'HH:mm' }] } } } }, payload: {} }, ADMIN);
      expect(bad.status).toBe(400);
      expect(bad.json.fields).toEqual([{ field: 'settings.mapping.fields.submittedAt.transforms.0.format', message: expect.stringMatching(/no year/) }]);

      const noPayload = await postJson(`${gw.url}/v1/admin/channels/cityapp/dry-run`, {}, ADMIN);
      expect(noPayload.status).toBe(400);
      expect((await postJson(`${gw.url}/v1/admin/channels/cityapp/dry-run`, { payload: {} })).status).toBe(401);
      expect((await postJson(`${gw.url}/v1/admin/channels/nope/dry-run`, { payload: {} }, ADMIN)).status).toBe(404);
    });
  });

  describe('operations', () => {
    it('answers 403 once a channel is disabled, and takes pushes again once enabled', async () => {
      const created = await postJson(`${gw.url}/v1/admin/channels`, { ...cityApp, name: 'town-app', settings: { ...cityApp.settings, mapping: { fields: { ref: { template: 'town-{$.data.reportNo}' }, text: '$.data.content' } } } }, ADMIN);
      expect(created.status).toBe(201);
      expect((await hook('town-app', report(1), { 'X-Api-Key': API_KEY })).status).toBe(202);
      expect((await postJson(`${gw.url}/v1/admin/channels/town-app/disable`, {}, ADMIN)).status).toBe(200);
      // The gateway sees the change within seconds, without a restart; each probe is a new report.
      let n = 100;
      const refused = await waitFor(async () => {
        const no = ++n;
        const r = await hook('town-app', report(no), { 'X-Api-Key': API_KEY });
        return r.status === 403 ? { r, no } : undefined;
      }, { what: 'the disabled channel to refuse pushes' });
      expect(refused.r.json.message).toMatch(/disabled/);
      expect(await count('ref = $1', [`town-${refused.no}`])).toBe(0);
      await postJson(`${gw.url}/v1/admin/channels/town-app/enable`, {}, ADMIN);
      await waitFor(async () => ((await hook('town-app', report(2), { 'X-Api-Key': API_KEY })).status === 202 ? true : undefined), { what: 'the channel enabled again' });
    });

    it('checks an update as it checks a new channel: a PATCH cannot save what a POST would refuse', async () => {
      const hmacApp = { ...cityApp, name: 'patch-app', settings: { ...cityApp.settings, mapping: { fields: { ref: { template: 'patchapp-{$.data.reportNo}' }, text: '$.data.content' } } } };
      expect((await postJson(`${gw.url}/v1/admin/channels`, hmacApp, ADMIN)).status).toBe(201);
      const url = `${gw.url}/v1/admin/channels/patch-app`;
      const before = await getJson(url, ADMIN);
      const hmacAuth = { kind: 'hmac', header: 'X-Signature', prefix: 'sha256=', timestampHeader: 'X-Timestamp' };

      const refusals: [unknown, RegExp][] = [
        // A new auth kind whose secret the credentials do not hold.
        [{ settings: { ...hmacApp.settings, auth: hmacAuth } }, /^credentials\.secret: hmac auth needs the shared secret/],
        // The key removed, or too short.
        [{ credentials: { key: null } }, /^credentials\.key: api_key auth needs the shared key/],
        [{ credentials: { key: 'short' } }, /^credentials\.key: use at least 16 characters/],
        // A timestamp window out of range, and a secret put where the API shows it.
        [{ settings: { ...hmacApp.settings, auth: { ...hmacAuth, toleranceSeconds: 0 } }, credentials: { secret: SECRET } }, /^settings\.auth\.toleranceSeconds: /],
        [{ settings: { ...hmacApp.settings, auth: { ...hmacAuth, secret: SECRET } } }, /^settings\.auth\.secret: .*credentials/],
        // A mapping that does not compile, and a ref without a source prefix.
        [{ settings: { ...hmacApp.settings, mapping: { fields: { ref: { template: 'patchapp-{$.data.reportNo}' }, text: 'content' } } } }, /^settings\.mapping\.fields\.text(\.path)?: path "content" must start with \$/],
        [{ settings: { ...hmacApp.settings, mapping: { fields: { ref: '$.data.reportNo' } } } }, /^settings\.mapping\.fields\.ref: the ref needs a source prefix/],
      ];
      for (const [body, message] of refusals) {
        const res = await patchJson(url, body);
        expect({ body, status: res.status, message: res.json.message }).toEqual({ body, status: 400, message: 'invalid channel settings' });
        expect(res.json.fields).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
      }
      const badShape = await patchJson(url, { homeDivision: '32', type: 'web' });
      expect(badShape.status).toBe(400);
      expect(badShape.json.fields.map((f: { field: string }) => f.field).sort()).toEqual(['homeDivision']);
      const newType = await patchJson(url, { type: 'web' });
      expect(newType.status).toBe(400);
      expect(newType.json.fields).toEqual([{ field: 'type', message: expect.stringMatching(/cannot change/) }]);

      // Nothing of the refused updates was saved, and the source still pushes with its key.
      const after = await getJson(url, ADMIN);
      expect(after.json).toEqual(before.json);
      expect((await hook('patch-app', report(1), { 'X-Api-Key': API_KEY })).status).toBe(202);

      // A valid update that switches to HMAC with its secret in the same request is taken, and applies.
      const switched = await patchJson(url, { settings: { ...hmacApp.settings, auth: hmacAuth }, credentials: { key: null, secret: SECRET } });
      expect(switched.status).toBe(200);
      expect(switched.json.credentials).toEqual({ secret: '***' });
      const body = JSON.stringify(report(2));
      await waitFor(async () => ((await hook('patch-app', body, { 'content-type': 'application/json', ...signed(body) })).status === 202 ? true : undefined), {
        what: 'the HMAC settings in force',
      });
      // A change of home division alone leaves settings and credentials as they are.
      const renamed = await patchJson(url, { homeDivision: '320102' });
      expect(renamed.status).toBe(200);
      expect(renamed.json.homeDivision).toBe('320102');
      expect(renamed.json.credentials).toEqual({ secret: '***' });
    });

    it('never writes the complainant into the logs', async () => {
      expect(logs.lines.some((l) => l.includes('webhook push recorded'))).toBe(true);
      const all = logs.lines.join('\n');
      expect(all).not.toContain('13800001234');
      expect(all).not.toContain('王秀英');
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(API_KEY);
    });

    it('replays payload files through the channel mapping with the CLI, every record accounted for', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'huiliu-webhook-'));
      writeFileSync(path.join(dir, '1.json'), JSON.stringify({ posts: [{ mid: '88001', text: '垃圾焚烧厂冒黑烟', created: 1725321900 }, { text: '无编号' }] }));
      writeFileSync(path.join(dir, '2.json'), JSON.stringify({ posts: [{ mid: '88001', text: '垃圾焚烧厂冒黑烟', created: 1725321900 }] }));
      writeFileSync(path.join(dir, '3.json'), '{"posts": [');
      const child = spawnApp('cli', { ...env.env, LOG_LEVEL: 'warn' }, ['ingest', '--channel', 'weibo-monitor', dir]);
      expect(await exited(child, 60000)).toBe(0);
      const summary = JSON.parse(child.output().trim().split('\n').pop()!);
      expect(summary).toMatchObject({ channel: 'webhook', channelName: 'weibo-monitor', files: 3, read: 4, recorded: 1, duplicates: 1, rejected: 2 });
      expect(summary.rejections.map((r: { ref: string; reason: string }) => `${r.ref} ${r.reason}`).sort()).toEqual(['1.json#1 unmappable_item', '3.json not_json']);
      const row = await db.query(`SELECT id FROM submissions WHERE source_key = 'webhook:weibo-88001'`);
      expect(row.rows).toHaveLength(1);
      const s = await judged(row.rows[0].id);
      expect(s.status).not.toBe('pending');

      // A channel type alone names no mapping: the replay stops with the reason, before reading anything.
      const bare = spawnApp('cli', { ...env.env, LOG_LEVEL: 'warn' }, ['ingest', '--channel', 'webhook', dir]);
      expect(await exited(bare, 60000)).not.toBe(0);
      expect(bare.output()).toMatch(/channel webhook-default cannot map payloads/);
    });
  });
});
