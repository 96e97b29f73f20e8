import type { Logger } from 'pino';
import type { IntakeQueue } from '@huiliu/intake';
import type { SubmissionRepository } from '@huiliu/store';

/**
 * Postgres is the system of record, Redis only carries work: every so often, submissions recorded but
 * still unfinished after SWEEP_AFTER_MS are queued again. A job that still exists keeps its id, so the
 * add is a no-op; one lost with Redis's data comes back.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: { repo: SubmissionRepository; intake: IntakeQueue; logger: Logger },
    private readonly opts: { intervalMs: number; afterMs: number; batch?: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().catch((err) => this.deps.logger.warn({ err }, 'sweep failed')).finally(() => (this.running = null)) as Promise<void>;
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** One pass; returns how many submissions were offered to the queue again. */
  async sweep(): Promise<number> {
    let offered = 0;
    const stale = await this.deps.repo.findStalePending(this.opts.afterMs, this.opts.batch ?? 5000);
    if (stale.length) {
      await this.deps.intake.enqueue(stale.map((s) => ({ submissionId: s.id, sourceKey: s.sourceKey, attempt: s.replayCount })));
      offered = stale.length;
      this.deps.logger.info({ offered }, 'sweeper re-queued unfinished submissions');
    }
    return offered;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
