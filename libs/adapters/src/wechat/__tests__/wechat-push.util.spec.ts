import { encryptMessage } from '../wechat-crypto.util';
import { answerWechatVerification, openWechatPush } from '../wechat-push.util';
import { toConversationMessage } from '../wechat-message.mapper';
import { wechatSignatureOf } from '../wechat-signature.util';
import { parseWechatXml } from '../wechat-xml.parser';
import { WechatRejectedError } from '../wechat.errors';
import { SAFE_MODE_VECTORS } from './fixtures/safe-mode.vectors';

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WechatRejectedError) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

const TOKEN = 'huiliuToken';
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const APP_ID = 'wx49f0ab532d5d035a';
const NOW = 1725180990_000;
const TIMESTAMP = '1725180986';

function signedQuery(extra: Record<string, string> = {}): Record<string, string> {
  return { timestamp: TIMESTAMP, nonce: '12345', signature: wechatSignatureOf([TOKEN, TIMESTAMP, '12345']), openid: 'oX', ...extra };
}

const PUSH = '<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName><CreateTime>1725180986</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[排污]]></Content><MsgId>99</MsgId></xml>';

describe('answerWechatVerification', () => {
  it('answers the echostr of a correctly signed plain verification', () => {
    expect(answerWechatVerification(signedQuery({ echostr: '5837397520' }), { token: TOKEN })).toBe('5837397520');
  });

  it('refuses a wrong signature and, when a skew is set, an old timestamp', () => {
    expect(rejection(() => answerWechatVerification({ ...signedQuery({ echostr: 'e' }), signature: 'f'.repeat(40) }, { token: TOKEN }))).toBe('bad_signature');
    expect(rejection(() => answerWechatVerification(signedQuery({ echostr: 'e' }), { token: 'other' }))).toBe('bad_signature');
    expect(rejection(() => answerWechatVerification(signedQuery({ echostr: 'e' }), { token: TOKEN, maxSkewSeconds: 300 }, NOW + 600_000))).toBe('stale_timestamp');
    expect(answerWechatVerification(signedQuery({ echostr: 'e' }), { token: TOKEN, maxSkewSeconds: 300 }, NOW)).toBe('e');
  });

  it('decrypts an encrypted echostr signed with msg_signature', () => {
    const echostr = encryptMessage('1616140317555161061', { encodingAesKey: KEY, appId: APP_ID });
    const query = { timestamp: TIMESTAMP, nonce: 'n', echostr, msg_signature: wechatSignatureOf([TOKEN, TIMESTAMP, 'n', echostr]) };
    expect(answerWechatVerification(query, { token: TOKEN, encodingAesKey: KEY, appId: APP_ID })).toBe('1616140317555161061');
    expect(rejection(() => answerWechatVerification(query, { token: TOKEN, encodingAesKey: KEY, appId: 'wx0000000000000000' }))).toBe('app_id_mismatch');
    expect(rejection(() => answerWechatVerification(query, { token: TOKEN }))).toBe('bad_aes_key');
    expect(rejection(() => answerWechatVerification({ ...query, msg_signature: '0'.repeat(40) }, { token: TOKEN, encodingAesKey: KEY, appId: APP_ID }))).toBe('bad_signature');
  });
});

describe('openWechatPush', () => {
  it('opens a signed plain push', () => {
    const opened = openWechatPush(signedQuery(), Buffer.from(PUSH), { token: TOKEN });
    expect(opened.encrypted).toBe(false);
    expect(opened.xml).toBe(PUSH);
    expect(toConversationMessage(opened.message)).toMatchObject({ ref: '99', text: '排污', conversationKey: 'oX' });
  });

  it('refuses an oversized body before decoding it', () => {
    const big = Buffer.from(`<xml><Content><![CDATA[${'污'.repeat(400)}]]></Content></xml>`);
    expect(rejection(() => openWechatPush(signedQuery(), big, { token: TOKEN }, { maxBytes: 1024 }))).toBe('too_large');
  });

  it('refuses an unsigned plain push before parsing its body', () => {
    expect(rejection(() => openWechatPush({ ...signedQuery(), signature: '' }, '<!DOCTYPE x><xml/>', { token: TOKEN }))).toBe('bad_signature');
  });

  it.each(SAFE_MODE_VECTORS)('opens the published safe-mode push $name', (vector) => {
    const query = { timestamp: vector.timestamp, nonce: vector.nonce, encrypt_type: 'aes', msg_signature: vector.msgSignature };
    const opened = openWechatPush(query, vector.body, { token: vector.token, encodingAesKey: vector.encodingAesKey, appId: vector.appId });
    expect(opened.encrypted).toBe(true);
    expect(opened.xml.startsWith('<xml>')).toBe(true);
    expect(opened.message).toEqual(parseWechatXml(opened.xml));
    expect(opened.message.MsgType).toBe('text');
    expect(['hello', 'test']).toContain(opened.message.Content);
    expect(rejection(() => openWechatPush({ ...query, nonce: `${vector.nonce}0` }, vector.body, { token: vector.token, encodingAesKey: vector.encodingAesKey, appId: vector.appId }))).toBe(
      'bad_signature',
    );
  });

  it('refuses an encrypted push without Encrypt', () => {
    const query = { timestamp: TIMESTAMP, nonce: 'n', encrypt_type: 'aes', msg_signature: 'x' };
    expect(rejection(() => openWechatPush(query, '<xml><ToUserName>a</ToUserName></xml>', { token: TOKEN, encodingAesKey: KEY, appId: APP_ID }))).toBe('missing_field');
  });
});
