import { IntakeQueue } from '@huiliu/intake';
import { SubmissionRepository } from '@huiliu/store';
import type { CliContext } from '../cli-context';

/**
 * Waits until the intake queue has nothing waiting, active or delayed and no recorded submission is left
 * unfinished (except those parked as failed). Returns false on timeout.
 */
export async function drain(ctx: CliContext, timeoutSeconds: number, onProgress?: (left: number) => void): Promise<boolean> {
  const intake = ctx.app.get(IntakeQueue);
  const repo = ctx.app.get(SubmissionRepository);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let quietPolls = 0;
  for (;;) {
    const q = await intake.unfinished();
    const queued = q.waiting + q.active + q.delayed + q.prioritized + q.waitingChildren;
    const unfinished = await repo.countUnfinished();
    onProgress?.(queued + unfinished);
    // Two quiet polls in a row: a job finishing between the two reads cannot fool it.
    quietPolls = queued === 0 && unfinished === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
