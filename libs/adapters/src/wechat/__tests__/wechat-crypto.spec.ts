import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { aesKeyOf, decryptMessage, encryptMessage } from '../wechat-crypto.util';
import { WechatRejectedError } from '../wechat.errors';
import { verifyMsgSignature, verifySignature, wechatSignatureOf } from '../wechat-signature.util';
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

/** Encrypts raw plaintext bytes with the WeChat key and no padding of ours, to forge broken ciphertexts. */
function rawEncrypt(plain: Buffer, encodingAesKey: string): string {
  const key = aesKeyOf(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';

describe('verifySignature (plain mode)', () => {
  const token = 'tok3n';
  const signed = { token, timestamp: '1725180986', nonce: '98765', signature: wechatSignatureOf([token, '1725180986', '98765']) };

  it('accepts sha1 over the sorted token, timestamp and nonce', () => {
    // Independent computation of the documented rule: sort as strings, join, sha1 hex.
    const expected = createHash('sha1').update(['1725180986', '98765', 'tok3n'].join('')).digest('hex');
    expect(signed.signature).toBe(expected);
    expect(verifySignature(signed)).toBe(true);
    expect(verifySignature({ ...signed, signature: signed.signature.toUpperCase() })).toBe(true);
  });

  it('refuses another token, a changed nonce, a truncated or missing signature', () => {
    expect(verifySignature({ ...signed, token: 'other' })).toBe(false);
    expect(verifySignature({ ...signed, nonce: '98766' })).toBe(false);
    expect(verifySignature({ ...signed, signature: signed.signature.slice(0, 39) })).toBe(false);
    expect(verifySignature({ ...signed, signature: undefined as unknown as string })).toBe(false);
    expect(verifySignature({ ...signed, token: '', signature: wechatSignatureOf(['', '1725180986', '98765']) })).toBe(false);
  });
});

describe.each(SAFE_MODE_VECTORS)('published vector $name', (vector) => {
  const settings = { encodingAesKey: vector.encodingAesKey, appId: vector.appId };

  it('verifies its msg_signature and refuses it for a changed ciphertext', () => {
    const params = { token: vector.token, timestamp: vector.timestamp, nonce: vector.nonce, encrypt: vector.encrypt, msgSignature: vector.msgSignature };
    expect(verifyMsgSignature(params)).toBe(true);
    expect(verifyMsgSignature({ ...params, encrypt: `A${vector.encrypt.slice(1)}` })).toBe(false);
    expect(verifyMsgSignature({ ...params, timestamp: String(Number(vector.timestamp) + 1) })).toBe(false);
  });

  it('decrypts to the published plaintext', () => {
    expect(decryptMessage(vector.encrypt, settings)).toBe(vector.plaintext);
  });

  it('refuses the right ciphertext for another AppID', () => {
    expect(rejection(() => decryptMessage(vector.encrypt, { ...settings, appId: 'wx0000000000000000' }))).toBe('app_id_mismatch');
  });

  it('re-encrypts to the identical ciphertext given the same random prefix', () => {
    const key = aesKeyOf(vector.encodingAesKey);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain: Buffer = Buffer.concat([decipher.update(Buffer.from(vector.encrypt, 'base64')), decipher.final()]);
    expect(encryptMessage(vector.plaintext, { ...settings, random: plain.subarray(0, 16) })).toBe(vector.encrypt);
  });
});

describe('encryptMessage / decryptMessage', () => {
  it('round-trips Chinese text and pads to 32-byte blocks', () => {
    const message = '<xml><Content><![CDATA[河边排污口冒黑水]]></Content></xml>';
    const encrypt = encryptMessage(message, { encodingAesKey: KEY, appId: APP_ID });
    expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
    expect(decryptMessage(encrypt, { encodingAesKey: KEY, appId: APP_ID })).toBe(message);
  });

  it('uses a fresh random prefix each time', () => {
    const a = encryptMessage('x', { encodingAesKey: KEY, appId: APP_ID });
    const b = encryptMessage('x', { encodingAesKey: KEY, appId: APP_ID });
    expect(a).not.toBe(b);
  });

  it('pads with a full 32-byte block when the plaintext is already a multiple of 32', () => {
    // 16 random + 4 length + 8 message + 4 appId = 32 bytes.
    const encrypt = encryptMessage('12345678', { encodingAesKey: KEY, appId: 'wx12' });
    expect(Buffer.from(encrypt, 'base64').length).toBe(64);
    expect(decryptMessage(encrypt, { encodingAesKey: KEY, appId: 'wx12' })).toBe('12345678');
  });

  it('refuses a malformed EncodingAESKey', () => {
    expect(rejection(() => encryptMessage('x', { encodingAesKey: KEY.slice(1), appId: APP_ID }))).toBe('bad_aes_key');
    expect(rejection(() => decryptMessage('AAAA', { encodingAesKey: `${KEY.slice(1)}+`, appId: APP_ID }))).toBe('bad_aes_key');
  });

  it('refuses text that is not base64 or not whole AES blocks', () => {
    const settings = { encodingAesKey: KEY, appId: APP_ID };
    expect(rejection(() => decryptMessage('not base64!', settings))).toBe('bad_ciphertext');
    expect(rejection(() => decryptMessage('', settings))).toBe('bad_ciphertext');
    expect(rejection(() => decryptMessage(Buffer.alloc(20).toString('base64'), settings))).toBe('bad_ciphertext');
  });

  it('refuses padding values outside 1..32 and pad bytes that differ', () => {
    const settings = { encodingAesKey: KEY, appId: APP_ID };
    const body = Buffer.alloc(32, 0x41);
    expect(rejection(() => decryptMessage(rawEncrypt(Buffer.concat([body, Buffer.alloc(32, 0)]), KEY), settings))).toBe('bad_padding');
    expect(rejection(() => decryptMessage(rawEncrypt(Buffer.concat([body, Buffer.alloc(32, 33)]), KEY), settings))).toBe('bad_padding');
    const uneven = Buffer.alloc(32, 4);
    uneven[29] = 3;
    expect(rejection(() => decryptMessage(rawEncrypt(Buffer.concat([body, uneven]), KEY), settings))).toBe('bad_padding');
  });

  it('refuses a declared length beyond the plaintext and a plaintext shorter than its header', () => {
    const settings = { encodingAesKey: KEY, appId: APP_ID };
    const header = Buffer.alloc(20);
    header.writeUInt32BE(1000, 16);
    const tooLong = Buffer.concat([header, Buffer.from('short'), Buffer.from(APP_ID)]);
    const pad = 32 - (tooLong.length % 32);
    expect(rejection(() => decryptMessage(rawEncrypt(Buffer.concat([tooLong, Buffer.alloc(pad, pad)]), KEY), settings))).toBe('bad_length');
    expect(rejection(() => decryptMessage(rawEncrypt(Buffer.concat([Buffer.alloc(16), Buffer.alloc(16, 16)]), KEY), settings))).toBe('bad_length');
  });
});
