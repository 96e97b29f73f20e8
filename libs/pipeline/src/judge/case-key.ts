import { createHash } from 'node:crypto';
import type { Judgement, Submission } from '@huiliu/contracts';

/**
 * Text normalised for exact comparison: width-folded (NFKC), lower-cased, without punctuation, symbols or
 * spaces, so "黑烟，  很大！" and "黑烟很大" compare equal.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Z}\s]+/gu, '');
}

/**
 * The exact-match case key: a submission folds into an existing case only when its normalised text,
 * its division and its category all match. Identical words about different places are different cases.
 * Null for submissions that open no case.
 */
export function exactCaseKey(submission: Submission, judgement: Judgement): string | null {
  if (judgement.validity.status !== 'accepted') return null;
  const text = normalizeText([submission.title ?? '', submission.text].join('\n'));
  const division = judgement.division.code ?? (judgement.division.level === 'ambiguous' ? `ambiguous:${judgement.division.candidates.join(',')}` : 'none');
  const category = judgement.category.primary ?? 'none';
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 32);
  return `x1|${division}|${category}|${digest}`;
}
