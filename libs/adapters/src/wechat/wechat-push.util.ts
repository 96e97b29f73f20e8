import { decryptMessage } from './wechat-crypto.util';
import { WechatRejectedError } from './wechat.errors';
import { textOf } from './wechat-message.mapper';
import { verifyMsgSignature, verifySignature } from './wechat-signature.util';
import { parseWechatXml, WECHAT_XML_DEFAULTS, type ParseWechatXmlOptions, type WechatXmlElement } from './wechat-xml.parser';

/** What a configured wechat channel needs to check and open pushes. */
export interface WechatEndpointSettings {
  token: string;
  /** Set in safe mode (and compatible mode): pushes with encrypt_type=aes are decrypted with it. */
  encodingAesKey?: string | null;
  appId?: string | null;
  /**
   * When set, a push whose timestamp is further than this from `now` is refused: it narrows the window in
   * which a captured signature can be replayed. WeChat's own retries arrive within seconds.
   */
  maxSkewSeconds?: number | null;
}

/** The query string of a push or verification request, as Express hands it over. */
export type WechatQuery = Record<string, unknown>;

function queryText(query: WechatQuery, key: string): string {
  const value = query[key];
  return typeof value === 'string' ? value : '';
}

function checkSkew(timestamp: string, settings: WechatEndpointSettings, now: number): void {
  if (settings.maxSkewSeconds == null) return;
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - seconds) > settings.maxSkewSeconds) {
    throw new WechatRejectedError('stale_timestamp', 'timestamp outside the accepted window');
  }
}

function cryptoOf(settings: WechatEndpointSettings): { encodingAesKey: string; appId: string } {
  if (!settings.encodingAesKey || !settings.appId) {
    throw new WechatRejectedError('bad_aes_key', 'an encrypted request reached a channel without EncodingAESKey and AppID');
  }
  return { encodingAesKey: settings.encodingAesKey, appId: settings.appId };
}

/**
 * The GET that WeChat sends when the URL is configured: answer the echostr if the request is signed with our
 * token. Official accounts send echostr in clear with `signature` in both modes; WeCom-style verification
 * sends an encrypted echostr with `msg_signature`, which is checked over the echostr and then decrypted.
 * Returns the body to answer with; throws WechatRejectedError otherwise.
 */
export function answerWechatVerification(query: WechatQuery, settings: WechatEndpointSettings, now: number = Date.now()): string {
  const timestamp = queryText(query, 'timestamp');
  const nonce = queryText(query, 'nonce');
  const echostr = queryText(query, 'echostr');
  checkSkew(timestamp, settings, now);
  const msgSignature = queryText(query, 'msg_signature');
  if (msgSignature) {
    if (!verifyMsgSignature({ token: settings.token, timestamp, nonce, encrypt: echostr, msgSignature })) {
      throw new WechatRejectedError('bad_signature', 'msg_signature does not match');
    }
    return decryptMessage(echostr, cryptoOf(settings));
  }
  if (!verifySignature({ token: settings.token, timestamp, nonce, signature: queryText(query, 'signature') })) {
    throw new WechatRejectedError('bad_signature', 'signature does not match');
  }
  return echostr;
}

export interface OpenedPush {
  message: WechatXmlElement;
  /** True when the push came encrypted: the passive reply must then be encrypted too. */
  encrypted: boolean;
  /** The push as WeChat meant it, the raw original to keep: the body, or in safe mode the decrypted inner XML. */
  xml: string;
}

/**
 * Checks and opens one POSTed push: the `signature` (plain mode) or the `msg_signature` over the Encrypt
 * value (encrypt_type=aes), then the decrypted inner XML, each through the safe parser.
 */
export function openWechatPush(
  query: WechatQuery,
  body: Buffer | string,
  settings: WechatEndpointSettings,
  options: ParseWechatXmlOptions & { now?: number } = {},
): OpenedPush {
  const timestamp = queryText(query, 'timestamp');
  const nonce = queryText(query, 'nonce');
  checkSkew(timestamp, settings, options.now ?? Date.now());
  const encrypted = queryText(query, 'encrypt_type').toLowerCase() === 'aes';
  if (!encrypted) {
    // Check the signature before touching the body: unsigned requests cost no parsing.
    if (!verifySignature({ token: settings.token, timestamp, nonce, signature: queryText(query, 'signature') })) {
      throw new WechatRejectedError('bad_signature', 'signature does not match');
    }
    // Decoded once, for parsing and as the raw original; an oversized body is refused before decoding.
    const text = Buffer.isBuffer(body) && body.length <= (options.maxBytes ?? WECHAT_XML_DEFAULTS.maxBytes) ? body.toString('utf8') : body;
    const message = parseWechatXml(text, options);
    return { message, encrypted: false, xml: String(text) };
  }
  const envelope = parseWechatXml(body, options);
  const encrypt = textOf(envelope, 'Encrypt');
  if (!encrypt) throw new WechatRejectedError('missing_field', 'Encrypt is missing');
  if (!verifyMsgSignature({ token: settings.token, timestamp, nonce, encrypt, msgSignature: queryText(query, 'msg_signature') })) {
    throw new WechatRejectedError('bad_signature', 'msg_signature does not match');
  }
  const xml = decryptMessage(encrypt, cryptoOf(settings));
  return { message: parseWechatXml(xml, options), encrypted: true, xml };
}
