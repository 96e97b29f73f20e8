import type { Submission } from '@huiliu/contracts';

/**
 * How much of a submission's text the judging stages and dedup read: complaints say what and where within a
 * few hundred characters, while a pasted document or a mail with a long quoted thread can run to a megabyte,
 * and place and term matching over that much text costs seconds of a worker's time for nothing. The stored
 * submission keeps every character; only the reading stops here.
 */
export const JUDGED_TEXT_CHARS = 20_000;

/** The submission as the stages read it: text, title and subject cut at the read limit, nothing else changed. */
export function withinReadLimit(submission: Submission): Submission {
  const long = (s: string | null) => s !== null && s.length > JUDGED_TEXT_CHARS;
  if (!long(submission.text) && !long(submission.title) && !long(submission.subject)) return submission;
  const cut = <T extends string | null>(s: T): T => (s === null ? s : (s.slice(0, JUDGED_TEXT_CHARS) as T));
  return { ...submission, text: cut(submission.text), title: cut(submission.title), subject: cut(submission.subject) };
}
