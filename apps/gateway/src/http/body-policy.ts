import type { AppConfig } from '@huiliu/platform';

/**
 * How a route's body is read:
 * - `raw`: the exact bytes, as a Buffer (signatures are checked over them, they are kept as the raw original);
 * - `json`: parsed as JSON when the content type says JSON (the admin API);
 * - `stream`: not read at all; the handler streams it (uploaded export files go to the blob store as they come).
 */
export type BodyKind = 'raw' | 'json' | 'stream';

export interface BodyPolicy {
  kind: BodyKind;
  /** Largest body read; a larger declared Content-Length is refused with 413 before anything is read. */
  limit: number;
  /** The 413 answer's message. */
  tooLarge: string;
}

export type BodyLimits = Pick<AppConfig, 'BODY_LIMIT' | 'WEBHOOK_BODY_LIMIT' | 'WECHAT_BODY_LIMIT' | 'IMPORT_MAX_BYTES' | 'REGISTRATION_MAX_BYTES'>;

const ADMIN_JSON_LIMIT = 1024 * 1024;

/** The body policy of a route, by its path pattern (as registered, e.g. `/v1/channels/:name/wechat`). */
export function bodyPolicyFor(url: string, limits: BodyLimits): BodyPolicy {
  const over = (n: number) => `body over the ${n}-byte limit`;
  if (/^\/v1\/submissions(\/|$)/.test(url)) return { kind: 'raw', limit: limits.BODY_LIMIT, tooLarge: over(limits.BODY_LIMIT) };
  if (/^\/v1\/hooks(\/|$)/.test(url)) return { kind: 'raw', limit: limits.WEBHOOK_BODY_LIMIT, tooLarge: over(limits.WEBHOOK_BODY_LIMIT) };
  // Chat channels keep the exact bytes: WeChat pushes are XML checked before parsing, Telegram updates are stored as sent.
  if (/^\/v1\/channels\/[^/]+\/(wechat|telegram)\/?$/.test(url)) return { kind: 'raw', limit: limits.WECHAT_BODY_LIMIT, tooLarge: over(limits.WECHAT_BODY_LIMIT) };
  if (/^\/v1\/channels\/[^/]+\/imports\/?$/.test(url)) return { kind: 'stream', limit: limits.IMPORT_MAX_BYTES, tooLarge: over(limits.IMPORT_MAX_BYTES) };
  // Staff registrations carry base64 scans: their own, larger limit.
  if (/^\/v1\/channels\/[^/]+\/registrations\/?$/.test(url)) {
    return { kind: 'json', limit: limits.REGISTRATION_MAX_BYTES, tooLarge: `registration over the ${limits.REGISTRATION_MAX_BYTES}-byte limit (REGISTRATION_MAX_BYTES)` };
  }
  return { kind: 'json', limit: ADMIN_JSON_LIMIT, tooLarge: over(ADMIN_JSON_LIMIT) };
}
