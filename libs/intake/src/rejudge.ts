import type { Judgement } from '@huiliu/contracts';
import { judge, type Stages } from '@huiliu/pipeline';
import { overlayCorrections, type CorrectionRepository, type SubmissionEntity, type SubmissionRepository } from '@huiliu/store';

export interface RejudgeChange {
  id: string;
  ref: string;
  field: 'status' | 'category' | 'division';
  from: string | null;
  to: string | null;
}

export interface RejudgeReport {
  examined: number;
  changed: number;
  byField: { status: number; category: number; division: number };
  /** The first changes, for a person to read (the counts cover all). */
  changes: RejudgeChange[];
}

/**
 * Re-runs the rules over stored submissions after the rule tables changed. Officers' corrections are laid
 * over every fresh judgement, so a correction is never overwritten by a re-run.
 */
export async function rejudge(
  deps: { submissions: SubmissionRepository; corrections: CorrectionRepository; stages: Stages; homeDivisionOf: (channelId: string) => string | null },
  since: Date | null,
  maxListed = 200,
): Promise<RejudgeReport> {
  const report: RejudgeReport = { examined: 0, changed: 0, byField: { status: 0, category: 0, division: 0 }, changes: [] };
  for await (const page of deps.submissions.judgedSince(since)) {
    const corrections = await deps.corrections.forSubmissions(page.map((s) => s.id));
    for (const s of page) {
      report.examined++;
      const fresh = overlayCorrections(judgeStored(s, deps.stages, deps.homeDivisionOf(s.channelId)), corrections.get(s.id) ?? []);
      const diffs = differences(s, fresh);
      if (!diffs.length) continue;
      report.changed++;
      for (const d of diffs) {
        report.byField[d.field]++;
        if (report.changes.length < maxListed) report.changes.push(d);
      }
      await deps.submissions.updateJudgement(s.id, fresh);
    }
  }
  return report;
}

function judgeStored(s: SubmissionEntity, stages: Stages, channelHomeDivision: string | null): Judgement {
  return judge({ submission: { ...s.payload, complainant: s.complainant }, channelHomeDivision }, stages);
}

function differences(s: SubmissionEntity, j: Judgement): RejudgeChange[] {
  const out: RejudgeChange[] = [];
  const push = (field: RejudgeChange['field'], from: string | null, to: string | null) => {
    if ((from ?? null) !== (to ?? null)) out.push({ id: s.id, ref: s.ref, field, from: from ?? null, to: to ?? null });
  };
  push('status', s.status, j.validity.status);
  push('category', s.category, j.category.primary);
  push('division', s.divisionCode, j.division.code);
  return out;
}
