/**
 * Why a WeChat push or verification request was refused. The endpoint maps every code to a 4xx answer and
 * logs the code; nothing here is retried, because WeChat resends the same bytes and would be refused again.
 */
export type WechatRejectionCode =
  | 'too_large'
  | 'doctype_forbidden'
  | 'entity_forbidden'
  | 'char_ref_flood'
  | 'not_xml'
  | 'malformed_xml'
  | 'missing_field'
  | 'bad_field'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'bad_aes_key'
  | 'bad_ciphertext'
  | 'bad_padding'
  | 'bad_length'
  | 'app_id_mismatch'
  /** A stored safe-mode push replayed through a channel without the key to open it. */
  | 'encrypted';

export class WechatRejectedError extends Error {
  override readonly name = 'WechatRejectedError';

  constructor(
    readonly code: WechatRejectionCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
