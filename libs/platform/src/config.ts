import { z } from 'zod';

/**
 * Every setting Huiliu reads from the environment, with its default. Validated once at start-up: a wrong
 * value stops the process with a message naming the variable; nothing silently falls back.
 * The README's table of environment variables mirrors this list.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const byteSize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'a size such as 1mb, 512kb or 1048576')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(v)!;
    const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
    return Math.floor(Number(m[1]) * unit);
  });

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ENV_SCHEMA = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/huiliu'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379/0'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ADMIN_TOKEN: z.string().min(8, 'at least 8 characters').default('huiliu-local-admin'),
  BLOB_ROOT: z.string().min(1).default('./var/blobs'),
  BODY_LIMIT: byteSize.default(1024 * 1024),
  ATTACHMENT_MAX_BYTES: byteSize.default(512 * 1024),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -').default('huiliu'),
  WORKER_CONCURRENCY: int(1, 1000).default(64),
  WORKER_BATCH_SIZE: int(1, 1000).default(200),
  WORKER_LOCK_MS: int(1000, 600_000).default(30_000),
  WORKER_METRICS_PORT: int(0, 65535).default(9464),
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  WORKER_METRICS_URL: z.string().default('http://127.0.0.1:9464/metrics'),
  SWEEP_INTERVAL_MS: int(500, 3_600_000).default(10_000),
  HEALTH_MAX_LAG_MS: int(1000, 86_400_000).default(120_000),
  SWEEP_AFTER_MS: int(0, 86_400_000).default(30_000),
  INBOX_BATCH_MS: int(0, 1000).default(2),
  INBOX_BATCH_SIZE: int(1, 5000).default(500),
  CHANNELS_FILE: z.string().optional(),
  /** A deployment's own rule tables (validity terms, category terms, referral departments, basin mapping). */
  RULES_VALIDITY_FILE: z.string().optional(),
  RULES_CATEGORY_FILE: z.string().optional(),
  RULES_REFERRAL_FILE: z.string().optional(),
  /** The text models' tables, or `none` to judge by the rule tables alone. */
  RULES_CATEGORY_MODEL_FILE: z.string().optional(),
  RULES_VALIDITY_MODEL_FILE: z.string().optional(),
  BASINS_FILE: z.string().optional(),
  /** Duplicates: how far back a repeat report may attach, and the score bands for automatic and suggested attachment. */
  DEDUP_WINDOW_DAYS: int(1, 3650).default(90),
  DEDUP_AUTO_THRESHOLD: z.coerce.number().min(0).max(2).default(0.3),
  DEDUP_SUGGEST_THRESHOLD: z.coerce.number().min(0).max(2).default(0.25),
  /** Attach automatically to the only case of the same problem in the same county, even when no name or place is shared. */
  DEDUP_SOLE_CASE: bool.default(true),
  /** Secret for the complainant keys (HMAC of phone, e-mail, handle) that recognise repeat petitions. */
  COMPLAINANT_KEY_SECRET: z.string().min(16, 'at least 16 characters').default('huiliu-local-complainant-key'),
  // E-mail channel (IMAP runner in the worker).
  EMAIL_RUNNER: bool.default(true),
  EMAIL_CHANNEL_WATCH_MS: int(200, 600_000).default(5000),
  EMAIL_BACKOFF_MIN_MS: int(10, 600_000).default(1000),
  EMAIL_BACKOFF_MAX_MS: int(100, 3_600_000).default(300_000),
  EMAIL_MAX_MESSAGE_BYTES: byteSize.default(32 * 1024 * 1024),
  EMAIL_FETCH_BATCH: int(1, 5000).default(250),
  EMAIL_FETCH_BATCH_BYTES: byteSize.default(16 * 1024 * 1024),
  CHANNEL_STATE_HEARTBEAT_MS: int(200, 600_000).default(10_000),
  // Chat channels (Telegram bot, WeChat official account): conversations, polling, media downloads.
  CONVERSATION_BATCH_SIZE: int(1, 5000).default(200),
  CONVERSATION_TICK_MS: int(100, 600_000).default(5000),
  TELEGRAM_RUNNER: bool.default(true),
  TELEGRAM_SUPERVISE_MS: int(100, 600_000).default(5000),
  TELEGRAM_LOCK_TTL_MS: int(1000, 600_000).default(30_000),
  TELEGRAM_BACKOFF_MAX_MS: int(100, 3_600_000).default(60_000),
  MEDIA_CONCURRENCY: int(1, 256).default(4),
  MEDIA_MAX_BYTES: byteSize.default(20 * 1024 * 1024),
  WECHAT_BODY_LIMIT: byteSize.default(128 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
  /** No-code webhook sources (`POST /v1/hooks/:channel`): the largest body, batch payloads included. */
  WEBHOOK_BODY_LIMIT: byteSize.default(2 * 1024 * 1024),
  /** Imports (hotline exports, registers): the largest uploaded file, rows per insert, rows per judging job. */
  IMPORT_MAX_BYTES: byteSize.default(512 * 1024 * 1024),
  IMPORT_BATCH_ROWS: int(1, 10_000).default(1000),
  IMPORT_WRITERS: int(1, 8).default(2),
  IMPORT_JOB_SIZE: int(1, 5000).default(500),
  IMPORT_PROGRESS_ROWS: int(1, 1_000_000).default(5000),
  IMPORT_REPORT_MAX: int(0, 100_000).default(1000),
  IMPORT_CONCURRENCY: int(1, 64).default(2),
  /**
   * How far V8 lets the heap of a process that runs imports grow past its live data before a full collection
   * (percent; 0 keeps V8's own policy, which lets garbage reach about four times the live heap).
   */
  IMPORT_HEAP_GROWTH_PERCENT: int(0, 300).default(50),
  /** A directory of operator column profiles (`*.profile.json`) used beside the bundled ones. */
  IMPORT_PROFILES_DIR: z.string().optional(),
  /** Staff registrations (JSON with base64 scanned pages): the largest body. */
  REGISTRATION_MAX_BYTES: byteSize.default(32 * 1024 * 1024),
});

export type AppConfig = z.output<typeof ENV_SCHEMA>;

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ENV_SCHEMA.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = ENV_SCHEMA.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])] ?? null)})`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (result.data.DEDUP_SUGGEST_THRESHOLD > result.data.DEDUP_AUTO_THRESHOLD) {
    throw new ConfigError(
      `invalid configuration:\n  DEDUP_SUGGEST_THRESHOLD: must not exceed DEDUP_AUTO_THRESHOLD (got ${result.data.DEDUP_SUGGEST_THRESHOLD} > ${result.data.DEDUP_AUTO_THRESHOLD})`,
    );
  }
  return result.data;
}

/** A URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** For a process's main(): the validated config, or one readable message and exit 1. */
export function loadConfigOrExit(processName: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`huiliu ${processName}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
