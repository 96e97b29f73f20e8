import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An amended submission remembers the case it was in when its text changed: that case's features, counts
 * and index rows still carry the old text until the submission is judged again, and are rebuilt then.
 */
export class AmendedCase1796400000000 implements MigrationInterface {
  name = 'AmendedCase1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE submissions
        ADD COLUMN amended_case_id uuid NULL,
        ADD CONSTRAINT fk_submissions_amended_case FOREIGN KEY (amended_case_id) REFERENCES cases(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT fk_submissions_amended_case, DROP COLUMN amended_case_id`);
  }
}
