import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { QUEUES, type JobPayloads } from '@huiliu/contracts';
import type { AppConfig, PipelineMetrics } from '@huiliu/platform';
import type { CaseIndexRepository, CaseRepository, SubmissionRepository } from '@huiliu/store';
import type { Stages } from '@huiliu/pipeline';
import { JudgingBatcher, StageError, SubmissionMissingError, type DedupSettings } from './judging-batcher';

/**
 * The intake queue's processor: each job judges one submission (through the batcher, which writes in
 * batches). Bad data is unrecoverable, not retried: the submission is parked with its error for a person.
 */
type IntakeJobData = JobPayloads['intake.judge'] | JobPayloads['intake.judge-batch'];

function idsOf(data: IntakeJobData): string[] {
  return 'submissionIds' in data ? data.submissionIds : [data.submissionId];
}

export class IntakeProcessor {
  private worker: Worker<IntakeJobData> | null = null;
  private readonly batcher: JudgingBatcher;

  constructor(
    private readonly deps: { connection: Redis; config: AppConfig; repo: SubmissionRepository; cases: CaseRepository; caseIndex: CaseIndexRepository; stages: Stages; dedup: DedupSettings; metrics: PipelineMetrics; logger: Logger },
  ) {
    this.batcher = new JudgingBatcher(
      { repo: deps.repo, cases: deps.cases, caseIndex: deps.caseIndex, stages: deps.stages, dedup: deps.dedup, metrics: deps.metrics, logger: deps.logger },
      { batchSize: deps.config.WORKER_BATCH_SIZE, batchMs: 2, maxPreparing: 2, maxCommit: 1000 },
    );
  }

  start(): void {
    const { config, logger, repo } = this.deps;
    this.worker = new Worker<IntakeJobData>(QUEUES.intake, (job) => this.handle(job), {
      connection: this.deps.connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_LOCK_MS,
      maxStalledCount: 3,
    });
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      logger.warn({ jobId: job.id, submissions: idsOf(job.data).length, attempt: job.attemptsMade, final, err: err.message }, 'intake job failed');
      if (!final) return;
      for (const id of idsOf(job.data)) repo.markFailed(id, err.message).catch((e) => logger.error({ err: e }, 'could not park failed submission'));
    });
    this.worker.on('error', (err) => logger.error({ err }, 'intake worker error'));
  }

  private async handle(job: Job<IntakeJobData>) {
    try {
      if ('submissionIds' in job.data) {
        // A batch: each submission stands alone; one that cannot be judged is parked, the rest go on.
        const results = await Promise.allSettled(job.data.submissionIds.map((id) => this.batcher.process(id)));
        const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ id: (job.data as { submissionIds: string[] }).submissionIds[i], err: r.reason as Error }] : []));
        const retryable = failed.filter((f) => !(f.err instanceof SubmissionMissingError || f.err instanceof StageError));
        for (const f of failed.filter((x) => !retryable.includes(x))) await this.deps.repo.markFailed(f.id, f.err.message);
        if (retryable.length) throw retryable[0].err;
        return { judged: results.length - failed.length, parked: failed.length };
      }
      const r = await this.batcher.process(job.data.submissionId);
      return { status: r.status, caseId: r.caseId, match: r.match, applied: r.applied };
    } catch (err) {
      if (err instanceof SubmissionMissingError || err instanceof StageError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }
}
