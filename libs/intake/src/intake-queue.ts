import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { jobIdOf, QUEUES, type JobPayloads } from '@huiliu/contracts';

/** Per-job options in one place: id from the source key, retries with backoff, failed jobs kept for a person. */
export function intakeJobOptions(sourceKey: string, attempt = 0): JobsOptions {
  return {
    jobId: jobIdOf(sourceKey, attempt),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 3600, count: 20000 },
    removeOnFail: false,
  };
}

export interface IntakeItem {
  submissionId: string;
  sourceKey: string;
  /** Replays use a fresh job id (`<key>-r<n>`): BullMQ silently ignores an add whose id exists. */
  attempt?: number;
}

/** The producer side of the intake queue. */
export class IntakeQueue {
  readonly queue: Queue<JobPayloads['intake.judge'] | JobPayloads['intake.judge-batch']>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUES.intake, { connection, prefix });
  }

  async enqueue(items: IntakeItem[]): Promise<void> {
    if (items.length === 0) return;
    if (items.length === 1) {
      // addBulk builds a Redis pipeline, which copies every loaded script onto it: for one job, far more than the add.
      const [i] = items;
      await this.queue.add('intake.judge', { submissionId: i.submissionId, sourceKey: i.sourceKey }, intakeJobOptions(i.sourceKey, i.attempt ?? 0));
      return;
    }
    await this.queue.addBulk(
      items.map((i) => ({
        name: 'intake.judge' as const,
        data: { submissionId: i.submissionId, sourceKey: i.sourceKey },
        opts: intakeJobOptions(i.sourceKey, i.attempt ?? 0),
      })),
    );
  }

  /**
   * Queues what one inbox commit recorded. A lone submission gets its own job (id from its source key);
   * several recorded together travel as one batch job whose id is derived from their source keys, so the
   * queue pays its per-job cost once per commit instead of once per submission under load.
   */
  async enqueueCommitted(items: IntakeItem[]): Promise<void> {
    if (items.length <= 1) return this.enqueue(items);
    const keys = items.map((i) => i.sourceKey).sort();
    const digest = createHash('sha256').update(keys.join('\n')).digest('base64url').slice(0, 27).replace(/-/g, '_');
    const id = `batch-${digest}`;
    await this.queue.add('intake.judge-batch', { submissionIds: items.map((i) => i.submissionId) }, { ...intakeJobOptions(`batch:${digest}`), jobId: id });
  }

  /**
   * Queues submissions in batches of up to `size` per job (bulk imports). The job id names the batch, so
   * re-queuing the same batch is a no-op; the sweeper still covers any submission left unfinished.
   */
  async enqueueBatches(batchKey: string, submissionIds: string[], size = 200): Promise<void> {
    const jobs = [];
    for (let i = 0; i < submissionIds.length; i += size) {
      jobs.push({
        name: 'intake.judge-batch' as const,
        data: { submissionIds: submissionIds.slice(i, i + size) },
        opts: { ...intakeJobOptions(`batch:${batchKey}-${i / size}`), jobId: `batch-${batchKey}-${i / size}` },
      });
    }
    if (jobs.length) await this.queue.addBulk(jobs);
  }

  /** Jobs not yet finished: what `drain` waits on. */
  async unfinished(): Promise<{ waiting: number; active: number; delayed: number; prioritized: number; waitingChildren: number }> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, prioritized: c.prioritized ?? 0, waitingChildren: c['waiting-children'] ?? 0 };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
