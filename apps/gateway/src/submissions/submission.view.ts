import type { SubmissionEntity } from '@huiliu/store';
import { maskEmail, maskName, maskPhone } from '@huiliu/platform';

/**
 * What a consumer sees of a submission. The complainant is masked unless the caller may see identity
 * (the admin token).
 */
export function submissionView(s: SubmissionEntity, opts: { revealIdentity: boolean }) {
  const c = s.complainant;
  const complainant = opts.revealIdentity
    ? c
    : {
        name: c.name ? maskName(c.name) : null,
        phone: c.phone ? maskPhone(c.phone) : null,
        email: c.email ? maskEmail(c.email) : null,
        idNumber: c.idNumber ? '***' : null,
        handle: c.handle ? '***' : null,
        anonymous: c.anonymous,
      };
  return {
    id: s.id,
    channel: s.channelType,
    channelId: s.channelId,
    ref: s.ref,
    refs: s.refs,
    status: s.status,
    reason: s.reason,
    referral: s.referral,
    flags: s.flags,
    caseId: s.caseId,
    match: s.match,
    repeatPetition: s.repeatPetition,
    division: s.status === 'pending' ? null : { code: s.divisionCode, level: s.divisionLevel, candidates: s.divisionCandidates },
    category: s.category,
    categories: s.categories,
    reasons: s.judgement
      ? [...s.judgement.validity.reasons, ...s.judgement.division.reasons, ...s.judgement.category.reasons]
      : [],
    receivedAt: s.receivedAt,
    processedAt: s.processedAt,
    failedAt: s.failedAt,
    title: s.payload.title,
    text: s.payload.text,
    location: s.payload.location,
    attachments: s.payload.attachments,
    complainant,
  };
}
