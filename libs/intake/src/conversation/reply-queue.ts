import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type JobPayloads } from '@huiliu/contracts';

export type ReplySend = JobPayloads['replies.send'];

/**
 * Per-job options of an answer sent into a chat: retried with backoff for about half an hour (a platform
 * outage, a rate limit), kept when it finally fails so an operator can see and retry it. The id is the
 * content's: the same answer queued twice for one conversation is sent once.
 */
export function replyJobOptions(job: ReplySend): JobsOptions {
  const digest = createHash('sha256').update(JSON.stringify([job.channelId, job.conversationKey, job.texts])).digest('hex').slice(0, 32);
  return {
    jobId: `reply-${digest}`,
    attempts: 10,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: false,
  };
}

/** The producer side of the replies queue. */
export class ReplyQueue {
  readonly queue: Queue<ReplySend>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUES.replies, { connection, prefix });
  }

  async enqueue(jobs: ReplySend[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map((data) => ({ name: 'replies.send' as const, data, opts: replyJobOptions(data) })));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
