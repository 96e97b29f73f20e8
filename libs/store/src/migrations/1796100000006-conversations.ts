import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat channels (Telegram, WeChat): the gathering state of every conversation, the deliveries already
 * taken (update ids, MsgIds) with the answer given, and an index to find a chat's own submissions.
 */
export class Conversations1796100000006 implements MigrationInterface {
  name = 'Conversations1796100000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation_states (
        channel_id uuid NOT NULL,
        conversation_key text NOT NULL,
        state jsonb NOT NULL DEFAULT '{}'::jsonb,
        raws jsonb NOT NULL DEFAULT '[]'::jsonb,
        due_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_conversation_states PRIMARY KEY (channel_id, conversation_key),
        CONSTRAINT fk_conversation_states_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE CASCADE
      )`);
    // The quiet-period closer's work list: open drafts by the time they fall due.
    await q.query(`CREATE INDEX ix_conversation_states_due ON conversation_states (due_at) WHERE due_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE conversation_inbound (
        channel_id uuid NOT NULL,
        inbound_key text NOT NULL,
        conversation_key text NULL,
        reply text NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_conversation_inbound PRIMARY KEY (channel_id, inbound_key),
        CONSTRAINT fk_conversation_inbound_channel FOREIGN KEY (channel_id) REFERENCES channels(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_conversation_inbound_received ON conversation_inbound (received_at)`);
    // /status answers only from the asking chat's own submissions.
    await q.query(
      `CREATE INDEX ix_submissions_conversation ON submissions (channel_type, (payload->'extra'->>'conversationKey')) WHERE channel_type IN ('telegram','wechat')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_submissions_conversation`);
    await q.query(`DROP TABLE conversation_inbound`);
    await q.query(`DROP TABLE conversation_states`);
  }
}
