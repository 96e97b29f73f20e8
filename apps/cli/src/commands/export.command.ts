import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { ChannelRepository, SubmissionRepository, type SubmissionEntity } from '@huiliu/store';
import type { CliContext } from '../cli-context';

/** One export line per submission: the contract ../shared/eval and downstream scripts rely on. */
export function exportLine(s: SubmissionEntity, channelName: string) {
  const j = s.judgement;
  return {
    submissionId: s.id,
    channel: s.channelType,
    channelName,
    ref: s.ref,
    refs: s.refs,
    status: s.status,
    caseId: s.caseId,
    match: s.match,
    repeatPetition: s.repeatPetition,
    division: { code: s.divisionCode, level: s.divisionLevel, candidates: s.divisionCandidates },
    category: s.category,
    categories: s.categories,
    reason: s.reason,
    referral: s.referral,
    flags: s.flags,
    reasons: j ? [...j.validity.reasons, ...j.division.reasons, ...j.category.reasons].map((r) => [r.stage, r.rule, r.terms?.join('|') ?? r.detail ?? ''].filter(Boolean).join(':')) : [],
  };
}

export async function exportJsonl(ctx: CliContext, out: string | null): Promise<number> {
  const channels = new Map((await ctx.app.get(ChannelRepository).list()).map((c) => [c.id, c.name]));
  const sink: Writable = out ? createWriteStream(out) : process.stdout;
  let n = 0;
  for await (const page of ctx.app.get(SubmissionRepository).exportRows()) {
    let chunk = '';
    for (const s of page) chunk += `${JSON.stringify(exportLine(s, channels.get(s.channelId) ?? ''))}\n`;
    n += page.length;
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  if (out) {
    sink.end();
    await once(sink, 'finish');
  }
  return n;
}
