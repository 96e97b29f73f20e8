import type { CategoryDecision, DivisionDecision, JudgingInput, Judgement, ValidityDecision } from '@huiliu/contracts';
import { withinReadLimit } from './read-limit';

/** The pure stages a judgement is made of; the worker wires the real ones, `rejudge` reuses them. */
export interface Stages {
  validate(input: JudgingInput): ValidityDecision;
  locate(input: JudgingInput): DivisionDecision;
  classify(input: JudgingInput): CategoryDecision;
  /** River-basin bureau for water cases, sea-area bureau for marine ones. */
  basinOf(divisionCode: string, kind: 'water' | 'marine'): string | null;
}

export type StageName = 'validate' | 'locate' | 'classify';

const NO_DIVISION: DivisionDecision = { code: null, level: null, candidates: [], township: null, basin: null, flags: [], reasons: [] };
const NO_CATEGORY: CategoryDecision = { categories: [], primary: null, reasons: [] };

/**
 * validate → locate → classify. A rejected submission is not located or classified (there is nothing to
 * place); out-of-scope ones are located, since the referral goes to the right local department.
 */
export function judge(whole: JudgingInput, stages: Stages, observe?: (stage: StageName, seconds: number) => void): Judgement {
  const input = { ...whole, submission: withinReadLimit(whole.submission) };
  const timed = <T>(stage: StageName, fn: () => T): T => {
    if (!observe) return fn();
    const t0 = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      observe(stage, Number(process.hrtime.bigint() - t0) / 1e9);
    }
  };
  const validity = timed('validate', () => stages.validate(input));
  if (validity.status === 'rejected') return { validity, division: NO_DIVISION, category: NO_CATEGORY };
  const division = timed('locate', () => stages.locate(input));
  const category = validity.status === 'accepted' ? timed('classify', () => stages.classify(input)) : NO_CATEGORY;
  const kind = category.primary === 'marine' ? 'marine' : category.categories.includes('water') ? 'water' : category.categories.includes('marine') ? 'marine' : null;
  const basin = kind && division.code ? stages.basinOf(division.code, kind) : null;
  return { validity, division: basin ? { ...division, basin } : division, category };
}
