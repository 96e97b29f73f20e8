import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type JobPayloads } from '@huiliu/contracts';

export type MediaFetch = JobPayloads['media.fetch'];

/** Per-job options of a download: one job per attachment (a repeat add is a no-op), retried with backoff. */
export function mediaJobOptions(job: MediaFetch): JobsOptions {
  return {
    jobId: `media-${job.submissionId}-${job.attachmentIndex}`,
    attempts: 6,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600, count: 10000 },
    removeOnFail: false,
  };
}

/** The producer side of the media queue: files a platform holds, fetched after their submission is recorded. */
export class MediaQueue {
  readonly queue: Queue<MediaFetch>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUES.media, { connection, prefix });
  }

  async enqueue(jobs: MediaFetch[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map((data) => ({ name: 'media.fetch' as const, data, opts: mediaJobOptions(data) })));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
