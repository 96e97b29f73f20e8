import { createServer, type Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CoreModule, DATA_SOURCE, dedupSettingsFor, IntakeQueue, REDIS, stagesFor } from '@huiliu/intake';
import { createRegistry, PipelineMetrics, type AppConfig, type Logger } from '@huiliu/platform';
import { CaseIndexRepository, CaseRepository, runMigrations, SubmissionRepository } from '@huiliu/store';
import type { Stages } from '@huiliu/pipeline';
import { IntakeProcessor } from './intake.processor';
import { createRunners, type Runner } from './runners';
import { Sweeper } from './sweeper';

export interface WorkerHandle {
  app: INestApplicationContext;
  sweeper: Sweeper;
  metrics: PipelineMetrics;
  close(): Promise<void>;
}

/** Starts the pipeline processor, the sweeper, the channel runners and the worker's metrics endpoint. */
export async function startWorker(config: AppConfig, logger: Logger, opts: { stages?: Stages } = {}): Promise<WorkerHandle> {
  const app = await NestFactory.createApplicationContext(CoreModule.forRoot(config, logger, 'worker'), { logger: false });
  await runMigrations(app.get<DataSource>(DATA_SOURCE));
  const repo = app.get(SubmissionRepository);
  const intake = app.get(IntakeQueue);
  const registry = createRegistry('worker');
  const metrics = new PipelineMetrics(registry);
  const stages = opts.stages ?? stagesFor(config);

  const processor = new IntakeProcessor({ connection: app.get<Redis>(REDIS), config, repo, cases: app.get(CaseRepository), caseIndex: new CaseIndexRepository(), stages, dedup: dedupSettingsFor(config), metrics, logger });
  processor.start();
  const sweeper = new Sweeper({ repo, intake, logger }, { intervalMs: config.SWEEP_INTERVAL_MS, afterMs: config.SWEEP_AFTER_MS });
  sweeper.start();
  const runners: Runner[] = createRunners({ app, config, logger, metrics: registry });
  for (const r of runners) await r.start();

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
    server.listen(config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST);
  }
  logger.info({ queue: 'intake', concurrency: config.WORKER_CONCURRENCY, metricsPort: config.WORKER_METRICS_PORT, runners: runners.map((r) => r.name) }, 'worker started');

  return {
    app,
    sweeper,
    metrics,
    async close() {
      for (const r of [...runners].reverse()) await r.stop().catch((err) => logger.warn({ err, runner: r.name }, 'runner did not stop cleanly'));
      await sweeper.stop();
      await processor.close();
      server?.close();
      await app.close();
    },
  };
}
