import { IntakeQueue } from '@huiliu/intake';
import { SubmissionRepository } from '@huiliu/store';
import type { CliContext } from '../cli-context';

/**
 * Re-enqueues every recorded-but-unfinished submission, failed ones included, under fresh job ids
 * (`<key>-r<n>`): BullMQ would silently ignore an add whose id is still in its failed set.
 */
export async function replay(ctx: CliContext): Promise<number> {
  const repo = ctx.app.get(SubmissionRepository);
  const intake = ctx.app.get(IntakeQueue);
  const claimed = await repo.claimForReplay(1_000_000);
  for (let i = 0; i < claimed.length; i += 1000) {
    await intake.enqueue(claimed.slice(i, i + 1000).map((c) => ({ submissionId: c.id, sourceKey: c.sourceKey, attempt: c.replayCount })));
  }
  return claimed.length;
}
