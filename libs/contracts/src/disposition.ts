/** What the pipeline decided for a submission (DESIGN.md "Disposition"). */
export const SUBMISSION_STATUSES = ['pending', 'accepted', 'out_of_scope', 'rejected'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export const CATEGORIES = ['air', 'water', 'noise', 'solid_waste', 'radiation', 'soil', 'ecology', 'marine', 'approval', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export type DivisionLevel = 'province' | 'city' | 'county' | 'ambiguous';

/** How a submission came to be in its case. */
export type CaseMatch = 'new' | 'auto' | 'suggested' | 'confirmed' | 'manual';

/**
 * One reason behind a decision, readable by an officer: which stage, which rule, what it saw.
 * `terms` are the matched words; `ruleTable` names the data file and version the rule came from.
 */
export interface Reason {
  stage: 'validate' | 'locate' | 'classify' | 'dedup' | 'adapter';
  rule: string;
  detail?: string;
  terms?: string[];
  ruleTable?: string;
}
