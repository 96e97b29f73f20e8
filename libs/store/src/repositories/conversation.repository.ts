import type { DataSource, EntityManager } from 'typeorm';
import type { ChannelType, SubmissionStatus } from '@huiliu/contracts';
import { retryOnConflict } from './pg-errors';
import { preparedQuery } from './pg-prepared';

export interface ConversationRef {
  channelId: string;
  conversationKey: string;
}

export interface LockedConversation extends ConversationRef {
  /** The gatherer snapshot for this conversation; `{}` when the conversation is new. */
  state: Record<string, unknown>;
  raws: { ref: string; raw: unknown }[];
}

export interface ConversationWrite extends ConversationRef {
  state: unknown;
  raws: { ref: string; raw: unknown }[];
  dueAt: Date | null;
}

export interface InboundClaim {
  channelId: string;
  inboundKey: string;
  conversationKey: string | null;
}

export interface DueConversation extends LockedConversation {
  channelType: ChannelType;
  channelSettings: Record<string, unknown>;
  enabled: boolean;
}

export interface AmendRequest {
  sourceKey: string;
  text: string;
  refs: string[];
  location: { lat: number; lng: number; label: string | null } | null;
  /** Where the edit's raw original was appended, kept beside the submission's own raw. */
  editRaw: unknown;
  editedRef: string;
}

export interface AmendedSubmission {
  id: string;
  sourceKey: string;
  replayCount: number;
  previousStatus: SubmissionStatus;
}

export interface ConversationSubmission {
  id: string;
  sourceKey: string;
  status: SubmissionStatus;
  reason: string | null;
  referral: string | null;
  caseNumber: string | null;
  flags: string[];
}

const key = (r: ConversationRef) => `${r.channelId}\u0000${r.conversationKey}`;

/**
 * The only place that reads and writes conversation state. The batch methods take the transaction's
 * EntityManager: one transaction per batch of deliveries, many conversations in each statement.
 */
export class ConversationRepository {
  constructor(private readonly ds: DataSource) {}

  /** Runs a batch in one transaction, again when it lost a deadlock to another process. */
  inTransaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return retryOnConflict(() => this.ds.transaction(fn));
  }

  /**
   * Claims deliveries and locks the conversations they belong to in one round trip (the hot path of a busy
   * account). Returns the repeats (with the answer given the first time) and the locked states.
   */
  async claimAndLock(em: EntityManager, claims: InboundClaim[], refs: ConversationRef[]): Promise<{ repeats: Map<string, string | null>; states: Map<string, LockedConversation> }> {
    const sortedClaims = claims.map((c) => ({ c, k: `${c.channelId}|${c.inboundKey}` })).sort((a, b) => cmp(a.k, b.k)).map((x) => x.c);
    const unique = [...new Map(refs.map((r) => [key(r), r]))].sort((a, b) => cmp(a[0], b[0])).map((x) => x[1]);
    const rows = await preparedQuery<{ kind: 'i' | 's'; channel_id: string; k: string; state: Record<string, unknown> | null; raws: { ref: string; raw: unknown }[] | null }>(
      em,
      'conversation_claim_lock',
      `WITH ins AS (
         INSERT INTO conversation_inbound (channel_id, inbound_key, conversation_key)
         SELECT v.channel_id, v.inbound_key, v.conversation_key
           FROM jsonb_to_recordset($1::jsonb) AS v(channel_id uuid, inbound_key text, conversation_key text)
         ON CONFLICT ON CONSTRAINT pk_conversation_inbound DO NOTHING
         RETURNING channel_id, inbound_key),
       st AS (
         INSERT INTO conversation_states AS s (channel_id, conversation_key)
         SELECT v.channel_id, v.conversation_key FROM jsonb_to_recordset($2::jsonb) AS v(channel_id uuid, conversation_key text)
         ON CONFLICT ON CONSTRAINT pk_conversation_states DO UPDATE SET updated_at = s.updated_at
         RETURNING s.channel_id, s.conversation_key, s.state, s.raws)
       SELECT 'i' AS kind, channel_id, inbound_key AS k, NULL::jsonb AS state, NULL::jsonb AS raws FROM ins
       UNION ALL
       SELECT 's', channel_id, conversation_key, state, raws FROM st`,
      // Rows go in this order, which is the order their locks are taken in: sorted, as in every batch.
      [
        JSON.stringify(sortedClaims.map((c) => ({ channel_id: c.channelId, inbound_key: c.inboundKey, conversation_key: c.conversationKey }))),
        JSON.stringify(unique.map((r) => ({ channel_id: r.channelId, conversation_key: r.conversationKey }))),
      ],
    );
    const fresh = new Set<string>();
    const states = new Map<string, LockedConversation>();
    for (const r of rows) {
      if (r.kind === 'i') fresh.add(`${r.channel_id}|${r.k}`);
      else {
        const ref = { channelId: r.channel_id, conversationKey: r.k };
        states.set(key(ref), { ...ref, state: r.state ?? {}, raws: r.raws ?? [] });
      }
    }
    const repeats = new Map<string, string | null>();
    const old = sortedClaims.filter((c) => !fresh.has(`${c.channelId}|${c.inboundKey}`));
    if (old.length) {
      const found: { channel_id: string; inbound_key: string; reply: string | null }[] = await em.query(
        `SELECT i.channel_id, i.inbound_key, i.reply FROM conversation_inbound i
           JOIN unnest($1::uuid[], $2::text[]) AS v(channel_id, inbound_key) ON v.channel_id = i.channel_id AND v.inbound_key = i.inbound_key`,
        [old.map((c) => c.channelId), old.map((c) => c.inboundKey)],
      );
      for (const r of found) repeats.set(`${r.channel_id}|${r.inbound_key}`, r.reply);
      for (const c of old) if (!repeats.has(`${c.channelId}|${c.inboundKey}`)) repeats.set(`${c.channelId}|${c.inboundKey}`, null);
    }
    return { repeats, states };
  }

  /**
   * Writes the new conversation states and the answers given, in one round trip. Every row was claimed or
   * locked earlier in the transaction, so both inserts always take their conflict branch: written this way
   * each row is found through its primary key whatever the planner thinks of the batch, which keeps the
   * prepared statement's plan right at any table size. Rows travel as JSON documents, parsed once by
   * Postgres: no per-state text to escape into an array literal.
   */
  async saveBatch(em: EntityManager, states: ConversationWrite[], replies: { channelId: string; inboundKey: string; reply: string }[]): Promise<void> {
    if (states.length === 0 && replies.length === 0) return;
    await preparedQuery(
      em,
      'conversation_save',
      `WITH st AS (
         INSERT INTO conversation_states AS s (channel_id, conversation_key, state, raws, due_at)
         SELECT v.channel_id, v.conversation_key, v.state, v.raws, v.due_at
           FROM jsonb_to_recordset($1::jsonb) AS v(channel_id uuid, conversation_key text, state jsonb, raws jsonb, due_at timestamptz)
         ON CONFLICT ON CONSTRAINT pk_conversation_states DO UPDATE
           SET state = EXCLUDED.state, raws = EXCLUDED.raws, due_at = EXCLUDED.due_at, updated_at = now()
         RETURNING 1),
       rp AS (
         INSERT INTO conversation_inbound AS i (channel_id, inbound_key, reply)
         SELECT v.channel_id, v.inbound_key, v.reply FROM jsonb_to_recordset($2::jsonb) AS v(channel_id uuid, inbound_key text, reply text)
         ON CONFLICT ON CONSTRAINT pk_conversation_inbound DO UPDATE SET reply = EXCLUDED.reply
         RETURNING 1)
       SELECT (SELECT count(*) FROM st) AS states, (SELECT count(*) FROM rp) AS replies`,
      [
        JSON.stringify(
          states.map((r) => ({
            channel_id: r.channelId,
            conversation_key: r.conversationKey,
            state: r.state,
            raws: r.raws,
            due_at: r.dueAt ? r.dueAt.toISOString() : null,
          })),
        ),
        JSON.stringify(replies.map((r) => ({ channel_id: r.channelId, inbound_key: r.inboundKey, reply: r.reply }))),
      ],
    );
  }

  /** Writes conversation states (the quiet-period closer's batch). */
  async saveStates(em: EntityManager, rows: ConversationWrite[]): Promise<void> {
    await this.saveBatch(em, rows, []);
  }

  /** Conversations whose quiet period has ended, locked; those another process holds are skipped. */
  async claimDue(em: EntityManager, now: Date, limit: number): Promise<DueConversation[]> {
    const rows: {
      channel_id: string;
      conversation_key: string;
      state: Record<string, unknown>;
      raws: { ref: string; raw: unknown }[];
      type: ChannelType;
      settings: Record<string, unknown>;
      enabled: boolean;
    }[] = await em.query(
      `SELECT s.channel_id, s.conversation_key, s.state, s.raws, c.type, c.settings, c.enabled
         FROM conversation_states s JOIN channels c ON c.id = s.channel_id
        WHERE s.due_at IS NOT NULL AND s.due_at <= $1
        ORDER BY s.due_at
        LIMIT $2
        FOR UPDATE OF s SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    return rows.map((r) => ({
      channelId: r.channel_id,
      conversationKey: r.conversation_key,
      state: r.state,
      raws: r.raws,
      channelType: r.type,
      channelSettings: r.settings,
      enabled: r.enabled,
    }));
  }

  /**
   * Amends a recorded submission after its complainant edited a message: new text (and place), the edit
   * flagged, and the submission back to pending, detached from its case (unless an officer placed it there),
   * so judging and dedup run again. The case it was in is remembered: its features and index rows still hold
   * the old text until the judging that follows rebuilds them from its members.
   * The replay counter gives the new intake job a fresh id. Null when no such submission is recorded.
   */
  async amendSubmission(em: EntityManager, req: AmendRequest): Promise<AmendedSubmission | null> {
    const [target]: { id: string; case_id: string | null; status: SubmissionStatus; match: string | null; repeat_petition: boolean }[] = await em.query(
      `SELECT id, case_id, status, match, repeat_petition FROM submissions WHERE source_key = $1 FOR UPDATE`,
      [req.sourceKey],
    );
    if (!target) return null;
    // A member an officer placed stays in its case; any other is detached and matched again.
    const pinned = target.match === 'confirmed' || target.match === 'manual';
    if (target.case_id && !pinned) {
      await em.query(
        `UPDATE cases SET submission_count = GREATEST(submission_count - 1, 0),
                repeat_count = GREATEST(repeat_count - $2::int, 0), suggested_count = GREATEST(suggested_count - $3::int, 0), updated_at = now()
          WHERE id = $1`,
        [target.case_id, target.repeat_petition ? 1 : 0, target.match === 'suggested' ? 1 : 0],
      );
    }
    const location = req.location ? JSON.stringify({ lat: req.location.lat, lng: req.location.lng, label: req.location.label }) : null;
    const amendment = JSON.stringify({ ref: req.editedRef, at: new Date().toISOString(), raw: req.editRaw });
    const [rows]: [{ id: string; source_key: string; replay_count: number }[], number] = await em.query(
      `UPDATE submissions s SET
         payload = jsonb_set(
                     jsonb_set(
                       jsonb_set(
                         jsonb_set(s.payload, '{text}', to_jsonb($2::text)),
                         '{refs}', $3::jsonb),
                       '{flags}', (SELECT to_jsonb(ARRAY(SELECT DISTINCT x FROM unnest(ARRAY(SELECT jsonb_array_elements_text(COALESCE(s.payload->'flags', '[]'::jsonb))) || ARRAY['edited']) x)))),
                     '{extra,amendments}', COALESCE(s.payload->'extra'->'amendments', '[]'::jsonb) || jsonb_build_array($5::jsonb))
                   || CASE WHEN $4::jsonb IS NULL THEN '{}'::jsonb
                           ELSE jsonb_build_object('location', COALESCE(s.payload->'location', '{}'::jsonb) || $4::jsonb) END,
         refs = ARRAY(SELECT DISTINCT x FROM unnest(s.refs || ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) x),
         flags = ARRAY(SELECT DISTINCT x FROM unnest(s.flags || ARRAY['edited']) x),
         status = 'pending', reason = NULL, referral = NULL, judgement = NULL, division_code = NULL, division_level = NULL,
         division_candidates = '{}', category = NULL, categories = '{}',
         case_id = CASE WHEN s.match IN ('confirmed', 'manual') THEN s.case_id END, match = CASE WHEN s.match IN ('confirmed', 'manual') THEN s.match END,
         repeat_petition = s.match IN ('confirmed', 'manual') AND s.repeat_petition, dedup = NULL,
         amended_case_id = COALESCE(s.amended_case_id, s.case_id),
         processed_at = NULL, failed_at = NULL, last_error = NULL, replay_count = s.replay_count + 1
       WHERE s.id = $1
       RETURNING s.id, s.source_key, s.replay_count`,
      [target.id, req.text, JSON.stringify(req.refs), location, amendment],
    );
    const row = rows[0];
    return { id: row.id, sourceKey: row.source_key, replayCount: row.replay_count, previousStatus: target.status };
  }

  /** The submissions a conversation made, newest first, with their disposition (never anyone else's). */
  async submissionsOf(channelType: ChannelType, conversationKey: string, limit = 500): Promise<ConversationSubmission[]> {
    const rows: {
      id: string;
      source_key: string;
      status: SubmissionStatus;
      reason: string | null;
      referral: string | null;
      number: string | null;
      flags: string[];
    }[] = await this.ds.query(
      `SELECT s.id, s.source_key, s.status, s.reason, s.referral, c.number::text AS number, s.flags
         FROM submissions s LEFT JOIN cases c ON c.id = s.case_id
        WHERE s.channel_type = $1 AND s.channel_type IN ('telegram','wechat') AND s.payload->'extra'->>'conversationKey' = $2
        ORDER BY s.seq DESC LIMIT $3`,
      [channelType, conversationKey, limit],
    );
    return rows.map((r) => ({ id: r.id, sourceKey: r.source_key, status: r.status, reason: r.reason, referral: r.referral, caseNumber: r.number, flags: r.flags }));
  }

  /** Forgets deliveries older than the horizon: repeats come within seconds (WeChat) or hours (Telegram). */
  async pruneInbound(olderThan: Date, limit = 10_000): Promise<number> {
    const [, affected]: [unknown, number] = await this.ds.query(
      `DELETE FROM conversation_inbound WHERE ctid IN (SELECT ctid FROM conversation_inbound WHERE received_at < $1 LIMIT $2)`,
      [olderThan.toISOString(), limit],
    );
    return affected ?? 0;
  }

  /** Fills in (or refuses) one attachment of a recorded submission once its bytes are fetched. */
  async setAttachment(submissionId: string, index: number, patch: { blobKey?: string | null; sha256?: string | null; size?: number; contentType?: string; refused?: string | null }): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.ds.query(
      `UPDATE submissions SET payload = jsonb_set(payload, ARRAY['attachments', $2::text], (payload->'attachments'->$2::int) || $3::jsonb)
        WHERE id = $1 AND jsonb_array_length(payload->'attachments') > $2::int`,
      [submissionId, String(index), JSON.stringify(patch)],
    );
    return (affected ?? 0) > 0;
  }

  /** One attachment of a submission as recorded (for the media fetcher), with the channel it came through. */
  async attachmentOf(submissionId: string, index: number): Promise<{ channelId: string; attachment: Record<string, unknown> | null } | null> {
    const [row]: { channel_id: string; attachment: Record<string, unknown> | null }[] = await this.ds.query(
      `SELECT channel_id, payload->'attachments'->$2::int AS attachment FROM submissions WHERE id = $1`,
      [submissionId, index],
    );
    return row ? { channelId: row.channel_id, attachment: row.attachment } : null;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
