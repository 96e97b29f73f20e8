import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { parseSubmission, sourceKeyOf, SubmissionValidationError, type Submission, type SubmissionInput } from '@huiliu/contracts';
import type { AttachmentContent } from '@huiliu/adapters';
import type { BlobStore } from '@huiliu/platform';
import { stripNul, type RecordedSubmission, type SubmissionRepository } from '@huiliu/store';
import type { IntakeItem, IntakeQueue } from './intake-queue';

export interface RecordRequest {
  channelId: string;
  submission: SubmissionInput;
  raw: Buffer;
  rawContentType?: string;
  attachments?: AttachmentContent[];
}

export interface RecordOutcome extends RecordedSubmission {
  submission: Submission;
}

/** The inbox could not take the submission (Postgres down, blob store failing): nothing was recorded. */
export class InboxUnavailableError extends Error {}

interface Pending {
  req: RecordRequest;
  resolve: (r: RecordOutcome) => void;
  reject: (e: unknown) => void;
}

/** How long closing waits for jobs still being added; one that does not make it is queued by the sweeper. */
const CLOSE_QUEUEING_WAIT_MS = 5000;

/**
 * Records submissions durably and queues them for judging: raw originals appended to the blob store
 * with one fsync per batch, rows inserted with one statement per batch, jobs added in bulk. Callers await
 * their own submission; under load many share one commit (group commit), which is what lets the gateway
 * take thousands of submissions a second on small hardware. Callers are answered as soon as their
 * submission is durable: the job is added afterwards, outside the commit, so neither the answer nor the
 * next commit waits on Redis (a job that is lost is queued again by the sweeper).
 */
export class InboxRecorder {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private closed = false;
  private readonly queueing = new Set<Promise<void>>();

  constructor(
    private readonly deps: { repo: SubmissionRepository; blobs: BlobStore; intake: IntakeQueue; logger: Logger; onBatch?: (n: number) => void },
    private readonly opts: { batchMs: number; batchSize: number; maxInFlight?: number; queueingWaitMs?: number } = { batchMs: 2, batchSize: 500 },
  ) {}

  /**
   * Resolves once the submission row and its raw bytes are durable. Throws SubmissionValidationError for a
   * submission that breaks the schema and InboxUnavailableError when it could not be stored.
   */
  record(req: RecordRequest): Promise<RecordOutcome> {
    if (this.closed) return Promise.reject(new InboxUnavailableError('the inbox is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Records submissions inside the caller's transaction, on its connection: a chat batch records the drafts
   * it closed in the transaction that writes the conversation state they came from, so one commit makes both
   * durable and no second commit is waited for while the conversations are locked. Validation and raw bytes
   * are as in `record`; each outcome is the recorded submission, or the SubmissionValidationError that
   * refused it. Throws InboxUnavailableError when the batch could not be stored. The jobs are added by
   * `queueRecorded` once the caller has committed.
   */
  async recordIn(em: EntityManager, reqs: RecordRequest[]): Promise<(RecordOutcome | SubmissionValidationError)[]> {
    const outcomes: (RecordOutcome | SubmissionValidationError)[] = new Array(reqs.length);
    const valid: { at: number; req: RecordRequest; submission: Submission; sourceKey: string }[] = [];
    reqs.forEach((req, at) => {
      const v = validated(req);
      if (v instanceof SubmissionValidationError) outcomes[at] = v;
      else valid.push({ at, req, ...v });
    });
    if (valid.length === 0) return outcomes;
    this.deps.onBatch?.(valid.length);
    let recorded: RecordedSubmission[];
    try {
      recorded = await this.store(valid, em);
    } catch (err) {
      this.deps.logger.error({ err, batch: valid.length }, 'inbox commit failed');
      throw new InboxUnavailableError(`the inbox could not record the submission: ${(err as Error).message}`);
    }
    valid.forEach((v, i) => (outcomes[v.at] = { ...recorded[i], submission: v.submission }));
    return outcomes;
  }

  /** Queues what `recordIn` recorded, after the caller's commit (best effort, as for `record`). */
  queueRecorded(recorded: RecordedSubmission[]): void {
    this.enqueue(recorded.filter((r) => r.created).map((r) => ({ submissionId: r.id, sourceKey: r.sourceKey })));
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length || this.inFlight) {
      if (this.queue.length && this.inFlight < (this.opts.maxInFlight ?? 1)) this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.queueing.size) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.queueing]), new Promise((r) => (timer = setTimeout(r, this.opts.queueingWaitMs ?? CLOSE_QUEUEING_WAIT_MS)))]);
      clearTimeout(timer);
    }
  }

  /**
   * Group commit: when no commit is running the batch goes at once (after this tick's arrivals join it);
   * while one runs, arrivals wait and go together in the next one. Batches grow with load and no latency
   * is added when idle. One commit at a time by default: every commit costs a WAL flush, a blob fdatasync
   * and a queue job, and two at once only halve the batches (the web bench took ~15% fewer submissions
   * per second end to end with two).
   */
  private schedule() {
    if (this.queue.length >= this.opts.batchSize) {
      this.flush();
      return;
    }
    if (this.timer) return;
    const delay = this.inFlight === 0 ? 0 : this.opts.batchMs;
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    if (this.inFlight >= (this.opts.maxInFlight ?? 1)) {
      // Commits in flight; the batch keeps growing and goes when one finishes.
      return;
    }
    const batch = this.queue.splice(0, this.opts.batchSize);
    this.inFlight++;
    this.commit(batch)
      .catch((err) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        this.inFlight--;
        if (this.queue.length) this.flush();
      });
  }

  private async commit(batch: Pending[]): Promise<void> {
    // Validate first: a submission that breaks the schema fails alone, not its batch.
    const valid: { p: Pending; req: RecordRequest; submission: Submission; sourceKey: string }[] = [];
    for (const p of batch) {
      const v = validated(p.req);
      if (v instanceof SubmissionValidationError) p.reject(v);
      else valid.push({ p, req: p.req, ...v });
    }
    if (valid.length === 0) return;
    this.deps.onBatch?.(valid.length);

    let recorded: RecordedSubmission[];
    try {
      recorded = await this.store(valid);
    } catch (err) {
      this.deps.logger.error({ err, batch: valid.length }, 'inbox commit failed');
      const e = new InboxUnavailableError(`the inbox could not record the submission: ${(err as Error).message}`);
      for (const v of valid) v.p.reject(e);
      return;
    }

    // Durable now: the callers are answered, then the jobs are added.
    valid.forEach((v, i) => v.p.resolve({ ...recorded[i], submission: v.submission }));
    this.enqueue(recorded.filter((r) => r.created).map((r) => ({ submissionId: r.id, sourceKey: r.sourceKey })));
  }

  /** Attachments and raw bytes to the blob store (durable), then the rows, in one statement. */
  private async store(valid: { req: RecordRequest; submission: Submission; sourceKey: string }[], em?: EntityManager): Promise<RecordedSubmission[]> {
    for (const v of valid) await this.storeAttachments(v.submission, v.req.attachments ?? []);
    const raws = await this.deps.blobs.appendRaw(valid.map((v) => v.req.raw), valid[0].req.rawContentType);
    // One append (one fsync) serves the batch; each raw keeps its own type, as a batch can mix channels.
    raws.forEach((r, i) => (r.contentType = valid[i].req.rawContentType ?? null));
    return this.deps.repo.insertMany(
      valid.map((v, i) => ({ sourceKey: v.sourceKey, channelType: v.submission.channelType, channelId: v.req.channelId, submission: v.submission, raw: raws[i] })),
      em,
    );
  }

  /** Queueing is best effort: a submission whose job is lost is re-queued by the sweeper. */
  private enqueue(items: IntakeItem[]): void {
    if (items.length === 0) return;
    const adding: Promise<void> = this.deps.intake
      .enqueueCommitted(items)
      .catch((err) => this.deps.logger.warn({ err, count: items.length }, 'recorded submissions not queued; the sweeper will queue them'))
      .finally(() => this.queueing.delete(adding));
    this.queueing.add(adding);
  }

  private async storeAttachments(submission: Submission, contents: AttachmentContent[]): Promise<void> {
    for (const c of contents) {
      const a = submission.attachments[c.index];
      if (!a) continue;
      a.blobKey = await this.deps.blobs.put(c.content);
      a.sha256 = a.blobKey.slice(a.blobKey.lastIndexOf('/') + 1);
    }
  }
}

/** The submission as it will be recorded, or why the schema refuses it. */
function validated(req: RecordRequest): { submission: Submission; sourceKey: string } | SubmissionValidationError {
  try {
    const { value, removed } = stripNul(req.submission);
    const submission = parseSubmission(value);
    if (removed) submission.flags = [...new Set([...submission.flags, 'nul_removed'])];
    return { submission, sourceKey: sourceKeyOf(submission.channelType, submission.ref) };
  } catch (err) {
    return err instanceof SubmissionValidationError ? err : new SubmissionValidationError([{ path: '', message: String(err) }]);
  }
}
