import { Client } from 'pg';
import { createRedis } from './redis';
import { redactUrl } from './config';

/**
 * Start-up checks of the services Huiliu needs. Each failure becomes one readable message naming the
 * service, the URL tried and how to start it; callers print it and exit instead of hanging or dumping a
 * stack trace.
 */
export class ServiceUnavailableError extends Error {
  constructor(readonly service: 'PostgreSQL' | 'Redis', readonly url: string, readonly detail: string, readonly hint: string) {
    super(`${service} is not reachable at ${redactUrl(url)}: ${detail}\n  ${hint}`);
  }
}

const PG_HINT =
  'Start PostgreSQL (on Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; with Docker: docker compose up -d postgres) or set DATABASE_URL.';
const REDIS_HINT =
  'Start Redis (redis-server --daemonize yes --port 6379 --save "" --appendonly no; with Docker: docker compose up -d redis) or set REDIS_URL.';

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message: string }[] };
  if (e?.errors?.length) return e.errors.map((x) => x.message).join('; ');
  return [e?.code, e?.message].filter(Boolean).join(' ') || String(err);
}

/** Connects to the database; creates it when the server is up but the database does not exist yet. */
export async function ensurePostgres(url: string, timeoutMs = 3000): Promise<void> {
  const connect = async (target: string) => {
    const client = new Client({ connectionString: target, connectionTimeoutMillis: timeoutMs });
    await client.connect();
    return client;
  };
  try {
    const c = await connect(url);
    await c.end();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw new ServiceUnavailableError('PostgreSQL', url, describe(err), PG_HINT);
  }
  // 3D000: database does not exist. Create it from the maintenance database, as a fresh machine needs.
  const u = new URL(url);
  const dbName = decodeURIComponent(u.pathname.replace(/^\//, ''));
  u.pathname = '/postgres';
  try {
    const c = await connect(u.toString());
    try {
      await c.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile by another process
    } finally {
      await c.end();
    }
  } catch (err) {
    throw new ServiceUnavailableError('PostgreSQL', url, `database ${dbName} does not exist and could not be created: ${describe(err)}`, PG_HINT);
  }
}

/**
 * Checks Redis is reachable and will not evict queue keys: BullMQ loses jobs under any eviction policy,
 * so anything but noeviction is refused.
 */
export async function ensureRedis(url: string): Promise<void> {
  const redis = createRedis(url, 'probe');
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      throw new ServiceUnavailableError(
        'Redis',
        url,
        `maxmemory-policy is "${policy}"; queues need "noeviction" or jobs are silently lost`,
        'Run: redis-cli CONFIG SET maxmemory-policy noeviction (and set it in redis.conf).',
      );
    }
  } catch (err) {
    if (err instanceof ServiceUnavailableError) throw err;
    throw new ServiceUnavailableError('Redis', url, describe(err), REDIS_HINT);
  } finally {
    redis.disconnect();
  }
}

/** Runs both checks and, on failure, prints the message and exits: for the apps' main(). */
export async function preflightOrExit(urls: { databaseUrl: string; redisUrl: string }, print: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<void> {
  try {
    await ensurePostgres(urls.databaseUrl);
    await ensureRedis(urls.redisUrl);
  } catch (err) {
    if (err instanceof ServiceUnavailableError) {
      print(`huiliu: cannot start. ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
