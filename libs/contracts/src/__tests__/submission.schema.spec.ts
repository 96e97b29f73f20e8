import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobIdOf, parseSubmission, sourceKeyOf, SubmissionValidationError, submissionJsonSchema, SUBMISSION_JSON_SCHEMA_PATH } from '@huiliu/contracts';

describe('submission schema', () => {
  it('fills defaults for what an adapter leaves out', () => {
    const s = parseSubmission({ schemaVersion: 1, channelType: 'web', ref: 'tok-1', text: '黑烟' });
    expect(s.complainant.anonymous).toBe(false);
    expect(s.location.districtCode).toBeNull();
    expect(s.attachments).toEqual([]);
    expect(s.refs).toEqual([]);
  });

  it('names the field that is wrong', () => {
    try {
      parseSubmission({ schemaVersion: 1, channelType: 'fax', ref: '', text: 1 });
      throw new Error('expected a validation error');
    } catch (e) {
      expect(e).toBeInstanceOf(SubmissionValidationError);
      const paths = (e as SubmissionValidationError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(['channelType', 'ref', 'text']);
    }
  });

  it('keeps the committed JSON Schema file in step with the code', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../..', SUBMISSION_JSON_SCHEMA_PATH), 'utf8'));
    expect(committed).toEqual(submissionJsonSchema());
  });
});

describe('source key and job id', () => {
  it('is the channel type plus the natural id, whatever the channel name', () => {
    expect(sourceKeyOf('email', ' abc@x ')).toBe('email:abc@x');
  });

  it('gives BullMQ-valid job ids: no colon, never all digits, stable, distinct per retry', () => {
    const key = sourceKeyOf('wechat', '1234567890');
    const id = jobIdOf(key);
    expect(id).not.toContain(':');
    expect(id).not.toMatch(/^\d+$/);
    expect(jobIdOf(key)).toBe(id);
    expect(jobIdOf(key, 1)).toBe(`${id}-r1`);
    expect(jobIdOf(sourceKeyOf('wechat', '1234567891'))).not.toBe(id);
  });
});
