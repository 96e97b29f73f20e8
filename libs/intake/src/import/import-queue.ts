import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type JobPayloads } from '@huiliu/contracts';

/** One job per stored file; the job id names the import, so queuing it twice is a no-op. */
export function importJobOptions(importId: string): JobsOptions {
  return {
    jobId: `import-${importId}`,
    attempts: 3,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: false,
  };
}

/** The producer side of the imports queue (the upload endpoint). */
export class ImportQueue {
  readonly queue: Queue<JobPayloads['imports.run']>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUES.imports, { connection, prefix });
  }

  async enqueue(importId: string): Promise<void> {
    await this.queue.add('imports.run', { importId }, importJobOptions(importId));
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  /** Closed with the Nest context that provides it. */
  async onApplicationShutdown(): Promise<void> {
    await this.close().catch(() => undefined);
  }
}
