import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type JobPayloads } from '@huiliu/contracts';
import { createImporter, ImportRefusedError, REDIS } from '@huiliu/intake';
import type { Runner, RunnerDeps } from '../runners';

/**
 * Processes the imports queue: each job imports one stored file (an uploaded export or register). A file
 * refused as a whole ends its import as failed with the reason; a store outage fails the job, which BullMQ
 * retries (the import is idempotent by source key, so a retry records nothing twice).
 */
export class ImportRunner implements Runner {
  readonly name = 'imports';
  private worker: Worker<JobPayloads['imports.run']> | null = null;

  constructor(private readonly deps: RunnerDeps) {}

  start(): void {
    const { app, config, logger } = this.deps;
    const importer = createImporter(app);
    this.worker = new Worker<JobPayloads['imports.run']>(
      QUEUES.imports,
      async (job: Job<JobPayloads['imports.run']>) => {
        try {
          const r = await importer.run(job.data.importId, (p) => void job.updateProgress({ ...p }).catch(() => undefined));
          return { status: r.status, rowsRead: r.rowsRead, recorded: r.recorded, duplicates: r.duplicates, rejected: r.rejected, error: r.error };
        } catch (err) {
          if (err instanceof ImportRefusedError) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      {
        connection: app.get<Redis>(REDIS),
        prefix: config.QUEUE_PREFIX,
        concurrency: config.IMPORT_CONCURRENCY,
        // A large file takes minutes; the lock is renewed while the import runs.
        lockDuration: Math.max(config.WORKER_LOCK_MS, 60_000),
      },
    );
    this.worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, importId: job?.data.importId, err: err.message }, 'import job failed'));
    this.worker.on('error', (err) => logger.error({ err }, 'imports worker error'));
  }

  async stop(): Promise<void> {
    await this.worker?.close();
  }
}
