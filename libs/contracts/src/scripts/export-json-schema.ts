// Writes the submission JSON Schema file that consumers and channel operators read.
// Run: npm run schema:export  (a unit test fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { submissionJsonSchema, SUBMISSION_JSON_SCHEMA_PATH } from '../json-schema';

const target = join(process.cwd(), SUBMISSION_JSON_SCHEMA_PATH);
writeFileSync(target, `${JSON.stringify(submissionJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
