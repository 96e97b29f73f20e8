import { z } from 'zod';
import { SubmissionSchema, SUBMISSION_SCHEMA_VERSION } from './submission.schema';

export const SUBMISSION_JSON_SCHEMA_PATH = `libs/contracts/schema/submission.v${SUBMISSION_SCHEMA_VERSION}.json`;

export function submissionJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(SubmissionSchema, { io: 'input' }),
    $id: `https://huiliu.local/schema/submission.v${SUBMISSION_SCHEMA_VERSION}.json`,
    title: `Huiliu submission v${SUBMISSION_SCHEMA_VERSION}`,
  };
}
