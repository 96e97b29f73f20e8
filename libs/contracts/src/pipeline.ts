import type { Category, DivisionLevel, Reason, SubmissionStatus } from './disposition';
import type { Submission } from './submission.schema';

/**
 * The stages' view of a submission: the normalized record plus what the channel adds (its home region).
 * Every stage is a pure function of this plus read-only reference data.
 */
export interface JudgingInput {
  submission: Submission;
  /** The receiving channel's home division code, when the channel is configured with one. */
  channelHomeDivision?: string | null;
}

export interface ValidityDecision {
  status: Exclude<SubmissionStatus, 'pending'>;
  /** For rejected: empty, greeting, spam, auto_reply, bounce, malformed_row, …; for out_of_scope: the topic. */
  reason: string | null;
  /** For out_of_scope: the suggested department (部门) from the referral table. */
  referral: string | null;
  /** Notes that do not change the status: vague_location, litigation_matter, … */
  flags: string[];
  reasons: Reason[];
}

export interface DivisionDecision {
  /** The most precise GB/T 2260 code the text supports (6 digits), or null. */
  code: string | null;
  level: DivisionLevel | null;
  /** With level 'ambiguous': every county the clues leave possible. */
  candidates: string[];
  /** The township (街道/镇/乡) when the text names one: 9-digit code and name. */
  township: { code: string; name: string } | null;
  /** For water and marine cases: the river-basin / sea-area bureau. */
  basin: string | null;
  flags: string[];
  reasons: Reason[];
}

export interface CategoryDecision {
  categories: Category[];
  primary: Category | null;
  reasons: Reason[];
}

export interface Judgement {
  validity: ValidityDecision;
  division: DivisionDecision;
  category: CategoryDecision;
}
