import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels, the submission inbox and cases, with named constraints and indexes. */
export class IntakeBackbone1764403200000 implements MigrationInterface {
  name = 'IntakeBackbone1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channels (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        type text NOT NULL,
        name text NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        credentials jsonb NOT NULL DEFAULT '{}'::jsonb,
        enabled boolean NOT NULL DEFAULT true,
        home_division text NULL,
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_channels PRIMARY KEY (id),
        CONSTRAINT uq_channels_name UNIQUE (name),
        CONSTRAINT ck_channels_type CHECK (type IN ('hotline','letter','visit','transfer','email','web','telegram','wechat','webhook'))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_channels_default_per_type ON channels (type) WHERE is_default`);

    await q.query(`
      CREATE TABLE cases (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        number bigint GENERATED ALWAYS AS IDENTITY,
        dedup_key text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        division_code text NULL,
        division_level text NULL,
        category text NULL,
        title text NULL,
        submission_count int NOT NULL DEFAULT 0,
        channel_types text[] NOT NULL DEFAULT '{}',
        first_reported_at timestamptz NULL,
        last_reported_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_cases PRIMARY KEY (id),
        CONSTRAINT uq_cases_number UNIQUE (number),
        CONSTRAINT uq_cases_dedup_key UNIQUE (dedup_key)
      )`);

    await q.query(`
      CREATE TABLE submissions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        source_key text NOT NULL,
        channel_type text NOT NULL,
        channel_id uuid NOT NULL,
        ref text NOT NULL,
        refs text[] NOT NULL DEFAULT '{}',
        schema_version int NOT NULL,
        payload jsonb NOT NULL,
        complainant jsonb NOT NULL,
        raw jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        reason text NULL,
        referral text NULL,
        flags text[] NOT NULL DEFAULT '{}',
        judgement jsonb NULL,
        division_code text NULL,
        division_level text NULL,
        division_candidates text[] NOT NULL DEFAULT '{}',
        category text NULL,
        categories text[] NOT NULL DEFAULT '{}',
        case_id uuid NULL,
        match text NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz NULL,
        failed_at timestamptz NULL,
        last_error text NULL,
        replay_count int NOT NULL DEFAULT 0,
        CONSTRAINT pk_submissions PRIMARY KEY (id),
        CONSTRAINT uq_submissions_source_key UNIQUE (source_key),
        CONSTRAINT uq_submissions_seq UNIQUE (seq),
        CONSTRAINT fk_submissions_channel FOREIGN KEY (channel_id) REFERENCES channels(id),
        CONSTRAINT fk_submissions_case FOREIGN KEY (case_id) REFERENCES cases(id),
        CONSTRAINT ck_submissions_status CHECK (status IN ('pending','accepted','out_of_scope','rejected'))
      )`);
    // The sweeper's and replay's work list: unfinished submissions by age.
    await q.query(`CREATE INDEX ix_submissions_pending ON submissions (received_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_submissions_case ON submissions (case_id)`);
    await q.query(`CREATE INDEX ix_submissions_channel_received ON submissions (channel_id, received_at)`);
    await q.query(`CREATE INDEX ix_submissions_refs ON submissions USING gin (refs)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE submissions`);
    await q.query(`DROP TABLE cases`);
    await q.query(`DROP TABLE channels`);
  }
}
