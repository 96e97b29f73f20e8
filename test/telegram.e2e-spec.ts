import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Api } from 'node-telegram-bot-api';
import { Client } from 'pg';
import { formatReceipt, receiptOf } from '../libs/adapters/src';
import { jobIdOf, QUEUES } from '../libs/contracts/src';
import { FsBlobStore } from '../libs/platform/src';
import type { WorkerHandle } from '../apps/worker/src/worker';
import { postJson, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import {
  commandMessage,
  documentMessage,
  DEFAULT_USER,
  editedTextMessage,
  FakeTelegram,
  locationMessage,
  photoMessage,
  privateChat,
  textMessage,
  type TgUser,
  type UpdateBody,
} from './support/fake-telegram';

/**
 * The Telegram channel end to end: the worker's poller (or the gateway's webhook) against a local server
 * speaking the Bot API wire format, real Postgres and Redis, and the judging pipeline behind them.
 */
describe('telegram channel', () => {
  let env: TestEnv;
  let fake: FakeTelegram;
  let worker: WorkerHandle;
  let gw: RunningGateway;
  let db: Client;
  let botSeq = 0;
  let userSeq = 0;

  beforeAll(async () => {
    fake = new FakeTelegram({ webhookRetryBaseMs: 20, webhookRetryMaxMs: 200 });
    await fake.start();
    env = await createTestEnv({
      TELEGRAM_SUPERVISE_MS: '200',
      TELEGRAM_LOCK_TTL_MS: '2000',
      TELEGRAM_BACKOFF_MAX_MS: '1000',
      CONVERSATION_TICK_MS: '200',
      SWEEP_AFTER_MS: '60000',
    });
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
    worker = await startWorkerInProcess(env.config);
    gw = await startGateway(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await db?.end();
    await fake?.stop();
    await env?.dispose();
  });

  /** A fresh bot and channel per test, so leases, queues and faults never leak between tests. */
  async function newChannel(settings: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}) {
    const id = 6_200_000_000 + ++botSeq;
    const token = `${id}:AA${randomBytes(16).toString('base64url')}`;
    fake.addBot(token);
    const name = `tg-${botSeq}-${randomBytes(3).toString('hex')}`;
    const { rows } = await db.query(`INSERT INTO channels (type, name, settings, credentials) VALUES ('telegram', $1, $2, $3) RETURNING id`, [
      name,
      JSON.stringify({ apiRoot: fake.url, pollTimeoutSeconds: 1, quietSeconds: 60, ...settings }),
      JSON.stringify({ token, ...credentials }),
    ]);
    return { token, name, channelId: rows[0].id as string };
  }

  function newUser(): TgUser {
    return { ...DEFAULT_USER, id: 7_000_000_000 + ++userSeq, first_name: '明', last_name: `李${userSeq}` };
  }

  const from = (user: TgUser) => ({ from: user, chat: privateChat(user) });
  const msgOf = (u: UpdateBody) => (u.message ?? u.edited_message)!;
  const sentTo = (token: string, user: TgUser) => fake.sentMessages(token).filter((m) => Number(m.chat_id) === user.id).map((m) => m.text);

  async function submissionOf(sourceKey: string, judged = false) {
    return waitFor(
      async () => {
        const { rows } = await db.query(`SELECT * FROM submissions WHERE source_key = $1`, [sourceKey]);
        if (!rows[0]) return undefined;
        if (judged && rows[0].status === 'pending') return undefined;
        return rows[0];
      },
      { what: `submission ${sourceKey}${judged ? ' judged' : ''}`, timeoutMs: 30000 },
    );
  }

  it('gathers /start, text, a photo and a location by long polling into one submission and answers the receipt', async () => {
    const { token } = await newChannel();
    const user = newUser();
    const photo = randomBytes(3000);
    const file = fake.registerFile(token, photo, { kind: 'photos', width: 1280, height: 960 });
    fake.queueUpdate(token, commandMessage('/start', undefined, from(user)));
    await waitFor(async () => (sentTo(token, user).some((t) => t.includes('生态环境问题举报受理')) ? true : undefined), { what: 'the welcome' });

    const text = fake.queueUpdate(token, textMessage({ ...from(user), text: '南京市玄武区锁金村街道的化工厂夜里排放黑烟，气味刺鼻' }));
    const pic = fake.queueUpdate(token, photoMessage({ ...from(user), sizes: [file], caption: '现场照片' }));
    const loc = fake.queueUpdate(token, locationMessage({ ...from(user), latitude: 32.0617, longitude: 118.8113 }));
    const done = fake.queueUpdate(token, commandMessage('/done', undefined, from(user)));

    const ref = `${user.id}:${msgOf(text).message_id}`;
    const s = await submissionOf(`telegram:${ref}`);
    expect(s.refs).toEqual([ref, `${user.id}:${msgOf(pic).message_id}`, `${user.id}:${msgOf(loc).message_id}`]);
    expect(s.payload.text).toBe('南京市玄武区锁金村街道的化工厂夜里排放黑烟，气味刺鼻\n现场照片');
    expect(s.payload.location).toMatchObject({ lat: 32.0617, lng: 118.8113 });
    expect(s.payload.attachments[0]).toMatchObject({ sourceRef: file.file_id, contentType: 'image/jpeg' });
    // The raw original is the gathered updates, as Telegram sent them.
    const raw = JSON.parse((await new FsBlobStore(env.config.BLOB_ROOT).read(s.raw)).toString('utf8'));
    expect(raw.map((u: { update_id: number }) => u.update_id)).toEqual([text.update_id, pic.update_id, loc.update_id]);

    const receipt = formatReceipt(receiptOf(`telegram:${ref}`));
    await waitFor(async () => (sentTo(token, user).some((t) => t.includes(receipt)) ? true : undefined), { what: 'the receipt reply' });

    // The photo is fetched in a separate job into the blob store.
    const fetched = await waitFor(async () => {
      const { rows } = await db.query(`SELECT payload->'attachments'->0 AS a FROM submissions WHERE id = $1`, [s.id]);
      return rows[0].a.blobKey ? rows[0].a : undefined;
    }, { what: 'the photo downloaded' });
    expect(await new FsBlobStore(env.config.BLOB_ROOT).read(fetched.blobKey)).toEqual(photo);
    expect(fetched.size).toBe(photo.length);

    // The lone /start is accounted for as a rejected submission; the updates were confirmed by offset.
    const start = await db.query(`SELECT status, reason FROM submissions WHERE channel_type = 'telegram' AND payload->'extra'->>'notGathered' = 'command:start' AND payload->'extra'->>'conversationKey' = $1`, [String(user.id)]);
    expect(start.rows).toHaveLength(1);
    await waitFor(async () => (fake.requests(token, 'getUpdates').some((r) => Number(r.params.offset) === done.update_id + 1) ? true : undefined), { what: 'the confirming poll' });
    expect(fake.pendingUpdates(token)).toEqual([]);
    expect(fake.requests(token, 'getUpdates').some((r) => r.outcome === 409)).toBe(false);
  });

  it('downloads with getFile after a 429 (waiting retry_after) and asks again when the link has expired', async () => {
    const { token } = await newChannel();
    const user = newUser();
    const bytes = randomBytes(4000);
    const doc = fake.registerFile(token, bytes, { kind: 'documents', fileName: '监测报告.pdf', mimeType: 'application/pdf' });
    fake.failNext('getFile', { status: 429, retry_after: 1, token });
    fake.failNext('download', { status: 404, token });
    const first = fake.queueUpdate(token, documentMessage({ ...from(user), document: doc, caption: '河道排污检测报告' }));
    fake.queueUpdate(token, textMessage({ ...from(user), text: '确认' }));
    const s = await submissionOf(`telegram:${user.id}:${msgOf(first).message_id}`);
    const a = await waitFor(async () => {
      const { rows } = await db.query(`SELECT payload->'attachments'->0 AS a FROM submissions WHERE id = $1`, [s.id]);
      return rows[0].a.blobKey ? rows[0].a : undefined;
    }, { what: 'the document downloaded' });
    expect(await new FsBlobStore(env.config.BLOB_ROOT).read(a.blobKey)).toEqual(bytes);
    expect(a).toMatchObject({ filename: '监测报告.pdf', contentType: 'application/pdf' });
    const getFiles = fake.requests(token, 'getFile');
    expect(getFiles.map((r) => r.outcome)).toEqual([429, 200, 200]);
    expect(getFiles[1].at - getFiles[0].at).toBeGreaterThanOrEqual(950);
    expect(fake.requests(token, 'download').map((r) => r.outcome)).toEqual([404, 200]);
  });

  it('loses nothing across a restart in the middle of a conversation, and the quiet period closes it with no further message', async () => {
    const { token } = await newChannel({ quietSeconds: 2 });
    const user = newUser();
    const a = fake.queueUpdate(token, locationMessage({ ...from(user), latitude: 30.2741, longitude: 120.1551 }));
    const b = fake.queueUpdate(token, textMessage({ ...from(user), text: '就是这个位置，工地夜间施工噪声扰民' }));
    await waitFor(async () => {
      const { rows } = await db.query(`SELECT jsonb_array_length(raws) AS n FROM conversation_states WHERE conversation_key = $1`, [String(user.id)]);
      return rows[0]?.n === 2 ? true : undefined;
    }, { what: 'the draft state' });

    await worker.close();
    worker = await startWorkerInProcess(env.config);
    const c = fake.queueUpdate(token, textMessage({ ...from(user), text: '每天晚上十一点以后还在打桩' }));

    const s = await submissionOf(`telegram:${user.id}:${msgOf(a).message_id}`);
    expect(s.refs).toEqual([a, b, c].map((u) => `${user.id}:${msgOf(u).message_id}`));
    expect(s.payload.extra.closedBy).toBe('quiet');
    expect(s.payload.text).toBe('就是这个位置，工地夜间施工噪声扰民\n每天晚上十一点以后还在打桩');
    const receipt = formatReceipt(receiptOf(s.source_key));
    await waitFor(async () => (sentTo(token, user).some((t) => t.includes(receipt)) ? true : undefined), { what: 'the receipt after the quiet period' });
    const state = await db.query(`SELECT due_at, raws FROM conversation_states WHERE conversation_key = $1`, [String(user.id)]);
    expect(state.rows[0]).toEqual({ due_at: null, raws: [] });
  });

  it('confirms an update only after it is recorded: a failure to record makes it come again, recognised by update_id', async () => {
    const { token, channelId } = await newChannel();
    const user = newUser();
    await waitFor(async () => (fake.isPolling(token) ? true : undefined), { what: 'a held poll' });
    await db.query(`ALTER TABLE conversation_inbound RENAME TO conversation_inbound_away`);
    let update;
    try {
      update = fake.queueUpdate(token, textMessage({ ...from(user), text: '养殖场粪水直排河道' }));
      // The poller fetches the page, fails to record it, and fetches the same page again: nothing confirmed.
      await waitFor(async () => (fake.requests(token, 'getUpdates').filter((r) => r.outcome === 200 && Number(r.params.offset ?? 0) <= update!.update_id).length >= 3 ? true : undefined), {
        what: 'the same page fetched again',
      });
      expect(fake.pendingUpdates(token).map((u) => u.update_id)).toEqual([update.update_id]);
    } finally {
      await db.query(`ALTER TABLE conversation_inbound_away RENAME TO conversation_inbound`);
    }
    await waitFor(async () => (fake.pendingUpdates(token).length === 0 ? true : undefined), { what: 'the update confirmed after recording' });
    const inbound = await db.query(`SELECT inbound_key FROM conversation_inbound WHERE channel_id = $1`, [channelId]);
    expect(inbound.rows).toEqual([{ inbound_key: `update:${update.update_id}` }]);
    // Fetched three times, gathered once.
    const state = await db.query(`SELECT raws FROM conversation_states WHERE channel_id = $1`, [channelId]);
    expect(state.rows[0].raws).toHaveLength(1);
  });

  it('runs one poller per bot across two worker replicas, and waits out a 409 from a poller outside', async () => {
    const { token } = await newChannel();
    const second = await startWorkerInProcess(env.config);
    try {
      const user = newUser();
      await waitFor(async () => (fake.isPolling(token) ? true : undefined), { what: 'a held poll' });
      const lease = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const key = `${env.config.QUEUE_PREFIX}:telegram:poller:${token.split(':')[0]}`;
        expect(await lease.get(key)).toBeTruthy();
        expect(await lease.pttl(key)).toBeGreaterThan(0);
      } finally {
        lease.disconnect();
      }
      const one = fake.queueUpdate(token, textMessage({ ...from(user), text: '第一条：水泥厂粉尘' }));
      await waitFor(async () => (fake.pendingUpdates(token).length === 0 && fake.requests(token, 'getUpdates').length >= 4 ? true : undefined), { what: 'several polls' });
      // Two replicas, and never a conflict between them.
      expect(fake.requests(token, 'getUpdates').some((r) => r.outcome === 409)).toBe(false);

      // The replica holding the lease goes away: the other takes over (release on stop, or expiry).
      await second.close();
      const two = fake.queueUpdate(token, textMessage({ ...from(user), text: '第二条：晚上也在生产' }));
      await waitFor(async () => (fake.pendingUpdates(token).length === 0 ? true : undefined), { what: 'polling after one replica left', timeoutMs: 10000 });

      // Someone outside this deployment polls the same bot: Telegram ends our poll with 409; we wait and go on.
      const outsider = new Api(token, { apiRoot: fake.url, maxRetries: 0 });
      await waitFor(async () => (fake.isPolling(token) ? true : undefined), { what: 'a held poll' });
      await outsider.getUpdates({ timeout: 0 });
      await waitFor(async () => (fake.requests(token, 'getUpdates').some((r) => r.outcome === 409) ? true : undefined), { what: 'the 409' });
      fake.queueUpdate(token, commandMessage('/done', undefined, from(user)));
      const s = await submissionOf(`telegram:${user.id}:${msgOf(one).message_id}`);
      expect(s.refs).toEqual([one, two].map((u) => `${user.id}:${msgOf(u).message_id}`));
    } finally {
      await second.close().catch(() => undefined);
    }
  });

  it('amends a recorded submission when its message is edited later: judging and dedup run again', async () => {
    const { token } = await newChannel();
    const user = newUser();
    const original = textMessage({ ...from(user), text: '南京市玄武区锁金村街道的东方化工厂排放黑烟，气味刺鼻' });
    const sent = fake.queueUpdate(token, original);
    fake.queueUpdate(token, textMessage({ ...from(user), text: '确认' }));
    const key = `telegram:${user.id}:${msgOf(sent).message_id}`;
    const before = await submissionOf(key, true);
    expect(before.status).toBe('accepted');
    expect(before.category).toBe('air');

    fake.queueUpdate(token, editedTextMessage(sent, '南京市玄武区锁金村街道的东方建筑工地凌晨两点还在打桩，噪声扰民'));
    const after = await waitFor(async () => {
      const { rows } = await db.query(`SELECT * FROM submissions WHERE source_key = $1 AND replay_count = 1 AND status <> 'pending'`, [key]);
      return rows[0];
    }, { what: 'the amended submission judged again' });
    expect(after.id).toBe(before.id);
    expect(after.payload.text).toBe('南京市玄武区锁金村街道的东方建筑工地凌晨两点还在打桩，噪声扰民');
    expect(after.category).toBe('noise');
    expect(after.flags).toContain('edited');
    expect(after.payload.extra.amendments).toHaveLength(1);
    const connection = new IORedis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.intake, { connection, prefix: env.config.QUEUE_PREFIX });
    try {
      // Re-queued under a fresh job id: the first job's id is taken, and BullMQ ignores a repeated id.
      expect(await queue.getJob(jobIdOf(key, 1))).toBeTruthy();
    } finally {
      await queue.close();
      connection.disconnect();
    }
    await waitFor(async () => (sentTo(token, user).some((t) => t.includes('已按您修改后的内容更新')) ? true : undefined), { what: 'the amendment reply' });
  });

  it('/status answers the disposition of the chat’s own submission and nothing about anyone else’s', async () => {
    const { token } = await newChannel();
    const alice = newUser();
    const bob = newUser();
    const m = fake.queueUpdate(token, textMessage({ ...from(alice), text: '南京市玄武区锁金村街道的东方化工厂排放黑烟，气味刺鼻' }));
    fake.queueUpdate(token, commandMessage('/done', undefined, from(alice)));
    const s = await submissionOf(`telegram:${alice.id}:${msgOf(m).message_id}`, true);
    const receipt = formatReceipt(receiptOf(s.source_key));

    fake.queueUpdate(token, commandMessage('/status', receipt, from(bob)));
    fake.queueUpdate(token, commandMessage('/status', receipt, from(alice)));
    await waitFor(async () => (sentTo(token, alice).some((t) => t.startsWith(`回执号 ${receipt}：已受理`)) ? true : undefined), { what: 'the status for alice' });
    await waitFor(async () => (sentTo(token, bob).length ? true : undefined), { what: 'the answer to bob' });
    const toBob = sentTo(token, bob).join('\n');
    expect(toBob).toContain(`本会话中没有回执号为 ${receipt} 的举报`);
    expect(toBob).not.toContain('已受理');
    expect(toBob).not.toContain('东方化工厂');
  });

  it('keeps a draft per member in a group chat; answers reply to the member and /status tells nobody about anyone else', async () => {
    const { token } = await newChannel();
    const group = { id: -1_002_000_000_000 - botSeq, type: 'supergroup' as const, title: '锁金村业主群' };
    const alice = newUser();
    const bob = newUser();
    const inGroup = (user: TgUser) => ({ from: user, chat: group });
    const toGroup = () => fake.sentMessages(token).filter((m) => Number(m.chat_id) === group.id);
    const answersTo = (u: UpdateBody) => toGroup().filter((m) => (m.params.reply_parameters as { message_id?: number } | undefined)?.message_id === msgOf(u).message_id);

    const a1 = fake.queueUpdate(token, textMessage({ ...inGroup(alice), text: '小区东门的餐馆油烟直排，熏得开不了窗' }));
    const b1 = fake.queueUpdate(token, textMessage({ ...inGroup(bob), text: '楼下工地凌晨两点还在打桩' }));
    const a2 = fake.queueUpdate(token, textMessage({ ...inGroup(alice), text: '每天晚上六点到九点最严重' }));
    const aDone = fake.queueUpdate(token, commandMessage('/done', undefined, inGroup(alice)));

    // Alice's submission holds her two messages and none of Bob's; Bob's draft is still open.
    const sa = await submissionOf(`telegram:${group.id}:${msgOf(a1).message_id}`, true);
    expect(sa.refs).toEqual([a1, a2].map((u) => `${group.id}:${msgOf(u).message_id}`));
    expect(sa.payload.text).not.toContain('打桩');
    expect(sa.complainant.handle).toBe(String(alice.id));
    const bobState = await db.query(`SELECT raws FROM conversation_states WHERE conversation_key = $1`, [`${group.id}:${bob.id}`]);
    expect(bobState.rows[0].raws).toHaveLength(1);

    // Every answer goes to the group as a reply to the member's own message.
    const receipt = formatReceipt(receiptOf(sa.source_key));
    await waitFor(async () => (answersTo(aDone).some((m) => m.text.includes(receipt)) ? true : undefined), { what: 'the receipt replying to alice' });
    expect(answersTo(b1).map((m) => m.text).join()).not.toContain(receipt);

    // Bob asks about Alice's receipt, and about "his latest": neither answer says anything of hers.
    const bAsks = fake.queueUpdate(token, commandMessage('/status', receipt, inGroup(bob)));
    const bLatest = fake.queueUpdate(token, commandMessage('/status', undefined, inGroup(bob)));
    const aAsks = fake.queueUpdate(token, commandMessage('/status', receipt, inGroup(alice)));
    await waitFor(async () => (answersTo(aAsks).some((m) => m.text.startsWith(`回执号 ${receipt}：已受理`)) ? true : undefined), { what: 'the status for alice' });
    await waitFor(async () => (answersTo(bAsks).length && answersTo(bLatest).length ? true : undefined), { what: 'the answers to bob' });
    const toBob = [...answersTo(bAsks), ...answersTo(bLatest)].map((m) => m.text).join('\n');
    expect(answersTo(bAsks)[0].text).toContain(`本会话中没有回执号为 ${receipt} 的举报`);
    expect(answersTo(bLatest)[0].text).toContain('请在 /status 后面附上回执号');
    expect(toBob).not.toContain('已受理');
    expect(toBob).not.toContain('餐馆');

    const bDone = fake.queueUpdate(token, commandMessage('/done', undefined, inGroup(bob)));
    const sb = await submissionOf(`telegram:${group.id}:${msgOf(b1).message_id}`);
    expect(sb.refs).toEqual([`${group.id}:${msgOf(b1).message_id}`]);
    await waitFor(async () => (answersTo(bDone).some((m) => m.text.includes(formatReceipt(receiptOf(sb.source_key)))) ? true : undefined), { what: 'the receipt replying to bob' });
  });

  it('ignores commands addressed to another bot in a group; takes its own by name in any case, and any in a private chat', async () => {
    const { token } = await newChannel();
    const me = fake.addBot(token);
    const group = { id: -1_004_000_000_000 - botSeq, type: 'supergroup' as const, title: '锁金村业主群' };
    const erin = newUser();
    const inGroup = { from: erin, chat: group };
    const toGroup = () => fake.sentMessages(token).filter((m) => Number(m.chat_id) === group.id);
    const answersTo = (u: UpdateBody) => toGroup().filter((m) => (m.params.reply_parameters as { message_id?: number } | undefined)?.message_id === msgOf(u).message_id);

    const e1 = fake.queueUpdate(token, textMessage({ ...inGroup, text: '小区北门的洗车店污水直接排进雨水井' }));
    // Meant for the group's other bots: none may cancel, close or answer anything here, nor join the draft.
    const others = [
      fake.queueUpdate(token, commandMessage('/cancel@OtherBot', undefined, inGroup)),
      fake.queueUpdate(token, commandMessage('/start@OtherBot', undefined, inGroup)),
      fake.queueUpdate(token, commandMessage('/done@OtherBot', undefined, inGroup)),
      fake.queueUpdate(token, commandMessage('/status@OtherBot', '8K3D-2M9Q', inGroup)),
    ];
    const e2 = fake.queueUpdate(token, textMessage({ ...inGroup, text: '每天早上七点开始排' }));
    const done = fake.queueUpdate(token, commandMessage(`/done@${me.username!.toUpperCase()}`, undefined, inGroup));

    const s = await submissionOf(`telegram:${group.id}:${msgOf(e1).message_id}`);
    expect(s.refs).toEqual([e1, e2].map((u) => `${group.id}:${msgOf(u).message_id}`));
    expect(s.payload.text).toBe('小区北门的洗车店污水直接排进雨水井\n每天早上七点开始排');
    await waitFor(async () => (answersTo(done).some((m) => m.text.includes(formatReceipt(receiptOf(s.source_key)))) ? true : undefined), { what: 'the receipt for /done@ours' });
    expect(others.flatMap((u) => answersTo(u))).toEqual([]);

    // In a private chat there is no other bot: the command is ours whatever name was typed.
    const frank = newUser();
    fake.queueUpdate(token, commandMessage('/start@OtherBot', undefined, from(frank)));
    await waitFor(async () => (sentTo(token, frank).some((t) => t.includes('生态环境问题举报受理')) ? true : undefined), { what: 'the welcome in a private chat' });
    // The bot asked who it is once, however many updates it read.
    expect(fake.requests(token, 'getMe')).toHaveLength(1);
  });

  it('closes a group member’s quiet draft with a receipt replying to their last message', async () => {
    const { token } = await newChannel({ quietSeconds: 1 });
    const group = { id: -1_003_000_000_000 - botSeq, type: 'group' as const, title: '河边垂钓群' };
    const carol = newUser();
    const dave = newUser();
    const c1 = fake.queueUpdate(token, textMessage({ from: carol, chat: group, text: '上游造纸厂往河里排黄色污水' }));
    const c2 = fake.queueUpdate(token, photoMessage({ from: carol, chat: group, sizes: [fake.registerFile(token, randomBytes(500), { kind: 'photos', width: 90, height: 90 })], caption: '排污口' }));
    const d1 = fake.queueUpdate(token, textMessage({ from: dave, chat: group, text: '对岸的养殖场也在排' }));
    const sc = await submissionOf(`telegram:${group.id}:${msgOf(c1).message_id}`);
    const sd = await submissionOf(`telegram:${group.id}:${msgOf(d1).message_id}`);
    expect(sc.payload.extra.closedBy).toBe('quiet');
    expect(sc.refs).toHaveLength(2);
    expect(sd.refs).toHaveLength(1);
    const receiptOfCarol = formatReceipt(receiptOf(sc.source_key));
    const sent = await waitFor(async () => fake.sentMessages(token).find((m) => m.text.includes(receiptOfCarol)), { what: 'the receipt after the quiet period' });
    expect(Number(sent.chat_id)).toBe(group.id);
    expect(sent.params.reply_parameters).toMatchObject({ message_id: msgOf(c2).message_id });
  });

  it('takes updates by webhook with the secret token (401 without it) and answers 2xx only after recording', async () => {
    const name = `tg-hook-${randomBytes(3).toString('hex')}`;
    const url = `${gw.url}/v1/channels/${name}/telegram`;
    const { token, channelId } = await (async () => {
      const id = 6_200_000_000 + ++botSeq;
      const t = `${id}:AA${randomBytes(16).toString('base64url')}`;
      fake.addBot(t);
      const { rows } = await db.query(`INSERT INTO channels (type, name, settings, credentials) VALUES ('telegram', $1, $2, $3) RETURNING id`, [
        name,
        JSON.stringify({ apiRoot: fake.url, mode: 'webhook', webhookUrl: url, quietSeconds: 60 }),
        JSON.stringify({ token: t, webhookSecret: 'hl_secret-1' }),
      ]);
      return { token: t, channelId: rows[0].id as string };
    })();
    const user = newUser();

    // Without the secret, or with another one: refused, nothing recorded.
    const forged = { update_id: 1, message: { ...msgOf(textMessage({ ...from(user), text: '伪造的' })) } };
    expect((await postJson(url, forged)).status).toBe(401);
    expect((await postJson(url, forged, { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).status).toBe(401);
    expect((await db.query(`SELECT 1 FROM conversation_inbound WHERE channel_id = $1`, [channelId])).rows).toHaveLength(0);

    // The worker registers the webhook; Telegram then delivers with the secret.
    await waitFor(async () => ((await new Api(token, { apiRoot: fake.url }).getWebhookInfo()).url === url ? true : undefined), { what: 'setWebhook' });
    const m = fake.queueUpdate(token, textMessage({ ...from(user), text: '河边的印染厂往河里排红色污水' }));
    fake.queueUpdate(token, textMessage({ ...from(user), text: '确认' }));
    const s = await submissionOf(`telegram:${user.id}:${msgOf(m).message_id}`);
    expect(s.payload.text).toBe('河边的印染厂往河里排红色污水');
    await waitFor(async () => (fake.pendingUpdates(token).length === 0 ? true : undefined), { what: 'deliveries answered' });
    expect(fake.webhookAttempts(token).every((a) => a.secretToken === 'hl_secret-1' && a.ok)).toBe(true);
    await waitFor(async () => (sentTo(token, user).some((t) => t.includes(formatReceipt(receiptOf(s.source_key)))) ? true : undefined), { what: 'the receipt by webhook' });

    // A redelivery of an update already taken is answered 2xx and recognised.
    const again = await postJson(url, m, { 'X-Telegram-Bot-Api-Secret-Token': 'hl_secret-1' });
    expect(again.status).toBe(200);
    expect((await db.query(`SELECT count(*)::int AS n FROM submissions WHERE channel_id = $1`, [channelId])).rows[0].n).toBe(1);
    // The gateway asked who the bot is once, not per update nor per re-read of the channel.
    expect(fake.requests(token, 'getMe')).toHaveLength(1);
  });
});
