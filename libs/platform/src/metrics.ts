import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics. Gateway and worker each own a registry; the gateway's /metrics also carries the
 * worker's (scraped from WORKER_METRICS_URL) so operators have one page. Names are disjoint by prefix.
 */
export function createRegistry(process: 'gateway' | 'worker' | 'cli'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: `huiliu_${process}_` });
  return registry;
}

export class GatewayMetrics {
  readonly received: Counter<'channel' | 'outcome'>;
  readonly queueJobs: Gauge<'queue' | 'state'>;
  readonly inboxBatch: Histogram;
  readonly channelState: Gauge<'channel' | 'state'>;

  constructor(readonly registry: Registry) {
    this.received = new Counter({
      name: 'huiliu_gateway_submissions_total',
      help: 'Submissions received by the gateway, by channel type and outcome (recorded, duplicate, refused).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
    this.queueJobs = new Gauge({
      name: 'huiliu_queue_jobs',
      help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed), read at scrape time.',
      labelNames: ['queue', 'state'],
      registers: [registry],
    });
    this.inboxBatch = new Histogram({
      name: 'huiliu_gateway_inbox_batch_size',
      help: 'Submissions written per inbox group commit.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
      registers: [registry],
    });
    this.channelState = new Gauge({
      name: 'huiliu_channel_up',
      help: 'Pull channels: 1 for the state a channel is in (connected, backing_off, auth_failed, disabled).',
      labelNames: ['channel', 'state'],
      registers: [registry],
    });
  }
}

export class PipelineMetrics {
  readonly processed: Counter<'channel' | 'stage' | 'outcome'>;
  readonly failed: Counter<'channel' | 'stage'>;
  readonly stageSeconds: Histogram<'stage'>;
  readonly submitToCase: Histogram<'channel'>;
  readonly batchSize: Histogram;

  constructor(readonly registry: Registry) {
    this.processed = new Counter({
      name: 'huiliu_pipeline_processed_total',
      help: 'Submissions that passed a pipeline stage, by channel type, stage and outcome.',
      labelNames: ['channel', 'stage', 'outcome'],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'huiliu_pipeline_failed_total',
      help: 'Submissions whose processing failed, by channel type and the stage that failed.',
      labelNames: ['channel', 'stage'],
      registers: [registry],
    });
    this.stageSeconds = new Histogram({
      name: 'huiliu_pipeline_stage_seconds',
      help: 'Time spent per submission in each stage (persist: per batch).',
      labelNames: ['stage'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    });
    this.submitToCase = new Histogram({
      name: 'huiliu_pipeline_submit_to_disposition_seconds',
      help: 'From the submission being recorded to its disposition being written.',
      labelNames: ['channel'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'huiliu_pipeline_batch_size',
      help: 'Submissions written per judging transaction (grows with the load).',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    });
  }
}
