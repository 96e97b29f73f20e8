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

/**
 * Jobs arrive one submission each; the database is written in batches. Each job hands its id here and
 * waits; ids gathered within a couple of milliseconds are loaded, judged and persisted together.
 */
export class JudgingBatcher {
  private waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  constructor(
    private readonly deps: { repo: SubmissionRepository; cases: CaseRepository; caseIndex: CaseIndexRepository; stages: Stages; dedup: DedupSettings; metrics: PipelineMetrics; logger: Logger },
    private readonly opts: { batchSize: number; batchMs: number; maxInFlight: number },
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
    if (!this.waiting.length || this.inFlight >= this.opts.maxInFlight) return;
    const batch = this.waiting.splice(0, this.opts.batchSize);
    this.inFlight++;
    this.run(batch)
      .catch((err) => batch.forEach((w) => w.reject(err)))
      .finally(() => {
        this.inFlight--;
        if (this.waiting.length) this.flush();
      });
  }

  private async run(batch: Waiter[]): Promise<void> {
    const { repo, cases, stages, metrics, dedup, caseIndex } = this.deps;
    const loaded = new Map((await repo.loadForJudging([...new Set(batch.map((w) => w.id))])).map((s) => [s.id, s]));
    const writes: (DispositionWrite & { channel: string; receivedAt: Date })[] = [];
    const candidates = new Map<string, CaseCandidateSubmission>();
    const failedIds = new Map<string, unknown>();
    const done = new Map<string, DispositionResult>();
    for (const id of new Set(batch.map((w) => w.id))) {
      const s = loaded.get(id);
      if (!s) {
        failedIds.set(id, new SubmissionMissingError(`submission ${id} is not in the inbox`));
        continue;
      }
      if (s.status !== 'pending') {
        done.set(id, { id, status: s.status, caseId: null, match: null, applied: false });
        continue;
      }
      let judgement: Judgement;
      try {
        judgement = judge({ submission: s.submission, channelHomeDivision: s.channelHomeDivision }, stages, (stage, sec) => metrics.stageSeconds.observe({ stage }, sec));
      } catch (err) {
        metrics.failed.inc({ channel: s.channelType, stage: 'judge' });
        failedIds.set(id, new StageError('judge', (err as Error).message));
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
        failedIds.set(id, new StageError('dedup', (err as Error).message));
        continue;
      }
      if (input) candidates.set(id, { id, channelType: s.channelType, title: s.submission.title ?? s.submission.text.slice(0, 60), input, pinned: null });
      writes.push({ id, judgement, complainantKey: input?.side.complainantKey ?? null, channel: s.channelType, receivedAt: s.receivedAt });
    }
    const t0 = process.hrtime.bigint();
    const results = await repo.applyDispositions(
      writes,
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
    const byId = new Map(writes.map((w) => [w.id, w]));
    for (const r of results) {
      done.set(r.id, r);
      const w = byId.get(r.id);
      if (w && r.applied) {
        metrics.processed.inc({ channel: w.channel, stage: 'persist', outcome: r.match ?? r.status });
        metrics.submitToCase.observe({ channel: w.channel }, (Date.now() - w.receivedAt.getTime()) / 1000);
      }
    }
    for (const w of batch) {
      const err = failedIds.get(w.id);
      if (err) w.reject(err);
      else w.resolve(done.get(w.id)!);
    }
  }
}
