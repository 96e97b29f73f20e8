import type { Redis } from 'ioredis';
import type { ChannelType } from '@huiliu/contracts';

/**
 * What a pull channel's runner is doing, as operators see it on /health, /metrics and the channel admin
 * API. The worker writes it; the gateway reads it. Kept in Redis (one hash per deployment, keyed by the
 * queue prefix): it is live state, not a record, and a report that stops being refreshed turns `stale`.
 */
/** `tls_untrusted`: the server's certificate is not trusted under the channel's settings; it stops, like `auth_failed`. */
export const CHANNEL_STATES = ['connecting', 'connected', 'backing_off', 'auth_failed', 'tls_untrusted', 'misconfigured', 'disabled'] as const;
export type ChannelRunState = (typeof CHANNEL_STATES)[number];

export interface ChannelStateReport {
  channelId: string;
  type: ChannelType;
  name: string;
  state: ChannelRunState;
  /** Why (the last error, the next attempt), never credentials. */
  detail: string | null;
  /** When the channel entered this state. */
  since: string;
  /** When the runner last confirmed it (heartbeat). */
  reportedAt: string;
}

export interface ChannelStateView extends ChannelStateReport {
  /** True when the runner has not confirmed the state for three heartbeats: the worker may be down. */
  stale: boolean;
}

export class ChannelStateStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly heartbeatMs: number,
  ) {
    this.key = `${prefix}:channel-states`;
  }

  async report(r: ChannelStateReport): Promise<void> {
    await this.redis.hset(this.key, r.channelId, JSON.stringify(r));
  }

  async remove(channelId: string): Promise<void> {
    await this.redis.hdel(this.key, channelId);
  }

  async all(now = Date.now()): Promise<ChannelStateView[]> {
    const raw = await this.redis.hgetall(this.key);
    return Object.values(raw)
      .map((v) => this.view(v, now))
      .filter((v): v is ChannelStateView => v !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(channelId: string, now = Date.now()): Promise<ChannelStateView | null> {
    const v = await this.redis.hget(this.key, channelId);
    return v ? this.view(v, now) : null;
  }

  private view(json: string, now: number): ChannelStateView | null {
    try {
      const r = JSON.parse(json) as ChannelStateReport;
      return { ...r, stale: now - Date.parse(r.reportedAt) > 3 * this.heartbeatMs };
    } catch {
      return null;
    }
  }
}
