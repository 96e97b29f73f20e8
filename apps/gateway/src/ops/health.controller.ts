import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply as Response } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CONFIG, DATA_SOURCE, IntakeQueue, REDIS } from '@huiliu/intake';
import { ChannelStateStore, type ChannelStateView } from '@huiliu/intake';
import type { AppConfig } from '@huiliu/platform';

type Check = { ok: boolean; detail?: string; ms?: number };

async function timed(fn: () => Promise<string | void>, timeoutMs = 2000): Promise<Check> {
  const t0 = Date.now();
  try {
    const detail = await Promise.race([fn(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))]);
    return { ok: true, ms: Date.now() - t0, ...(detail ? { detail } : {}) };
  } catch (err) {
    return { ok: false, ms: Date.now() - t0, detail: (err as Error).message };
  }
}

@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(IntakeQueue) private readonly intake: IntakeQueue,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: Postgres and Redis answer and the intake queue is not lagging. 503 when any check fails. */
  @Get()
  async ready(@Res({ passthrough: true }) res: Response) {
    const [postgres, redis, queueLag] = await Promise.all([
      timed(async () => {
        await this.ds.query('SELECT 1');
      }),
      timed(async () => {
        await this.redis.ping();
      }),
      timed(async () => {
        const [oldest] = await this.intake.queue.getJobs(['waiting'], 0, 0, true);
        const lagMs = oldest ? Date.now() - oldest.timestamp : 0;
        if (lagMs > this.config.HEALTH_MAX_LAG_MS) throw new Error(`oldest waiting job is ${Math.round(lagMs / 1000)} s old (limit ${this.config.HEALTH_MAX_LAG_MS / 1000} s)`);
        return `${lagMs} ms`;
      }),
    ]);
    const ok = postgres.ok && redis.ok && queueLag.ok;
    res.status(ok ? 200 : 503);
    // Pull channels as their runners last reported them. A mailbox that is down does not make the gateway
    // unready; it is listed so operators see it.
    const channels = await this.channelStates();
    return { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis, queueLag }, channels };
  }

  private async channelStates(): Promise<Record<string, Omit<ChannelStateView, 'name'>> | { error: string }> {
    try {
      const views = await Promise.race([
        new ChannelStateStore(this.redis, this.config.QUEUE_PREFIX, this.config.CHANNEL_STATE_HEARTBEAT_MS).all(),
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error('channel states not readable within 2000 ms')), 2000).unref()),
      ]);
      return Object.fromEntries(views.map(({ name, ...v }) => [name, v]));
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}
