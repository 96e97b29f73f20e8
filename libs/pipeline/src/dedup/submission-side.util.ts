/**
 * What the dedup stage knows of one judged submission: its incident features, MinHash signature, the
 * complainant's opaque key and its candidate keys. Pure, so the worker, a re-run and the benchmark build it
 * the same way.
 */
import type { ChannelType, Judgement, Submission } from '@huiliu/contracts';
import { candidateKeys } from './candidate-keys.util';
import { complainantKeyOf } from './complainant-key.util';
import { extractIncidentFeatures } from './features.util';
import { minhash } from './minhash.util';
import type { IncidentSource, MatchSide } from './dedup.types';
import { withinReadLimit } from '../judge/read-limit';

export interface DedupInput {
  side: MatchSide;
  /** Block-free candidate keys (candidateKeys). */
  keys: string[];
}

/** A source's own time is trusted unless it lies more than a day in the future (a wrong clock, a typo). */
export function incidentTime(submission: Pick<Submission, 'submittedAt'>, receivedAt: Date): number {
  const given = submission.submittedAt ? Date.parse(submission.submittedAt) : NaN;
  const received = receivedAt.getTime();
  return Number.isFinite(given) && given <= received + 86_400_000 ? given : received;
}

/**
 * Null when the submission opens no case (not accepted). Without a category the submission still opens
 * a case, but never joins one (matching requires the same category). Platform handles
 * are qualified by channel type: a Telegram user id and a WeChat OpenID are different namespaces.
 */
export function dedupInputOf(
  whole: Submission,
  judgement: Judgement,
  opts: { channelType: ChannelType; receivedAt: Date; pepper: string },
): DedupInput | null {
  if (judgement.validity.status !== 'accepted') return null;
  const submission = withinReadLimit(whole);
  const c = submission.complainant;
  return dedupInputFromParts({
    text: submission.text,
    title: submission.title,
    subject: submission.subject,
    address: submission.location?.address ?? null,
    divisionCode: judgement.division.code,
    category: judgement.category.primary,
    township: judgement.division.township?.name ?? null,
    // An ambiguous place still rules out the cases outside its candidate counties.
    divisionCandidates: judgement.division.code ? undefined : judgement.division.candidates,
    at: incidentTime(submission, opts.receivedAt),
    complainantKey: c ? complainantKeyOf({ phone: c.phone, email: c.email, handle: c.handle ? `${opts.channelType}:${c.handle}` : null }, opts.pepper) : null,
  });
}

/** The same from plain parts: what a case store generator or a replay of stored features has at hand. */
export function dedupInputFromParts(parts: IncidentSource & { at: number; complainantKey: string | null; divisionCandidates?: string[] }): DedupInput {
  const features = extractIncidentFeatures(parts);
  const signature = minhash(features.shingles);
  const candidates = parts.divisionCandidates?.length ? { divisionCandidates: parts.divisionCandidates } : {};
  return {
    side: { ...features, divisionCode: parts.divisionCode ?? null, category: parts.category ?? null, at: parts.at, complainantKey: parts.complainantKey, signature, ...candidates },
    keys: candidateKeys(features, signature, parts.complainantKey),
  };
}
