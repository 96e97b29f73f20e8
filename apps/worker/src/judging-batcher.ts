import type { Logger } from 'pino';
import type { Judgement } from '@huiliu/contracts';
import { assignCases, rebuildCases, type CaseCandidateSubmission } from '@huiliu/intake';
import { dedupInputOf, judge, type MatchConfig, type Stages } from '@huiliu/pipeline';
import type { PipelineMetrics } from '@huiliu/platform';
import type { CaseIndexRepository, CaseRepository, DispositionResult, DispositionWrite, SubmissionRepository } from '@huiliu/store';

/** What the dedup stage needs besides the submissions: the match settings and the complainant-key secret. */
export interface DedupSettings {
  match: MatchConfig;
  pepper: string;
}

/** A submission id that is not in the inbox: the job is stale (its data is gone) and retrying cannot help. */
export class SubmissionMissingError extends Error {}
/** A stage threw on this submission: deterministic, so it is parked for a person instead of retried. */
export class StageError extends Error {
  constructor(readonly stage: string, message: string) {
    super(message);
  }
}

interface Waiter {
  id: string;
  resolve: (r: DispositionResult) => void;
  reject: (e: unknown) => void;
}

type JudgedWrite = DispositionWrite & { channel: string; receivedAt: Date };

/** A submission judged and waiting for its transaction, with every job waiting on it. */
interface Judged {
  write: JudgedWrite;
  candidate: CaseCandidateSubmission | null;
  waiters: Waiter[];
}

/**
 * Jobs arrive one submission each; the database is written in batches, in two stages:
 *
 * - prepare: ids gathered within a couple of milliseconds are loaded and judged (a few batches at a time,
 *   so one judges while another waits for its rows);
 * - commit: everything judged is written in one transaction (dispositions, dedup decisions, cases), one
 *   transaction at a time per process.
 *
 * Commits take block locks that nearly every batch shares, so concurrent commits of one process would only
 * queue on Postgres' locks, each holding a connection. One at a time, with what was judged meanwhile
 * gathered into the next, makes the batches grow with the load: the per-transaction cost (locks, probe,
 * writes, commit) is paid once for many submissions when busy, and the latency stays low when quiet.
 */
export class JudgingBatcher {
  private waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private preparing = 0;
  private committing = false;
  /** Judged, not yet committed, by submission id (a submission two jobs carry is written once). */
  private judged = new Map<string, Judged>();

  constructor(
    private readonly deps: { repo: SubmissionRepository; cases: CaseRepository; caseIndex: CaseIndexRepository; stages: Stages; dedup: DedupSettings; metrics: PipelineMetrics; logger: Logger },
    private readonly opts: { batchSize: number; batchMs: number; maxPreparing: number; maxCommit: number },
  ) {}

  process(id: string): Promise<DispositionResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      if (this.waiting.length >= this.opts.batchSize) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.opts.batchMs);
    });
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.waiting.length && this.preparing < this.opts.maxPreparing) {
      const batch = this.waiting.splice(0, this.opts.batchSize);
      this.preparing++;
      this.prepare(batch)
        .catch((err) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          this.preparing--;
          this.commitNext();
          if (this.waiting.length) this.flush();
        });
    }
  }

  private commitNext() {
    if (this.committing || !this.judged.size) return;
    const batch: Judged[] = [];
    for (const [id, j] of this.judged) {
      if (batch.length >= this.opts.maxCommit) break;
      batch.push(j);
      this.judged.delete(id);
    }
    this.committing = true;
    this.commit(batch)
      .catch((err) => batch.forEach((j) => j.waiters.forEach((w) => w.reject(err))))
      .finally(() => {
        this.committing = false;
        this.commitNext();
      });
  }

  /** Loads and judges a batch; answers at once the jobs that need no write (gone, finished, failing). */
  private async prepare(batch: Waiter[]): Promise<void> {
    const { repo, stages, metrics, dedup } = this.deps;
    const ids = [...new Set(batch.map((w) => w.id))];
    const loaded = new Map((await repo.loadForJudging(ids)).map((s) => [s.id, s]));
    const waitersOf = new Map<string, Waiter[]>();
    for (const w of batch) waitersOf.set(w.id, [...(waitersOf.get(w.id) ?? []), w]);
    const fail = (id: string, err: unknown) => waitersOf.get(id)!.forEach((w) => w.reject(err));
    for (const id of ids) {
      const s = loaded.get(id);
      if (!s) {
        fail(id, new SubmissionMissingError(`submission ${id} is not in the inbox`));
        continue;
      }
      const queued = this.judged.get(id);
      if (queued) {
        // Already judged and waiting for the next transaction: these jobs share its outcome.
        queued.waiters.push(...waitersOf.get(id)!);
        continue;
      }
      if (s.status !== 'pending') {
        waitersOf.get(id)!.forEach((w) => w.resolve({ id, status: s.status, caseId: null, match: null, applied: false }));
        continue;
      }
      let judgement: Judgement;
      try {
        judgement = judge({ submission: s.submission, channelHomeDivision: s.channelHomeDivision }, stages, (stage, sec) => metrics.stageSeconds.observe({ stage }, sec));
      } catch (err) {
        metrics.failed.inc({ channel: s.channelType, stage: 'judge' });
        fail(id, new StageError('judge', (err as Error).message));
        continue;
      }
      for (const stage of ['validate', 'locate', 'classify'] as const) metrics.processed.inc({ channel: s.channelType, stage, outcome: judgement.validity.status });
      let input;
      try {
        const t0 = process.hrtime.bigint();
        input = dedupInputOf(s.submission, judgement, { channelType: s.channelType, receivedAt: s.receivedAt, pepper: dedup.pepper });
        metrics.stageSeconds.observe({ stage: 'dedup' }, Number(process.hrtime.bigint() - t0) / 1e9);
      } catch (err) {
        metrics.failed.inc({ channel: s.channelType, stage: 'dedup' });
        fail(id, new StageError('dedup', (err as Error).message));
        continue;
      }
      this.judged.set(id, {
        write: { id, judgement, complainantKey: input?.side.complainantKey ?? null, channel: s.channelType, receivedAt: s.receivedAt },
        candidate: input ? { id, channelType: s.channelType, title: s.submission.title ?? s.submission.text.slice(0, 60), input, pinned: null } : null,
        waiters: waitersOf.get(id)!,
      });
    }
  }

  /** Writes judged submissions and their cases in one transaction. */
  private async commit(batch: Judged[]): Promise<void> {
    const { repo, cases, metrics, dedup, caseIndex } = this.deps;
    const candidates = new Map(batch.flatMap((j) => (j.candidate ? [[j.write.id, j.candidate] as const] : [])));
    metrics.batchSize.observe(batch.length);
    const t0 = process.hrtime.bigint();
    const results = await repo.applyDispositions(
      batch.map((j) => j.write),
      (em, accepted) =>
        assignCases(
          em,
          caseIndex,
          accepted.flatMap((a) => {
            const c = candidates.get(a.id);
            return c ? [{ ...c, pinned: a.pinned }] : [];
          }),
          dedup.match,
        ),
      (em, caseIds) => rebuildCases(em, { cases, index: caseIndex, pepper: dedup.pepper }, caseIds),
    );
    metrics.stageSeconds.observe({ stage: 'persist' }, Number(process.hrtime.bigint() - t0) / 1e9);
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const { write: w, waiters } of batch) {
      const r = byId.get(w.id)!;
      if (r.applied) {
        metrics.processed.inc({ channel: w.channel, stage: 'persist', outcome: r.match ?? r.status });
        metrics.submitToCase.observe({ channel: w.channel }, (Date.now() - w.receivedAt.getTime()) / 1000);
      }
      waiters.forEach((x) => x.resolve(r));
    }
  }
}
