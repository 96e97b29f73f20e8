/**
 * The seam to the WeChat official-account API for what the channel sends on its own: customer-service
 * messages (客服消息), the only way to answer a follower outside the 5-second passive reply. Every call
 * needs an access_token from `/cgi-bin/token` (AppID + AppSecret); it lives about two hours and the
 * platform limits how often it may be asked for, so it is cached (shared by every process through the
 * cache given) until shortly before it expires, and asked for again when the platform calls it invalid
 * or expired (40001, 40014, 42001).
 */

export const WECHAT_API_ROOT = 'https://api.weixin.qq.com';

/** Where access tokens are kept between calls (Redis in the worker, so replicas share one token). */
export interface WechatTokenCache {
  get(appId: string): Promise<string | null>;
  set(appId: string, token: string, ttlMs: number): Promise<void>;
  /** Forgets the token, unless another caller already replaced it. */
  drop(appId: string, token: string): Promise<void>;
}

/** A token cache inside one process (tests, one-off tools). */
export class MemoryWechatTokenCache implements WechatTokenCache {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  async get(appId: string): Promise<string | null> {
    const t = this.tokens.get(appId);
    return t && t.until > Date.now() ? t.token : null;
  }

  async set(appId: string, token: string, ttlMs: number): Promise<void> {
    this.tokens.set(appId, { token, until: Date.now() + ttlMs });
  }

  async drop(appId: string, token: string): Promise<void> {
    if (this.tokens.get(appId)?.token === token) this.tokens.delete(appId);
  }
}

/** Codes meaning "this access_token is no good": fetch a new one and try once more. */
const TOKEN_CODES = new Set([40001, 40014, 42001]);

/**
 * Codes a retry cannot cure: the follower is gone or blocked the account, the 48-hour answer window or the
 * per-follower message count is used up, the account may not send such messages, the message is malformed.
 */
const PERMANENT_CODES = new Set([40003, 40008, 43004, 43019, 44002, 44004, 45002, 45015, 45047, 48001]);

export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly call: 'token' | 'custom_send',
  ) {
    super(`wechat ${call} answered ${errcode}: ${errmsg}`);
  }

  /** True when sending again later cannot succeed. */
  get permanent(): boolean {
    return PERMANENT_CODES.has(this.errcode);
  }

  get tokenRejected(): boolean {
    return TOKEN_CODES.has(this.errcode);
  }
}

/** Kept this long before a token's stated expiry, so a call never carries one that dies in flight. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** A customer-service text may hold about 2 KB; a longer answer is cut, never refused. */
export const WECHAT_MAX_TEXT_BYTES = 2000;

export interface WechatApiOptions {
  apiRoot?: string;
  appId: string;
  appSecret: string;
  tokens: WechatTokenCache;
  timeoutMs?: number;
}

export class WechatApiClient {
  private readonly root: string;
  private fetching: Promise<string> | null = null;

  constructor(private readonly opts: WechatApiOptions) {
    this.root = (opts.apiRoot ?? WECHAT_API_ROOT).replace(/\/+$/, '');
  }

  /** Sends a text to a follower (by OpenID) as a customer-service message. */
  async sendText(openId: string, content: string): Promise<void> {
    const body = { touser: openId, msgtype: 'text', text: { content: cutToBytes(content, WECHAT_MAX_TEXT_BYTES) } };
    let token = await this.accessToken();
    try {
      await this.call('custom_send', `/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, body);
    } catch (err) {
      if (!(err instanceof WechatApiError) || !err.tokenRejected) throw err;
      // Another process refreshed it (the old one dies after a few minutes), or it expired early.
      await this.opts.tokens.drop(this.opts.appId, token);
      token = await this.accessToken(token);
      await this.call('custom_send', `/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, body);
    }
  }

  /** A valid access token: the cached one, else a new one (one request at a time in this process). */
  async accessToken(rejected?: string): Promise<string> {
    const cached = await this.opts.tokens.get(this.opts.appId);
    if (cached && cached !== rejected) return cached;
    this.fetching ??= this.fetchToken().finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async fetchToken(): Promise<string> {
    const q = new URLSearchParams({ grant_type: 'client_credential', appid: this.opts.appId, secret: this.opts.appSecret });
    const answer = await this.call('token', `/cgi-bin/token?${q}`);
    const token = answer.access_token;
    const expiresIn = Number(answer.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn)) throw new Error('wechat token answer has no access_token');
    await this.opts.tokens.set(this.opts.appId, token, Math.max(30_000, expiresIn * 1000 - EXPIRY_MARGIN_MS));
    return token;
  }

  private async call(name: WechatApiError['call'], pathAndQuery: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.root}${pathAndQuery}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`wechat ${name} answered HTTP ${res.status}`);
    }
    const answer = (await res.json()) as Record<string, unknown>;
    const code = Number(answer.errcode ?? 0);
    if (code !== 0) throw new WechatApiError(code, String(answer.errmsg ?? ''), name);
    return answer;
  }
}

/** The longest start of `text` that fits in `max` UTF-8 bytes, ending with … when cut. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  let bytes = 3; // the ellipsis
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}
