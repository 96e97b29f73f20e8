import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WechatRejectedError } from './wechat.errors';

/**
 * Safe-mode (安全模式) message crypto of the official account platform (also WeCom's):
 * AES-256-CBC with key = base64(EncodingAESKey + '='), IV = first 16 key bytes, PKCS#7 padded to a
 * 32-byte block; plaintext = 16 random bytes ‖ uint32 BE message length ‖ message ‖ AppID (or CorpID).
 */

/** WeChat pads to 32 bytes, not AES's 16: Node's automatic padding would accept and produce the wrong thing. */
const BLOCK = 32;
const RANDOM_LENGTH = 16;
const LENGTH_FIELD = 4;
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

export interface WechatCryptoSettings {
  /** The 43-character EncodingAESKey configured on the platform. */
  encodingAesKey: string;
  /** AppID of the official account (CorpID for WeCom): the trailing id of every plaintext must equal it. */
  appId: string;
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  if (typeof encodingAesKey !== 'string' || !AES_KEY_PATTERN.test(encodingAesKey)) {
    throw new WechatRejectedError('bad_aes_key', 'EncodingAESKey must be 43 letters or digits');
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** Decrypts an Encrypt value and returns the message (XML for a push, the echo string for a verification). */
export function decryptMessage(encrypt: string, settings: WechatCryptoSettings): string {
  const key = aesKeyOf(settings.encodingAesKey);
  const cleaned = typeof encrypt === 'string' ? encrypt.trim() : '';
  // Buffer.from silently skips characters that are not base64: check the alphabet first.
  if (!cleaned || cleaned.length % 4 !== 0 || !BASE64_PATTERN.test(cleaned)) {
    throw new WechatRejectedError('bad_ciphertext', 'Encrypt is not base64');
  }
  const cipherText = Buffer.from(cleaned, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new WechatRejectedError('bad_ciphertext', `ciphertext length ${cipherText.length} is not a whole number of AES blocks`);
  }
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);

  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > BLOCK || pad > plain.length) {
    throw new WechatRejectedError('bad_padding', `pad value ${pad} outside 1..${BLOCK}`);
  }
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new WechatRejectedError('bad_padding', 'pad bytes differ');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < RANDOM_LENGTH + LENGTH_FIELD) {
    throw new WechatRejectedError('bad_length', 'plaintext shorter than its header');
  }
  const messageLength = content.readUInt32BE(RANDOM_LENGTH);
  const messageEnd = RANDOM_LENGTH + LENGTH_FIELD + messageLength;
  if (messageEnd > content.length) {
    throw new WechatRejectedError('bad_length', `declared message length ${messageLength} exceeds the plaintext`);
  }
  const appId = content.subarray(messageEnd).toString('utf8');
  if (appId !== settings.appId) {
    // The id is not secret, so a plain comparison is fine; a mismatch means another account's key or a forgery.
    throw new WechatRejectedError('app_id_mismatch', 'trailing AppID differs from the configured one');
  }
  return content.subarray(RANDOM_LENGTH + LENGTH_FIELD, messageEnd).toString('utf8');
}

export interface EncryptOptions extends WechatCryptoSettings {
  /** The 16 random prefix bytes; only tests pass them, to reproduce a known ciphertext. */
  random?: Buffer;
}

/** Encrypts a passive reply (or any message) for safe mode; returns the base64 Encrypt value. */
export function encryptMessage(message: string, options: EncryptOptions): string {
  const key = aesKeyOf(options.encodingAesKey);
  const random = options.random ?? randomBytes(RANDOM_LENGTH);
  if (random.length !== RANDOM_LENGTH) throw new RangeError(`random prefix must be ${RANDOM_LENGTH} bytes`);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(LENGTH_FIELD);
  length.writeUInt32BE(body.length);
  const unpadded = Buffer.concat([random, length, body, Buffer.from(options.appId, 'utf8')]);
  const pad = BLOCK - (unpadded.length % BLOCK);
  const plain = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
