import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, Bot, longPoll, NetworkError, nodeFrameworkWebhook, TelegramApiError } from 'node-telegram-bot-api';
import {
  callbackQuery,
  commandMessage,
  documentMessage,
  editedTextMessage,
  FakeTelegram,
  locationMessage,
  photoMessage,
  textMessage,
  type TgUpdate,
} from './support/fake-telegram';

/**
 * The fake Bot API server is only worth having if the real client library cannot tell it from
 * Telegram for the behaviour the Telegram channel relies on. Every check here goes through
 * node-telegram-bot-api v2 (or raw HTTP where the wire format itself is the point).
 */

const CONFLICT_OTHER_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

let fake: FakeTelegram;
let botSeq = 0;
const cleanups: Array<() => Promise<void>> = [];

/** Starts the library's polling loop and makes sure it is stopped after the test, even a failed one. */
function startPolling(bot: Bot, timeout: number): Promise<void> {
  const running = bot.startPolling(undefined, { timeout });
  cleanups.push(async () => {
    bot.stop();
    await running.catch(() => undefined);
  });
  return running;
}

/** A fresh bot per test, so queues, logs and faults never leak between tests. */
function newBot(): { token: string; id: number; api: Api } {
  const id = 6_100_000_000 + ++botSeq;
  const token = `${id}:AA${randomBytes(16).toString('base64url')}`;
  fake.addBot(token);
  return { token, id, api: new Api(token, { apiRoot: fake.url }) };
}

/** Bounded polling of the fake's state; never a bare sleep. */
async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The v2 client has no download helper: the caller builds the file URL from the same apiRoot. */
async function downloadFile(api: Api, apiRoot: string, token: string, fileId: string, knownPath?: string): Promise<Buffer> {
  const get = (p: string) => fetch(`${apiRoot}/file/bot${token}/${p}`);
  let path = knownPath ?? (await api.getFile({ file_id: fileId })).file_path!;
  let res = await get(path);
  if (res.status === 404) {
    // Download links expire (about an hour on Telegram); getFile issues a fresh one.
    path = (await api.getFile({ file_id: fileId })).file_path!;
    res = await get(path);
  }
  if (!res.ok) throw new Error(`download failed: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

interface Receiver {
  url: string;
  hits: Array<{ secret: string | undefined; update: TgUpdate }>;
  close(): Promise<void>;
}

/** A webhook endpoint answering with the given statuses in turn, then 200. */
async function startReceiver(statuses: number[] = []): Promise<Receiver> {
  const hits: Receiver['hits'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, update: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function freePortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/telegram`;
}

beforeAll(async () => {
  fake = new FakeTelegram({ webhookRetryBaseMs: 20, webhookRetryMaxMs: 200 });
  await fake.start();
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await fake?.stop();
});

describe('wire format', () => {
  it('answers getMe for a known token and 401 for an unknown one', async () => {
    const { api, id } = newBot();
    const me = await api.getMe();
    expect(me).toMatchObject({ id, is_bot: true });
    const stranger = new Api('42:nope', { apiRoot: fake.url, maxRetries: 0 });
    await expect(stranger.getMe()).rejects.toMatchObject({ errorCode: 401, description: 'Unauthorized' });
  });

  it('accepts GET query, JSON and form bodies, and answers faults with the status equal to error_code', async () => {
    const { token } = newBot();
    const base = `${fake.url}/bot${token}`;
    const viaGet = await fetch(`${base}/sendMessage?chat_id=1&text=${encodeURIComponent('问路')}`);
    expect(viaGet.status).toBe(200);
    const viaJson = await fetch(`${base}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 2, text: 'json', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'a' }]] } }),
    });
    const echoed = (await viaJson.json()) as { result: { reply_markup: { inline_keyboard: Array<Array<{ callback_data: string }>> } } };
    expect(echoed.result.reply_markup.inline_keyboard[0][0].callback_data).toBe('a');
    const viaForm = await fetch(`${base}/SENDMESSAGE`, { method: 'POST', body: new URLSearchParams({ chat_id: '3', text: 'form' }) });
    expect(viaForm.status).toBe(200);
    const multipart = new FormData();
    multipart.set('chat_id', '4');
    multipart.set('text', '多部分\r\n表单');
    const viaMultipart = await fetch(`${base}/sendMessage`, { method: 'POST', body: multipart });
    expect(viaMultipart.status).toBe(200);
    expect(fake.sentMessages(token).map((m) => [m.chat_id, m.text])).toEqual([
      [1, '问路'],
      [2, 'json'],
      [3, 'form'],
      [4, '多部分\r\n表单'],
    ]);

    fake.failNext('sendMessage', { status: 429, retry_after: 7, token });
    const limited = await fetch(`${base}/sendMessage`, { method: 'POST', body: new URLSearchParams({ chat_id: '1', text: 'x' }) });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toBe('{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}');
    const unknown = await fetch(`${base}/noSuchMethod`);
    expect(unknown.status).toBe(404);
  });
});

describe('long polling', () => {
  it('delivers queued updates in order, wakes a held poll, and confirms them by offset', async () => {
    const { token, api } = newBot();
    const small = fake.registerFile(token, randomBytes(200), { kind: 'photos', width: 90, height: 68 });
    const large = fake.registerFile(token, randomBytes(900), { kind: 'photos', width: 1280, height: 960 });
    const queued = [
      fake.queueUpdate(token, textMessage({ text: '河边化工厂夜里往河里排黑水，味道很冲' })),
      fake.queueUpdate(token, photoMessage({ sizes: [small, large], caption: '排污口，拍于今晚十点' })),
      fake.queueUpdate(token, commandMessage('/start', 'src_poster')),
    ];
    expect(queued.map((u) => u.update_id)).toEqual([queued[0].update_id, queued[0].update_id + 1, queued[0].update_id + 2]);

    const bot = new Bot(token, { apiRoot: fake.url });
    const seen: TgUpdate[] = [];
    bot.use((ctx) => {
      seen.push(ctx.update as unknown as TgUpdate);
    });
    // A long timeout: the fourth update must arrive because the held poll is woken, not because it expired.
    const running = startPolling(bot, 20);
    await until(() => seen.length === 3 && fake.isPolling(token), 'the first batch and a held poll');
    const heldSince = Date.now();
    const fourth = fake.queueUpdate(token, locationMessage({ latitude: 22.5431, longitude: 114.0579, horizontal_accuracy: 35 }));
    await until(() => seen.length === 4, 'the update queued during the held poll');
    expect(Date.now() - heldSince).toBeLessThan(2000);
    const last = fourth.update_id;
    await until(() => fake.requests(token, 'getUpdates').some((r) => Number(r.params.offset) === last + 1), 'the confirming poll');
    bot.stop();
    await running;

    expect(seen.map((u) => u.update_id)).toEqual([...queued, fourth].map((u) => u.update_id));
    expect(seen[1].message?.photo?.map((p) => [p.file_id, p.width])).toEqual([
      [small.file_id, 90],
      [large.file_id, 1280],
    ]);
    expect(seen[1].message?.caption).toBe('排污口，拍于今晚十点');
    expect(seen[2].message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(seen[3].message?.location).toEqual({ latitude: 22.5431, longitude: 114.0579, horizontal_accuracy: 35 });
    // The polls went out as form posts; the aborted held poll was left by the client.
    expect(fake.requests(token, 'getUpdates').every((r) => r.contentType === 'application/x-www-form-urlencoded')).toBe(true);
    await until(() => fake.requests(token, 'getUpdates').at(-1)?.outcome === 'client-closed', 'the server to notice the aborted poll');

    // A second poller does not see them again.
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
    expect(fake.pendingUpdates(token)).toEqual([]);
  });

  it('keeps updates until an offset confirms them: stopping in a handler leaves the last one unconfirmed', async () => {
    const { token, api } = newBot();
    const original = textMessage({ text: '工地噪音' });
    const edited = fake.queueUpdate(token, editedTextMessage(original, '工地夜间施工噪音，凌晨两点还在打桩'));
    expect(edited.edited_message?.edit_date).toBeGreaterThan(0);

    const bot = new Bot(token, { apiRoot: fake.url });
    let handled = 0;
    bot.on('edited_message', () => {
      handled++;
      bot.stop();
    });
    await startPolling(bot, 1);
    expect(handled).toBe(1);
    // The library confirms an update only with its next getUpdates, which a stopped loop never sends.
    const again = await api.getUpdates({ timeout: 0 });
    expect(again.map((u) => u.update_id)).toEqual([edited.update_id]);

    expect(await api.getUpdates({ offset: edited.update_id + 1, timeout: 0 })).toEqual([]);
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('honours limit, a negative offset and allowed_updates', async () => {
    const { token, api } = newBot();
    const a = fake.queueUpdate(token, textMessage({ text: 'a' }));
    fake.queueUpdate(token, textMessage({ text: 'b' }));
    const c = fake.queueUpdate(token, textMessage({ text: 'c' }));
    expect((await api.getUpdates({ limit: 2, timeout: 0 })).map((u) => u.update_id)).toEqual([a.update_id, a.update_id + 1]);
    // -1: only the newest update survives; the others are forgotten.
    expect((await api.getUpdates({ offset: -1, timeout: 0 })).map((u) => u.update_id)).toEqual([c.update_id]);
    expect((await api.getUpdates({ timeout: 0 })).map((u) => u.update_id)).toEqual([c.update_id]);

    const cq = fake.queueUpdate(token, callbackQuery({ data: 'confirm' }));
    const onlyQueries = await api.getUpdates({ offset: c.update_id + 1, allowed_updates: ['callback_query'], timeout: 0 });
    expect(onlyQueries.map((u) => u.update_id)).toEqual([cq.update_id]);
    fake.queueUpdate(token, textMessage({ text: 'filtered out' }));
    // The subscription persists across calls that do not name allowed_updates.
    expect((await api.getUpdates({ offset: cq.update_id + 1, timeout: 0 })).length).toBe(0);
  });

  it('ends the held poll with 409 when another getUpdates arrives; polling mode treats it as fatal', async () => {
    const { token } = newBot();
    const first = new Bot(token, { apiRoot: fake.url });
    const running = startPolling(first, 20);
    await until(() => fake.isPolling(token), 'the first poller to be held');

    const second = new Api(token, { apiRoot: fake.url });
    const secondPoll = second.getUpdates({ timeout: 20 });
    const err = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ errorCode: 409, description: CONFLICT_OTHER_POLL });
    expect(first.isRunning()).toBe(false);

    // The newer poll is the one Telegram keeps.
    await until(() => fake.isPolling(token), 'the second poller to be held');
    const update = fake.queueUpdate(token, textMessage({ text: '还在' }));
    expect((await secondPoll).map((u) => u.update_id)).toEqual([update.update_id]);
    expect(fake.requests(token, 'getUpdates').map((r) => r.outcome)).toEqual([409, 200]);
  });

  it('surfaces a 429 on getUpdates to longPoll, which waits retry_after and keeps the offset', async () => {
    const { token } = newBot();
    const update = fake.queueUpdate(token, textMessage({ text: '限流之后仍能收到' }));
    fake.failNext('getUpdates', { status: 429, retry_after: 1, token });
    const api = new Api(token, { apiRoot: fake.url, maxRetries: 0 });
    const errors: unknown[] = [];
    const ac = new AbortController();
    const started = Date.now();
    const got: number[] = [];
    for await (const u of longPoll(api, { timeout: 1, onError: (e) => errors.push(e) }, ac.signal)) {
      got.push(u.update_id);
      ac.abort();
    }
    expect(got).toEqual([update.update_id]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ errorCode: 429, retryAfter: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('survives a connection cut under a held poll (the transport retries network errors)', async () => {
    const { token } = newBot();
    const bot = new Bot(token, { apiRoot: fake.url, retryBackoffMs: 20 });
    const seen: number[] = [];
    bot.use((ctx) => {
      seen.push(ctx.update.update_id);
    });
    const running = startPolling(bot, 20);
    await until(() => fake.isPolling(token), 'a held poll');
    fake.dropAllConnections();
    await until(() => fake.isPolling(token), 'the poll to come back');
    const update = fake.queueUpdate(token, textMessage({ text: '断线之后' }));
    await until(() => seen.length === 1, 'the update after the cut');
    bot.stop();
    await running;
    expect(seen).toEqual([update.update_id]);
    expect(fake.requests(token, 'getUpdates')[0].outcome).toBe('dropped');
  });
});

describe('sending', () => {
  it('records sendMessage and returns a Message; answers callback queries once', async () => {
    const { token, api, id } = newBot();
    const chatId = 5_123_456_789;
    const msg = await api.sendMessage({
      chat_id: chatId,
      text: '已收到您的举报，编号 HL-20250601-0007',
      reply_markup: { inline_keyboard: [[{ text: '补充照片', callback_data: 'add_photo' }]] },
    });
    expect(msg).toMatchObject({ message_id: 1, chat: { id: chatId, type: 'private' }, from: { id, is_bot: true }, text: '已收到您的举报，编号 HL-20250601-0007' });
    const sent = fake.sentMessages(token);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ chat_id: chatId, text: msg.text, params: { reply_markup: { inline_keyboard: [[{ text: '补充照片', callback_data: 'add_photo' }]] } } });

    await expect(api.sendMessage({ chat_id: chatId, text: '长'.repeat(4097) })).rejects.toMatchObject({ errorCode: 400, description: 'Bad Request: message is too long' });
    expect(fake.sentMessages(token)).toHaveLength(1);

    const cq = fake.queueUpdate(token, callbackQuery({ data: 'add_photo', message: msg }));
    await expect(api.answerCallbackQuery({ callback_query_id: cq.callback_query!.id, text: '请直接发送照片' })).resolves.toBe(true);
    expect(fake.answeredCallbackQueries(token)).toEqual([expect.objectContaining({ callback_query_id: cq.callback_query!.id, text: '请直接发送照片' })]);
    await expect(api.answerCallbackQuery({ callback_query_id: cq.callback_query!.id })).rejects.toMatchObject({ errorCode: 400 });
  });

  it('surfaces a 429 with retry_after when retries are off, and retries after retry_after by default', async () => {
    const { token, api } = newBot();
    fake.failNext('sendMessage', { status: 429, retry_after: 7, token });
    const strict = new Api(token, { apiRoot: fake.url, maxRetries: 0 });
    const err = await strict.sendMessage({ chat_id: 1, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ errorCode: 429, retryAfter: 7, description: 'Too Many Requests: retry after 7' });

    fake.failNext('sendMessage', { status: 429, retry_after: 1, token });
    const started = Date.now();
    await expect(api.sendMessage({ chat_id: 1, text: 'y' })).resolves.toMatchObject({ text: 'y' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // A flood-wait beyond maxRetryAfterMs (60 s by default) is surfaced at once instead of waited out.
    fake.failNext('sendMessage', { status: 429, retry_after: 120, token });
    await expect(api.sendMessage({ chat_id: 1, text: 'z' })).rejects.toMatchObject({ errorCode: 429, retryAfter: 120 });
    expect(fake.requests(token, 'sendMessage').map((r) => r.outcome)).toEqual([429, 429, 200, 429]);
    expect(fake.sentMessages(token).map((m) => m.text)).toEqual(['y']);
  });

  it('cuts a connection on demand: a NetworkError without retries, a transparent retry with them', async () => {
    const { token, api } = newBot();
    fake.dropNext('sendMessage', { token });
    const strict = new Api(token, { apiRoot: fake.url, maxRetries: 0 });
    await expect(strict.sendMessage({ chat_id: 1, text: 'a' })).rejects.toBeInstanceOf(NetworkError);
    fake.dropNext('sendMessage', { token });
    await expect(api.sendMessage({ chat_id: 1, text: 'b' })).resolves.toMatchObject({ text: 'b' });
    expect(fake.requests(token, 'sendMessage').map((r) => r.outcome)).toEqual(['dropped', 'dropped', 200]);
  });
});

describe('files', () => {
  it('serves registered bytes through getFile and the file URL, and re-issues an expired link', async () => {
    const { token, api } = newBot();
    const bytes = randomBytes(5000);
    const doc = fake.registerFile(token, bytes, { kind: 'documents', fileName: '监测报告.pdf', mimeType: 'application/pdf' });
    const update = fake.queueUpdate(token, documentMessage({ document: doc, caption: '上月水质监测' }));
    expect(update.message?.document).toEqual({ file_id: doc.file_id, file_unique_id: doc.file_unique_id, file_size: 5000, file_name: '监测报告.pdf', mime_type: 'application/pdf' });

    const file = await api.getFile({ file_id: doc.file_id });
    expect(file).toEqual({ file_id: doc.file_id, file_unique_id: doc.file_unique_id, file_size: 5000, file_path: expect.stringMatching(/^documents\/file_\d+\.pdf$/) });
    expect(await downloadFile(api, fake.url, token, doc.file_id, file.file_path)).toEqual(bytes);
    // The link is stable while it lives.
    expect((await api.getFile({ file_id: doc.file_id })).file_path).toBe(file.file_path);

    fake.expireFileLinks(token, doc.file_id);
    expect((await fetch(fake.fileDownloadUrl(token, file.file_path!))).status).toBe(404);
    const getFilesBefore = fake.requests(token, 'getFile').length;
    expect(await downloadFile(api, fake.url, token, doc.file_id, file.file_path)).toEqual(bytes);
    expect(fake.requests(token, 'getFile').length).toBe(getFilesBefore + 1);
    const fresh = fake.requests(token, 'download').at(-1)!;
    expect(fresh.outcome).toBe(200);
    expect((await api.getFile({ file_id: doc.file_id })).file_path).not.toBe(file.file_path);
  });

  it('refuses files over 20 MB and unknown ids, and can cut a download midway', async () => {
    const { token, api } = newBot();
    const big = fake.registerFile(token, Buffer.from('x'), { kind: 'videos', declaredSize: 25 * 1024 * 1024 });
    await expect(api.getFile({ file_id: big.file_id })).rejects.toMatchObject({ errorCode: 400, description: 'Bad Request: file is too big' });
    await expect(api.getFile({ file_id: 'AgACAgUAAxkBAAIbogus' })).rejects.toMatchObject({ errorCode: 400, description: 'Bad Request: invalid file_id' });

    const photo = fake.registerFile(token, randomBytes(64 * 1024), { kind: 'photos', width: 1280, height: 960 });
    const { file_path } = await api.getFile({ file_id: photo.file_id });
    expect(file_path).toMatch(/^photos\/file_\d+\.jpg$/);
    fake.dropNext('download', { token, afterBytes: 1000 });
    const res = await fetch(fake.fileDownloadUrl(token, file_path!));
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });
});

describe('webhook', () => {
  it('posts updates with the secret header, redelivers after a 500 and a refused connection, and blocks getUpdates', async () => {
    const { token, api } = newBot();
    const receiver = await startReceiver([500]);
    try {
      await expect(api.setWebhook({ url: receiver.url, secret_token: 'hl_secret-1' })).resolves.toBe(true);
      const update = fake.queueUpdate(token, textMessage({ text: '烧垃圾的烟飘进小区' }));
      await until(() => fake.pendingUpdates(token).length === 0, 'delivery of the update');

      expect(receiver.hits.map((h) => [h.update.update_id, h.secret])).toEqual([
        [update.update_id, 'hl_secret-1'],
        [update.update_id, 'hl_secret-1'],
      ]);
      expect(receiver.hits[1].update).toEqual(update);
      expect(fake.webhookAttempts(token).map((a) => [a.update_id, a.attempt, a.status, a.ok])).toEqual([
        [update.update_id, 1, 500, false],
        [update.update_id, 2, 200, true],
      ]);
      // Redelivery waits out the backoff (20 ms first, in this fake's configuration).
      const [failed, redelivered] = fake.webhookAttempts(token);
      expect(redelivered.at - failed.at).toBeGreaterThanOrEqual(20);
      const info = await api.getWebhookInfo();
      expect(info).toMatchObject({ url: receiver.url, pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error' });

      const plain = new Api(token, { apiRoot: fake.url, maxRetries: 0 });
      await expect(plain.getUpdates({ timeout: 0 })).rejects.toMatchObject({ errorCode: 409, description: CONFLICT_WEBHOOK });

      // Nothing listens: attempts fail with a connection error until the webhook points somewhere alive.
      await api.setWebhook({ url: await freePortUrl(), secret_token: 'hl_secret-1' });
      const second = fake.queueUpdate(token, textMessage({ text: '第二条' }));
      await until(() => fake.webhookAttempts(token).filter((a) => a.update_id === second.update_id).length >= 2, 'repeated refused attempts');
      expect(fake.webhookAttempts(token).find((a) => a.update_id === second.update_id)).toMatchObject({ ok: false, error: 'Connection refused' });
      expect((await api.getWebhookInfo()).pending_update_count).toBe(1);
      await api.setWebhook({ url: receiver.url, secret_token: 'hl_secret-1' });
      await until(() => receiver.hits.some((h) => h.update.update_id === second.update_id) && fake.pendingUpdates(token).length === 0, 'delivery after the fix');

      await expect(api.deleteWebhook()).resolves.toBe(true);
      expect(await plain.getUpdates({ timeout: 0 })).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("works with the library's own webhook handler: a wrong secret is refused, a failing handler is redelivered", async () => {
    const { token, api } = newBot();
    const bot = new Bot(token, { apiRoot: fake.url });
    let calls = 0;
    bot.on('message', () => {
      calls++;
      if (calls === 1) throw new Error('store unavailable');
    });
    // Rethrowing from the boundary makes the handler answer 500, so Telegram redelivers.
    bot.catch((err) => {
      throw err;
    });
    const handle = nodeFrameworkWebhook(bot, { secretToken: 'right_secret' });
    const server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await api.setWebhook({ url, secret_token: 'wrong_secret' });
      const update = fake.queueUpdate(token, textMessage({ text: '养殖场臭味' }));
      await until(() => fake.webhookAttempts(token).length >= 1, 'a refused attempt');
      expect(fake.webhookAttempts(token)[0]).toMatchObject({ update_id: update.update_id, status: 401, ok: false });
      expect(calls).toBe(0);

      await api.setWebhook({ url, secret_token: 'right_secret' });
      await until(() => fake.pendingUpdates(token).length === 0, 'delivery with the right secret');
      expect(calls).toBe(2);
      const statuses = fake.webhookAttempts(token).map((a) => a.status);
      expect(statuses.slice(-2)).toEqual([500, 200]);
    } finally {
      await api.deleteWebhook();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
