import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Officers' corrections of pipeline decisions: kept with who and when, never overwritten by a re-run. */
export class Corrections1796200000000 implements MigrationInterface {
  name = 'Corrections1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE corrections (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL,
        field text NOT NULL,
        value jsonb NULL,
        previous jsonb NULL,
        reason text NULL,
        corrected_by text NOT NULL,
        corrected_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_corrections PRIMARY KEY (id),
        CONSTRAINT fk_corrections_submission FOREIGN KEY (submission_id) REFERENCES submissions(id),
        CONSTRAINT ck_corrections_field CHECK (field IN ('status', 'category', 'division', 'referral'))
      )`);
    await q.query(`CREATE INDEX ix_corrections_submission ON corrections (submission_id, corrected_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE corrections`);
  }
}
