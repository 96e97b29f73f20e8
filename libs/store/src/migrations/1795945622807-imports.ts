import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * File imports (hotline exports, letter/visit/transfer registers) and the letter identity used to fold a
 * letter registered twice under two numbers into one submission.
 */
export class Imports1795945622807 implements MigrationInterface {
  name = 'Imports1795945622807';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel_id uuid NOT NULL,
        channel_type text NOT NULL,
        file_blob_key text NOT NULL,
        file_name text NOT NULL,
        file_size bigint NOT NULL,
        content_type text NULL,
        origin text NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        rows_read int NOT NULL DEFAULT 0,
        recorded int NOT NULL DEFAULT 0,
        duplicates int NOT NULL DEFAULT 0,
        rejected int NOT NULL DEFAULT 0,
        rejections jsonb NOT NULL DEFAULT '[]'::jsonb,
        facts jsonb NOT NULL DEFAULT '{}'::jsonb,
        error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_imports PRIMARY KEY (id),
        CONSTRAINT fk_imports_channel FOREIGN KEY (channel_id) REFERENCES channels(id),
        CONSTRAINT ck_imports_status CHECK (status IN ('queued','running','done','failed')),
        CONSTRAINT ck_imports_origin CHECK (origin IN ('api','cli'))
      )`);
    await q.query(`CREATE INDEX ix_imports_channel_created ON imports (channel_id, created_at)`);
    await q.query(`CREATE INDEX ix_submissions_letter_identity ON submissions ((payload->'extra'->>'letterIdentity')) WHERE channel_type = 'letter'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_submissions_letter_identity`);
    await q.query(`DROP TABLE imports`);
  }
}
