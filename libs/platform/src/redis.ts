import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection from REDIS_URL (its database index is honoured). BullMQ workers need
 * maxRetriesPerRequest null; producers fail fast instead so an HTTP request never hangs on Redis.
 */
export function createRedis(url: string, purpose: 'producer' | 'worker' | 'probe', extra: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    lazyConnect: purpose === 'probe',
    connectTimeout: 3000,
    enableReadyCheck: true,
    maxRetriesPerRequest: purpose === 'worker' ? null : purpose === 'probe' ? 0 : 2,
    retryStrategy: purpose === 'probe' ? () => null : (times) => Math.min(times * 200, 2000),
    connectionName: `huiliu-${purpose}`,
    ...extra,
  };
  return new IORedis(url, base);
}
