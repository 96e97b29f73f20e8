import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { formatReceipt, receiptOf, wechatSignatureOf } from '../libs/adapters/src';
import { QUEUES } from '../libs/contracts/src';
import type { WorkerHandle } from '../apps/worker/src/worker';
import { LogCapture, postJson, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { FakeWechat } from './support/fake-wechat';

const ADMIN = { authorization: 'Bearer test-admin-token' };
const TOKEN = 'hlwx_token_2';
const ACCOUNT = 'gh_7a1c3e5f9b2d';

/**
 * The receipt of a WeChat draft closed by its quiet period, when no push is waiting for an answer: sent as
 * a customer-service message through a local server speaking the platform's API (token and custom/send).
 */
describe('wechat receipts after the quiet period', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;
  let redis: IORedis;
  let fake: FakeWechat;
  const logs = new LogCapture();
  let seq = 0;
  const secrets: string[] = [];
  let msgId = 34613600000000000n;

  beforeAll(async () => {
    fake = new FakeWechat();
    await fake.start();
    env = await createTestEnv({ CONVERSATION_TICK_MS: '200' });
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
    redis = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: 1 });
    gw = await startGateway(env.config);
    worker = await startWorkerInProcess(env.config, logs.logger('info'));
  });
  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    redis?.disconnect();
    await db?.end();
    await fake?.stop();
    await env?.dispose();
  });

  /** A channel made through the admin API; with an AppSecret unless told otherwise. */
  async function newChannel(o: { secret?: boolean } = {}) {
    const name = `wxr-${++seq}-${randomBytes(3).toString('hex')}`;
    const appId = `wx${randomBytes(8).toString('hex')}`;
    const appSecret = randomBytes(16).toString('hex');
    fake.addApp(appId, appSecret);
    secrets.push(appSecret);
    const res = await postJson(
      `${gw.url}/v1/admin/channels`,
      {
        type: 'wechat',
        name,
        settings: { appId, apiRoot: fake.url, quietSeconds: 1 },
        credentials: { token: TOKEN, ...(o.secret === false ? {} : { appSecret }) },
      },
      ADMIN,
    );
    expect(res.status).toBe(201);
    return { name, appId, appSecret, channelId: res.json.id as string, url: `${gw.url}/v1/channels/${name}/wechat` };
  }

  const openId = () => `oVf3a${randomBytes(11).toString('base64url')}`;
  const now = () => Math.floor(Date.now() / 1000);

  async function complain(url: string, from: string, content: string): Promise<string> {
    const id = String(++msgId);
    const xml = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId></xml>`;
    const timestamp = String(now());
    const nonce = randomBytes(5).toString('hex');
    const q = new URLSearchParams({ signature: wechatSignatureOf([TOKEN, timestamp, nonce]), timestamp, nonce });
    const res = await fetch(`${url}?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    expect(res.status).toBe(200);
    await res.text();
    return `wechat:${id}`;
  }

  const receiptFor = (sourceKey: string) => formatReceipt(receiptOf(sourceKey));
  const received = (follower: string, sourceKey: string) =>
    waitFor(async () => fake.sentTo(follower).find((m) => m.content?.includes(receiptFor(sourceKey))), { what: `the receipt of ${sourceKey} at the follower`, timeoutMs: 20000 });
  const recorded = (sourceKey: string) => waitFor(async () => (await db.query(`SELECT * FROM submissions WHERE source_key = $1`, [sourceKey])).rows[0], { what: `submission ${sourceKey}` });

  it('refuses an AppSecret without the AppID it belongs to', async () => {
    const res = await postJson(`${gw.url}/v1/admin/channels`, { type: 'wechat', name: 'wx-no-appid', settings: {}, credentials: { token: TOKEN, appSecret: randomBytes(16).toString('hex') } }, ADMIN);
    expect(res.status).toBe(400);
    expect(res.json.fields).toEqual([expect.stringMatching(/^credentials\.appSecret: .*settings\.appId/)]);
  });

  it('sends the receipt of a draft closed by the quiet period as a customer-service message, with one cached token', async () => {
    const { url, appId } = await newChannel();
    const tokensBefore = fake.callsOf('token').length;
    const alice = openId();
    const bob = openId();
    const a = await complain(url, alice, '南京市玄武区锁金村街道的东方化工厂排放黑烟，气味刺鼻');
    const b = await complain(url, bob, '秦淮河边的洗车店把污水直接排进河里');

    const toAlice = await received(alice, a);
    const toBob = await received(bob, b);
    expect(toAlice).toMatchObject({ appId, msgtype: 'text' });
    expect(toAlice.content).toMatch(/^您的举报已提交（共 1 条消息），回执号/);
    // Each follower hears only of their own draft.
    expect(fake.sentTo(alice).map((m) => m.content).join()).not.toContain(receiptFor(b));
    expect(fake.sentTo(bob).map((m) => m.content).join()).not.toContain(receiptFor(a));
    expect((await recorded(a)).payload.extra.closedBy).toBe('quiet');
    expect(toBob.token).toBe(toAlice.token);
    expect(fake.callsOf('token').length - tokensBefore).toBe(1);
  });

  it('asks for a new token when the platform answers 42001 (expired) or 40001 (not the latest), and sends', async () => {
    const { url, appId } = await newChannel();
    const first = openId();
    const k1 = await complain(url, first, '工地夜间施工噪声扰民，每天晚上十一点以后还在打桩');
    const m1 = await received(first, k1);

    fake.expireTokens();
    const second = openId();
    const k2 = await complain(url, second, '小区旁边的餐馆油烟直排，熏得开不了窗');
    const m2 = await received(second, k2);
    expect(m2.token).not.toBe(m1.token);
    expect(fake.callsOf('send').some((c) => c.outcome === 42001)).toBe(true);

    // Another system fetched a token for this account long ago: ours is no longer the latest.
    await redis.set(`${env.config.QUEUE_PREFIX}:wechat:access-token:${appId}`, 'a-token-the-platform-no-longer-takes');
    const third = openId();
    const k3 = await complain(url, third, '养殖场粪水直排河道，河水发黑发臭');
    const m3 = await received(third, k3);
    expect(fake.callsOf('send').some((c) => c.outcome === 40001)).toBe(true);
    expect(await redis.get(`${env.config.QUEUE_PREFIX}:wechat:access-token:${appId}`)).toBe(m3.token);
  });

  it('retries a failed send with backoff; the draft is recorded whatever the platform does', async () => {
    const { url } = await newChannel();
    const follower = openId();
    fake.failNext('send', { errcode: -1 });
    fake.failNext('send', { httpStatus: 502 });
    const sendsBefore = fake.callsOf('send').length;
    const key = await complain(url, follower, '垃圾焚烧厂冒黑烟，周边居民头疼恶心');
    // Recorded before any receipt went out, and while the platform refuses.
    expect((await recorded(key)).payload.extra.closedBy).toBe('quiet');
    await received(follower, key);
    const sends = fake.callsOf('send').slice(sendsBefore);
    expect(sends.map((c) => c.outcome)).toEqual([-1, 'http 502', 0]);
    // Exponential backoff from 2 s: the second retry waited longer than the first.
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(1800);
    expect(sends[2].at - sends[1].at).toBeGreaterThan(sends[1].at - sends[0].at);
  });

  it('gives up at once on a follower who unsubscribed (43004), keeping the failed job for an operator', async () => {
    const { url, channelId } = await newChannel();
    const follower = openId();
    fake.unsubscribe(follower);
    const key = await complain(url, follower, '印染厂往河里排红色污水');
    await recorded(key);
    const connection = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.replies, { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      const failed = await waitFor(async () => (await queue.getFailed()).find((j) => j.data.channelId === channelId), { what: 'the failed reply job' });
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/43004/);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(fake.sentTo(follower)).toEqual([]);
  });

  it('keeps the passive behaviour for a channel without an AppSecret, and says so in the log once', async () => {
    const { url, name } = await newChannel({ secret: false });
    const sendsBefore = fake.callsOf('send').length;
    const keys = [await complain(url, openId(), '化工园区夜里有刺鼻气味'), await complain(url, openId(), '河面漂着死鱼')];
    for (const k of keys) expect((await recorded(k)).payload.extra.closedBy).toBe('quiet');
    const third = await complain(url, openId(), '工厂烟囱冒黄烟');
    await recorded(third);
    const said = logs.lines.filter((l) => l.includes('has no appSecret') && l.includes(name));
    expect(said).toHaveLength(1);
    expect(fake.callsOf('send').length).toBe(sendsBefore);
  });

  it('never writes a follower OpenID or the AppSecret into the logs', async () => {
    const all = logs.lines.join('\n');
    for (const m of fake.messages) expect(all).not.toContain(m.touser);
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
