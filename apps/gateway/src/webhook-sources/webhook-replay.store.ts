import type { Redis } from 'ioredis';

/**
 * Signed deliveries already seen, so a captured request cannot be replayed inside its timestamp window.
 * One Redis key per delivery (SET NX), kept for twice the window: by the time it expires the timestamp
 * itself is stale and the signature check refuses the request anyway.
 */
export class WebhookReplayStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(channelId: string, replayKey: string): string {
    return `${this.prefix}:webhook-replay:${channelId}:${replayKey}`;
  }

  /** True when this delivery is new (and is now remembered); false when it was seen within the window. */
  async claim(channelId: string, replayKey: string, toleranceSeconds: number): Promise<boolean> {
    const answer = await this.redis.set(this.key(channelId, replayKey), '1', 'EX', toleranceSeconds * 2, 'NX');
    return answer === 'OK';
  }

  /** Forgets a delivery that was not recorded (the inbox was down), so the source's retry of it is accepted. */
  async release(channelId: string, replayKey: string): Promise<void> {
    await this.redis.del(this.key(channelId, replayKey));
  }
}
