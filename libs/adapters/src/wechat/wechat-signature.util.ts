import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat signs a request as sha1 over its parts sorted as strings and concatenated, hex-encoded.
 * Plain mode signs [token, timestamp, nonce]; safe mode adds the Encrypt value (msg_signature).
 */
export function wechatSignatureOf(parts: readonly string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time comparison of two hex digests; a wrong length or a non-string is simply unequal. */
export function hexDigestEquals(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  // timingSafeEqual throws on different lengths; the length of a sha1 hex digest is public anyway.
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignatureParams {
  token: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

/** The `signature` query parameter of every push and of the GET verification (plain and safe mode). */
export function verifySignature({ token, timestamp, nonce, signature }: SignatureParams): boolean {
  if (!token || typeof timestamp !== 'string' || typeof nonce !== 'string') return false;
  return hexDigestEquals(wechatSignatureOf([token, timestamp, nonce]), signature);
}

export interface MsgSignatureParams {
  token: string;
  timestamp: string;
  nonce: string;
  /** The base64 Encrypt value (of the push body, or the echostr of a safe-mode verification). */
  encrypt: string;
  msgSignature: string;
}

/** The `msg_signature` of safe mode: it covers the ciphertext, so a tampered body is refused before decryption. */
export function verifyMsgSignature({ token, timestamp, nonce, encrypt, msgSignature }: MsgSignatureParams): boolean {
  if (!token || typeof timestamp !== 'string' || typeof nonce !== 'string' || typeof encrypt !== 'string') return false;
  return hexDigestEquals(wechatSignatureOf([token, timestamp, nonce, encrypt]), msgSignature);
}
