import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback server speaking the WeChat official-account API where the channel sends on its own:
 * `GET /cgi-bin/token` (client_credential: AppID + AppSecret → access_token, expires_in) and
 * `POST /cgi-bin/message/custom/send?access_token=…` (客服消息). As the platform does, it answers HTTP 200
 * with `{errcode, errmsg}` in the body, keeps the previous token valid for a while after a new one is
 * issued, answers 40001 to a token it never issued (or one replaced long ago) and 42001 to an expired one.
 * Faults (an errcode, an HTTP status, a cut connection) are injected per call.
 */

export interface CustomMessage {
  appId: string;
  touser: string;
  msgtype: string;
  content: string | null;
  token: string;
  at: number;
}

export interface WechatCall {
  call: 'token' | 'send';
  at: number;
  /** errcode answered (0 for success); an HTTP status when the fault was one; `dropped` when cut. */
  outcome: number | `http ${number}` | 'dropped';
}

export interface WechatFault {
  /** An errcode in a 200 answer … */
  errcode?: number;
  errmsg?: string;
  /** … or a bare HTTP status, or a cut connection. */
  httpStatus?: number;
  drop?: boolean;
  /** How many consecutive calls fail (default 1). */
  times?: number;
}

interface IssuedToken {
  appId: string;
  expiresAt: number;
  /** Set once a newer token was issued: the old one keeps working until then (the platform allows 5 minutes). */
  replacedUntil: number | null;
}

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40125: 'invalid appsecret',
  42001: 'access_token expired',
  43004: 'require subscribe',
  44002: 'empty post data',
  45015: 'response out of time limit or subscription is canceled',
};

export class FakeWechat {
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly apps = new Map<string, string>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults = new Map<'token' | 'send', WechatFault[]>();
  private readonly unsubscribed = new Set<string>();
  readonly messages: CustomMessage[] = [];
  readonly calls: WechatCall[] = [];
  url = '';

  constructor(private readonly opts: { expiresInSeconds?: number; replacedGraceMs?: number } = {}) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addApp(appId: string, appSecret: string): void {
    this.apps.set(appId, appSecret);
  }

  /** The follower no longer follows the account: messages to them get 43004. */
  unsubscribe(openId: string): void {
    this.unsubscribed.add(openId);
  }

  /** Every token issued so far expires now (as if two hours had passed). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = Date.now() - 1;
  }

  failNext(call: 'token' | 'send', fault: WechatFault): void {
    const list = this.faults.get(call) ?? [];
    for (let i = 0; i < (fault.times ?? 1); i++) list.push(fault);
    this.faults.set(call, list);
  }

  sentTo(openId: string): CustomMessage[] {
    return this.messages.filter((m) => m.touser === openId);
  }

  callsOf(call: 'token' | 'send'): WechatCall[] {
    return this.calls.filter((c) => c.call === call);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') return this.answer(res, 'token', () => this.token(url.searchParams));
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') return this.answer(res, 'send', () => this.send(url.searchParams, body));
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  private answer(res: http.ServerResponse, call: 'token' | 'send', handle: () => Record<string, unknown>): void {
    const fault = this.faults.get(call)?.shift();
    const at = Date.now();
    if (fault?.drop) {
      this.calls.push({ call, at, outcome: 'dropped' });
      res.socket?.destroy();
      return;
    }
    if (fault?.httpStatus) {
      this.calls.push({ call, at, outcome: `http ${fault.httpStatus}` });
      res.writeHead(fault.httpStatus, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      return;
    }
    const answer = fault?.errcode !== undefined ? error(fault.errcode, fault.errmsg) : handle();
    this.calls.push({ call, at, outcome: Number(answer.errcode ?? 0) });
    res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' }).end(JSON.stringify(answer));
  }

  private token(q: URLSearchParams): Record<string, unknown> {
    if (q.get('grant_type') !== 'client_credential') return error(40002);
    const appId = q.get('appid') ?? '';
    const secret = this.apps.get(appId);
    if (secret === undefined) return error(40013);
    if (q.get('secret') !== secret) return error(40125);
    const expiresIn = this.opts.expiresInSeconds ?? 7200;
    const now = Date.now();
    for (const t of this.tokens.values()) if (t.appId === appId && t.replacedUntil === null) t.replacedUntil = now + (this.opts.replacedGraceMs ?? 300_000);
    const token = `${randomBytes(24).toString('base64url')}_${appId.slice(-4)}`;
    this.tokens.set(token, { appId, expiresAt: now + expiresIn * 1000, replacedUntil: null });
    return { access_token: token, expires_in: expiresIn };
  }

  private send(q: URLSearchParams, body: Buffer): Record<string, unknown> {
    const token = q.get('access_token') ?? '';
    const issued = this.tokens.get(token);
    const now = Date.now();
    if (!issued || (issued.replacedUntil !== null && issued.replacedUntil < now)) return error(40001);
    if (issued.expiresAt < now) return error(42001);
    let msg: { touser?: unknown; msgtype?: unknown; text?: { content?: unknown } };
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch {
      return error(44002);
    }
    if (typeof msg.touser !== 'string' || msg.touser === '') return error(40003);
    if (this.unsubscribed.has(msg.touser)) return error(43004);
    if (msg.msgtype !== 'text' || typeof msg.text?.content !== 'string' || msg.text.content === '') return error(44002);
    this.messages.push({ appId: issued.appId, touser: msg.touser, msgtype: msg.msgtype, content: msg.text.content, token, at: now });
    return { errcode: 0, errmsg: 'ok' };
  }
}

function error(errcode: number, errmsg?: string): Record<string, unknown> {
  return { errcode, errmsg: `${errmsg ?? ERRMSG[errcode] ?? 'error'} rid: ${randomBytes(6).toString('hex')}` };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
