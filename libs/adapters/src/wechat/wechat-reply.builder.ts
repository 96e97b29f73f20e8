import { encryptMessage, type WechatCryptoSettings } from './wechat-crypto.util';
import { wechatSignatureOf } from './wechat-signature.util';

/**
 * CDATA for any text: `]]>` cannot appear inside a CDATA section, so it is split across two sections;
 * characters XML 1.0 forbids (controls, lone surrogates) are dropped, or WeChat refuses the whole reply.
 */
export function cdata(value: string): string {
  const clean = value.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');
  return `<![CDATA[${clean.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

export interface TextReply {
  /** The follower's OpenID (the push's FromUserName). */
  to: string;
  /** The official account's id (the push's ToUserName). */
  from: string;
  content: string;
  /** Epoch seconds. */
  createTime: number;
}

/** A passive text reply (被动回复), answered in the body of the push's HTTP response. */
export function buildTextReply({ to, from, content, createTime }: TextReply): string {
  return (
    `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName>` +
    `<CreateTime>${Math.floor(createTime)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(content)}</Content></xml>`
  );
}

export interface EncryptedReplyOptions extends WechatCryptoSettings {
  token: string;
  timestamp: string;
  nonce: string;
  random?: Buffer;
}

/** Wraps a reply for safe mode: encrypted, with the msg_signature WeChat checks before decrypting it. */
export function buildEncryptedReply(replyXml: string, options: EncryptedReplyOptions): string {
  const encrypt = encryptMessage(replyXml, options);
  const signature = wechatSignatureOf([options.token, options.timestamp, options.nonce, encrypt]);
  return (
    `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${options.timestamp.replace(/\D/g, '')}</TimeStamp><Nonce>${cdata(options.nonce)}</Nonce></xml>`
  );
}
