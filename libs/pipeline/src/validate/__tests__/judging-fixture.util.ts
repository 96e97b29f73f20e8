import { parseSubmission, type JudgingInput, type SubmissionInput } from '@huiliu/contracts';

/** A judging input from a few submission fields; the rest take the schema's defaults. */
export function inputOf(text: string, extra: Partial<Omit<SubmissionInput, 'schemaVersion' | 'text'>> = {}): JudgingInput {
  return { submission: parseSubmission({ schemaVersion: 1, channelType: 'web', ref: 'fixture-1', text, ...extra }) };
}
