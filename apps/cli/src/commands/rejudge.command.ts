import { rejudge, stagesFor, type RejudgeReport } from '@huiliu/intake';
import { ChannelRepository, CorrectionRepository, SubmissionRepository } from '@huiliu/store';
import { CliError, type CliContext } from '../cli-context';

/** `rejudge [--since DATE]`: re-runs the rules over stored submissions and reports what changed. */
export async function rejudgeCommand(ctx: CliContext, since: string | undefined): Promise<RejudgeReport> {
  const from = since ? new Date(since) : null;
  if (from && Number.isNaN(from.getTime())) throw new CliError(`--since ${since} is not a date (YYYY-MM-DD or ISO 8601)`);
  const homes = new Map((await ctx.app.get(ChannelRepository).list()).map((c) => [c.id, c.homeDivision]));
  return rejudge(
    { submissions: ctx.app.get(SubmissionRepository), corrections: ctx.app.get(CorrectionRepository), stages: stagesFor(ctx.config), homeDivisionOf: (id) => homes.get(id) ?? null },
    from,
  );
}
