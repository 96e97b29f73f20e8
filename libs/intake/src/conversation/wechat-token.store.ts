import type { Redis } from 'ioredis';
import type { WechatTokenCache } from '@huiliu/adapters';

/**
 * WeChat access tokens in Redis, one per AppID, shared by every worker: asking for a new token cuts the
 * life of the one the other replicas hold, and the platform counts the asking.
 */
export class RedisWechatTokenCache implements WechatTokenCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(appId: string): string {
    return `${this.prefix}:wechat:access-token:${appId}`;
  }

  get(appId: string): Promise<string | null> {
    return this.redis.get(this.key(appId));
  }

  async set(appId: string, token: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(appId), token, 'PX', Math.max(1, Math.floor(ttlMs)));
  }

  async drop(appId: string, token: string): Promise<void> {
    // Compare and delete in one step: a token another replica just fetched stays.
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`, 1, this.key(appId), token);
  }
}
