import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CONFIG, IntakeQueue } from '@huiliu/intake';
import { ChannelStateStore, CHANNEL_STATES, REDIS } from '@huiliu/intake';
import type { Redis } from 'ioredis';
import { GatewayMetrics, type AppConfig } from '@huiliu/platform';

/**
 * Prometheus metrics: the gateway's own, queue depths read from Redis at scrape time, and the worker's
 * (scraped from WORKER_METRICS_URL) so one page shows the whole pipeline.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(IntakeQueue) private readonly intake: IntakeQueue,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    try {
      const counts = await this.intake.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.metrics.queueJobs.set({ queue: this.intake.queue.name, state }, n);
    } catch {
      // Redis down: the gauges keep their last values; /health reports the outage.
    }
    try {
      // Pull channels' states as their runners reported them; a stale report counts as no state at all.
      this.metrics.channelState.reset();
      for (const v of await new ChannelStateStore(this.redis, this.config.QUEUE_PREFIX, this.config.CHANNEL_STATE_HEARTBEAT_MS).all()) {
        for (const state of CHANNEL_STATES) this.metrics.channelState.set({ channel: v.name, state }, !v.stale && v.state === state ? 1 : 0);
      }
    } catch {
      // Redis down: as above.
    }
    const own = await this.metrics.registry.metrics();
    const worker = await this.workerMetrics();
    return worker ? `${own}\n${worker}` : own;
  }

  private async workerMetrics(): Promise<string | null> {
    try {
      const res = await fetch(this.config.WORKER_METRICS_URL, { signal: AbortSignal.timeout(1000) });
      return res.ok ? await res.text() : null;
    } catch {
      return null;
    }
  }
}
