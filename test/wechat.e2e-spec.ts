import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { decryptMessage, encryptMessage, formatReceipt, parseWechatXml, receiptOf, textOf, wechatSignatureOf } from '../libs/adapters/src';
import { FsBlobStore } from '../libs/platform/src';
import type { WorkerHandle } from '../apps/worker/src/worker';
import { startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { createTestEnv, waitFor, type TestEnv } from './support/env';

const TOKEN = 'hlwx_token_1';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx5f8a1c3e7b9d2f40';
const ACCOUNT = 'gh_7a1c3e5f9b2d';

/** The WeChat channel end to end: signed (and encrypted) pushes over HTTP into the gateway, real Postgres. */
describe('wechat channel', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;
  let seq = 0;
  let msgId = 24613600000000000n;

  beforeAll(async () => {
    env = await createTestEnv({ CONVERSATION_TICK_MS: '200' });
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
    gw = await startGateway(env.config);
    worker = await startWorkerInProcess(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await db?.end();
    await env?.dispose();
  });

  async function newChannel(settings: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}) {
    const name = `wx-${++seq}-${randomBytes(3).toString('hex')}`;
    const { rows } = await db.query(`INSERT INTO channels (type, name, settings, credentials) VALUES ('wechat', $1, $2, $3) RETURNING id`, [
      name,
      JSON.stringify({ quietSeconds: 60, ...settings }),
      JSON.stringify({ token: TOKEN, ...credentials }),
    ]);
    return { name, channelId: rows[0].id as string, url: `${gw.url}/v1/channels/${name}/wechat` };
  }

  const openId = () => `oVf3a${randomBytes(11).toString('base64url')}`;
  const now = () => Math.floor(Date.now() / 1000);
  const nextMsgId = () => String(++msgId);

  function textXml(from: string, content: string, id = nextMsgId(), time = now()): string {
    return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${time}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${id}</MsgId></xml>`;
  }
  function imageXml(from: string, id = nextMsgId(), time = now()): string {
    return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${time}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[media_${id}]]></MediaId><MsgId>${id}</MsgId></xml>`;
  }
  function subscribeXml(from: string, time = now()): string {
    return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey></xml>`;
  }

  function signed(extra: Record<string, string> = {}): URLSearchParams {
    const timestamp = String(now());
    const nonce = randomBytes(5).toString('hex');
    return new URLSearchParams({ signature: wechatSignatureOf([TOKEN, timestamp, nonce]), timestamp, nonce, ...extra });
  }

  async function push(url: string, xml: string, q: URLSearchParams = signed()): Promise<{ status: number; body: string; ms: number }> {
    const started = performance.now();
    const res = await fetch(`${url}?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    const body = await res.text();
    return { status: res.status, body, ms: performance.now() - started };
  }

  async function pushSafe(url: string, xml: string, appId = APP_ID): Promise<{ status: number; body: string; timestamp: string; nonce: string }> {
    const encrypt = encryptMessage(xml, { encodingAesKey: AES_KEY, appId });
    const q = signed({ encrypt_type: 'aes', openid: 'o' });
    q.set('msg_signature', wechatSignatureOf([TOKEN, q.get('timestamp')!, q.get('nonce')!, encrypt]));
    const res = await fetch(`${url}?${q}`, { method: 'POST', body: `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
    return { status: res.status, body: await res.text(), timestamp: q.get('timestamp')!, nonce: q.get('nonce')! };
  }

  const contentOf = (replyXml: string) => textOf(parseWechatXml(replyXml), 'Content') ?? '';

  async function submissionOf(sourceKey: string) {
    return waitFor(async () => (await db.query(`SELECT * FROM submissions WHERE source_key = $1`, [sourceKey])).rows[0], { what: `submission ${sourceKey}` });
  }

  it('answers the URL verification (plain echostr and the encrypted WeCom-style echostr) and refuses a wrong signature', async () => {
    const { url } = await newChannel({ appId: APP_ID }, { encodingAesKey: AES_KEY });
    const plain = signed({ echostr: '5721392849136548412' });
    const ok = await fetch(`${url}?${plain}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('5721392849136548412');

    const bad = signed({ echostr: '1' });
    bad.set('signature', '0'.repeat(40));
    expect((await fetch(`${url}?${bad}`)).status).toBe(401);

    const echo = encryptMessage('echo-7788', { encodingAesKey: AES_KEY, appId: APP_ID });
    const safe = signed({ echostr: echo });
    safe.set('msg_signature', wechatSignatureOf([TOKEN, safe.get('timestamp')!, safe.get('nonce')!, echo]));
    const dec = await fetch(`${url}?${safe}`);
    expect(dec.status).toBe(200);
    expect(await dec.text()).toBe('echo-7788');
  });

  it('refuses a push with a bad signature with 401 and records nothing', async () => {
    const { url, channelId } = await newChannel();
    const q = signed();
    q.set('signature', wechatSignatureOf(['another-token', q.get('timestamp')!, q.get('nonce')!]));
    const res = await push(url, textXml(openId(), '化工厂偷排废水'), q);
    expect(res.status).toBe(401);
    expect((await db.query(`SELECT 1 FROM conversation_inbound WHERE channel_id = $1`, [channelId])).rows).toHaveLength(0);
    expect((await db.query(`SELECT 1 FROM conversation_states WHERE channel_id = $1`, [channelId])).rows).toHaveLength(0);
  });

  it('gathers a follower’s text and picture into one draft, answers passively, and records it on confirmation with the receipt', async () => {
    const { url, channelId } = await newChannel();
    const user = openId();
    const first = nextMsgId();
    const text = textXml(user, '南京市玄武区锁金村街道的化工厂夜里排放黑烟，气味刺鼻', first);
    const opened = await push(url, text);
    expect(opened.status).toBe(200);
    expect(opened.ms).toBeLessThan(1000);
    const reply = parseWechatXml(opened.body);
    expect(reply).toMatchObject({ ToUserName: user, FromUserName: ACCOUNT, MsgType: 'text' });
    expect(contentOf(opened.body)).toContain('已收到');
    // Durable before the answer: the push is in the follower's draft, in Postgres.
    const state = await db.query(`SELECT raws, due_at FROM conversation_states WHERE channel_id = $1 AND conversation_key = $2`, [channelId, user]);
    expect(state.rows[0].raws).toEqual([{ ref: first, raw: text }]);
    expect(state.rows[0].due_at).not.toBeNull();

    const image = imageXml(user);
    const second = await push(url, image);
    expect(second.status).toBe(200);
    expect(second.body).toBe('success');

    const confirm = await push(url, textXml(user, '确认'));
    const receipt = formatReceipt(receiptOf(`wechat:${first}`));
    expect(contentOf(confirm.body)).toContain(receipt);
    const s = await submissionOf(`wechat:${first}`);
    expect(s.refs).toHaveLength(2);
    expect(s.payload.attachments[0]).toMatchObject({ contentType: 'image/jpeg', blobKey: null });
    expect((await new FsBlobStore(env.config.BLOB_ROOT).read(s.raw)).toString('utf8')).toBe(`${text}\n${image}`);

    // WeChat retries the confirmation (the answer was slow): the same answer, nothing recorded twice.
    const retry = await push(url, textXml(user, '确认', String(msgId)));
    expect(contentOf(retry.body)).toBe(contentOf(confirm.body));
    expect((await db.query(`SELECT count(*)::int AS n FROM submissions WHERE channel_id = $1`, [channelId])).rows[0].n).toBe(1);
  });

  it('recognises a retried push by MsgId and an event by sender and time, answering each retry the same', async () => {
    const { url, channelId } = await newChannel();
    const user = openId();
    const event = subscribeXml(user);
    const a = await push(url, event);
    const b = await push(url, event);
    expect(contentOf(a.body)).toContain('生态环境问题举报受理');
    expect(b.body).toBe(a.body.replace(/<CreateTime>\d+<\/CreateTime>/, b.body.match(/<CreateTime>\d+<\/CreateTime>/)![0]));
    const xml = textXml(user, '工地夜间施工噪音');
    const [x, y, z] = [await push(url, xml), await push(url, xml), await push(url, xml)];
    expect([x.status, y.status, z.status]).toEqual([200, 200, 200]);
    expect(contentOf(y.body)).toBe(contentOf(x.body));
    const inbound = await db.query(`SELECT count(*)::int AS n FROM conversation_inbound WHERE channel_id = $1`, [channelId]);
    expect(inbound.rows[0].n).toBe(2);
    const state = await db.query(`SELECT jsonb_array_length(raws) AS n FROM conversation_states WHERE channel_id = $1`, [channelId]);
    expect(state.rows[0].n).toBe(1);
    // The subscribe event is accounted for as a rejected submission.
    const sub = await submissionOf(`wechat:${user}:${event.match(/<CreateTime>(\d+)/)![1]}`);
    expect(sub.payload.rejectHint).toBe('event_subscribe');
  });

  it('opens safe-mode pushes (AppID checked) and answers with an encrypted, signed reply', async () => {
    const { url } = await newChannel({ appId: APP_ID }, { encodingAesKey: AES_KEY });
    const user = openId();
    const first = nextMsgId();
    const res = await pushSafe(url, textXml(user, '河边的印染厂往河里排红色污水', first));
    expect(res.status).toBe(200);
    const envelope = parseWechatXml(res.body);
    const encrypt = textOf(envelope, 'Encrypt')!;
    expect(textOf(envelope, 'MsgSignature')).toBe(wechatSignatureOf([TOKEN, res.timestamp, res.nonce, encrypt]));
    const inner = decryptMessage(encrypt, { encodingAesKey: AES_KEY, appId: APP_ID });
    expect(contentOf(inner)).toContain('已收到');

    const foreign = await pushSafe(url, textXml(user, '另一个公众号的消息'), 'wx0000000000000000');
    expect(foreign.status).toBe(401);

    const confirmed = await pushSafe(url, textXml(user, '提交'));
    expect(contentOf(decryptMessage(textOf(parseWechatXml(confirmed.body), 'Encrypt')!, { encodingAesKey: AES_KEY, appId: APP_ID }))).toContain(formatReceipt(receiptOf(`wechat:${first}`)));
    // The raw original kept is the decrypted push.
    const s = await submissionOf(`wechat:${first}`);
    expect((await new FsBlobStore(env.config.BLOB_ROOT).read(s.raw)).toString('utf8')).toContain('往河里排红色污水');
  });

  it('closes a draft when the window passes with no further message, and answers 查询 with its disposition', async () => {
    const { url } = await newChannel({ quietSeconds: 1 });
    const user = openId();
    const first = nextMsgId();
    await push(url, textXml(user, '南京市玄武区锁金村街道的东方化工厂排放黑烟，气味刺鼻', first));
    const s = await waitFor(async () => (await db.query(`SELECT * FROM submissions WHERE source_key = $1 AND status <> 'pending'`, [`wechat:${first}`])).rows[0], { what: 'closed and judged' });
    expect(s.payload.extra.closedBy).toBe('quiet');
    const status = await push(url, textXml(user, '查询'));
    expect(contentOf(status.body)).toContain(`回执号 ${formatReceipt(receiptOf(`wechat:${first}`))}：已受理`);
  });

  it('rejects XML bombs in milliseconds through the endpoint, recording nothing', async () => {
    const { url, channelId } = await newChannel();
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      Array.from({ length: 7 }, (_, i) => `<!ENTITY lol${i + 3} "${`&lol${i + 2};`.repeat(10)}">`).join('') +
      ']><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>';
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>b</FromUserName><Content>&xxe;</Content></xml>';
    const refs = `<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>${'&#x41;'.repeat(5000)}</Content><MsgId>2</MsgId></xml>`;
    const huge = `<xml><Content><![CDATA[${'污'.repeat(40_000)}]]></Content></xml>`;
    for (const [body, code] of [
      [laughs, 'doctype_forbidden'],
      [xxe, 'doctype_forbidden'],
      [refs, 'char_ref_flood'],
      [huge, 'too_large'],
    ] as const) {
      const res = await push(url, body);
      expect({ status: res.status, body: res.body }).toEqual({ status: code === 'too_large' ? 413 : 400, body: code });
      expect(res.ms).toBeLessThan(200);
    }
    expect((await db.query(`SELECT 1 FROM conversation_inbound WHERE channel_id = $1`, [channelId])).rows).toHaveLength(0);
  });
});
