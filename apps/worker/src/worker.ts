import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { IntakeQueue } from '@huiliu/intake';
import { createRedis, createRegistry, PipelineMetrics, type AppConfig } from '@huiliu/platform';
import { createDataSource, runMigrations, SubmissionRepository } from '@huiliu/store';
import type { Stages } from '@huiliu/pipeline';
import { IntakeProcessor } from './intake.processor';
import { createStages } from './stages';
import { Sweeper } from './sweeper';

export interface WorkerHandle {
  sweeper: Sweeper;
  close(): Promise<void>;
}

/** Starts the pipeline processor, the sweeper and the worker's metrics endpoint. */
export async function startWorker(config: AppConfig, logger: Logger, opts: { stages?: Stages } = {}): Promise<WorkerHandle> {
  const ds = await createDataSource(config.DATABASE_URL, { poolSize: 12, applicationName: 'huiliu-worker' }).initialize();
  await runMigrations(ds);
  const repo = new SubmissionRepository(ds);
  const workerRedis = createRedis(config.REDIS_URL, 'worker');
  const producerRedis = createRedis(config.REDIS_URL, 'producer');
  const intake = new IntakeQueue(producerRedis, config.QUEUE_PREFIX);
  const registry = createRegistry('worker');
  const metrics = new PipelineMetrics(registry);
  const stages = opts.stages ?? createStages();

  const processor = new IntakeProcessor({ connection: workerRedis, config, repo, stages, metrics, logger });
  processor.start();
  const sweeper = new Sweeper({ repo, intake, logger }, { intervalMs: config.SWEEP_INTERVAL_MS, afterMs: config.SWEEP_AFTER_MS });
  sweeper.start();

  let server: Server | null = null;
  if (config.WORKER_METRICS_PORT > 0) {
    server = createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
    });
    server.on('error', (err) => logger.warn({ err: (err as Error).message, port: config.WORKER_METRICS_PORT }, 'worker metrics endpoint not started'));
    server.listen(config.WORKER_METRICS_PORT, '127.0.0.1');
  }
  logger.info({ queue: 'intake', concurrency: config.WORKER_CONCURRENCY, metricsPort: config.WORKER_METRICS_PORT }, 'worker started');

  return {
    sweeper,
    async close() {
      await sweeper.stop();
      await processor.close();
      await intake.close();
      server?.close();
      workerRedis.disconnect();
      producerRedis.disconnect();
      await ds.destroy();
    },
  };
}
