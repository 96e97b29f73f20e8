import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a complainant already reported a case (重复举报) is read from the case's members when the case is a
 * candidate: one index descent per complainant of the batch and candidate case, however many members it has.
 */
export class ComplainantMembers1796400000001 implements MigrationInterface {
  name = 'ComplainantMembers1796400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_submissions_complainant_case ON submissions (complainant_key, case_id) WHERE complainant_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_submissions_complainant_case`);
  }
}
