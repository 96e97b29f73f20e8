import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The e-mail channel: per-mailbox checkpoints and the dead-letter store for unreadable records. */
export class EmailChannel1796000000004 implements MigrationInterface {
  name = 'EmailChannel1796000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailbox_checkpoints (
        channel_id uuid NOT NULL,
        folder text NOT NULL,
        uid_validity bigint NOT NULL,
        last_uid bigint NOT NULL DEFAULT 0,
        rescans int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mailbox_checkpoints PRIMARY KEY (channel_id, folder),
        CONSTRAINT fk_mailbox_checkpoints_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE dead_letters (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel_type text NOT NULL,
        channel_id uuid NULL,
        dedup_key text NOT NULL,
        origin text NOT NULL,
        reason text NOT NULL,
        detail text NULL,
        raw jsonb NOT NULL,
        size bigint NOT NULL,
        seen_count int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_dead_letters PRIMARY KEY (id),
        CONSTRAINT uq_dead_letters_dedup_key UNIQUE (dedup_key),
        CONSTRAINT fk_dead_letters_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX ix_dead_letters_created ON dead_letters (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
    await q.query(`DROP TABLE mailbox_checkpoints`);
  }
}
