import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Near-duplicate matching: what each case knows of its incident (features), the candidate index
 * (case_keys), repeat petitions, suggested members and the audit trail of officers' case decisions.
 * Cases opened before this migration keep their exact key and simply have no index rows.
 */
export class CaseMatching1796300000000 implements MigrationInterface {
  name = 'CaseMatching1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ALTER COLUMN dedup_key DROP NOT NULL`);
    await q.query(`
      ALTER TABLE cases
        ADD COLUMN features jsonb NULL,
        ADD COLUMN repeat_count int NOT NULL DEFAULT 0,
        ADD COLUMN suggested_count int NOT NULL DEFAULT 0,
        ADD COLUMN merged_into uuid NULL,
        ADD CONSTRAINT fk_cases_merged_into FOREIGN KEY (merged_into) REFERENCES cases(id),
        ADD CONSTRAINT ck_cases_status CHECK (status IN ('open', 'closed', 'merged', 'empty'))`);
    await q.query(`
      ALTER TABLE submissions
        ADD COLUMN complainant_key text NULL,
        ADD COLUMN repeat_petition boolean NOT NULL DEFAULT false,
        ADD COLUMN dedup jsonb NULL,
        ADD CONSTRAINT ck_submissions_match CHECK (match IS NULL OR match IN ('new', 'auto', 'suggested', 'confirmed', 'manual'))`);
    await q.query(`
      CREATE TABLE case_keys (
        case_id uuid NOT NULL,
        key bigint NOT NULL,
        division int NOT NULL,
        last_at timestamptz NOT NULL,
        CONSTRAINT pk_case_keys PRIMARY KEY (case_id, key),
        CONSTRAINT fk_case_keys_case FOREIGN KEY (case_id) REFERENCES cases(id) ON DELETE CASCADE
      )`);
    // The probe: key equal, division in a range, reported within the window; case_id read from the index.
    await q.query(`CREATE INDEX ix_case_keys_probe ON case_keys (key, division, last_at) INCLUDE (case_id)`);
    await q.query(`
      CREATE TABLE case_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        case_id uuid NOT NULL,
        submission_id uuid NULL,
        action text NOT NULL,
        actor text NOT NULL,
        reason text NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_case_events PRIMARY KEY (id),
        CONSTRAINT fk_case_events_case FOREIGN KEY (case_id) REFERENCES cases(id),
        CONSTRAINT fk_case_events_submission FOREIGN KEY (submission_id) REFERENCES submissions(id),
        CONSTRAINT ck_case_events_action CHECK (action IN ('confirm', 'split', 'move', 'merge', 'merged_into'))
      )`);
    await q.query(`CREATE INDEX ix_case_events_case ON case_events (case_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_events`);
    await q.query(`DROP TABLE case_keys`);
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT ck_submissions_match, DROP COLUMN dedup, DROP COLUMN repeat_petition, DROP COLUMN complainant_key`);
    await q.query(`ALTER TABLE cases DROP CONSTRAINT ck_cases_status, DROP CONSTRAINT fk_cases_merged_into, DROP COLUMN merged_into, DROP COLUMN suggested_count, DROP COLUMN repeat_count, DROP COLUMN features`);
    await q.query(`UPDATE cases SET dedup_key = 'x0|' || id WHERE dedup_key IS NULL`);
    await q.query(`ALTER TABLE cases ALTER COLUMN dedup_key SET NOT NULL`);
  }
}
