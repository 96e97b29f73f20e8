import type { DataSource, EntityManager } from 'typeorm';
import type { ChannelType, Complainant, Judgement, RawRef, Submission, SubmissionStatus } from '@huiliu/contracts';
import { SubmissionEntity } from '../entities/submission.entity';
import { retryOnConflict } from './pg-errors';
import { preparedQuery } from './pg-prepared';

export interface NewSubmissionRow {
  sourceKey: string;
  channelType: ChannelType;
  channelId: string;
  submission: Submission;
  raw: RawRef;
}

export interface RecordedSubmission {
  id: string;
  sourceKey: string;
  /** False when the source key was already recorded (a redelivery): the existing id is returned. */
  created: boolean;
  status: SubmissionStatus;
}

export interface SubmissionForJudging {
  id: string;
  sourceKey: string;
  channelType: ChannelType;
  status: SubmissionStatus;
  submission: Submission;
  receivedAt: Date;
  channelHomeDivision: string | null;
}

export interface DispositionWrite {
  id: string;
  judgement: Judgement;
  /** HMAC key of the complainant's phone, e-mail or handle (never the value), kept to recognise repeats. */
  complainantKey?: string | null;
}

/** Where the dedup stage put an accepted submission. */
export interface CaseDecision {
  caseId: string;
  match: 'new' | 'auto' | 'suggested' | 'confirmed' | 'manual';
  repeatPetition: boolean;
  dedup: { decision: string; score: number; reasons: string[]; candidates: number };
}

/** A submission an officer placed in a case by hand: re-runs keep it there. */
export interface PinnedPlacement {
  caseId: string;
  match: 'confirmed' | 'manual';
  /** As decided when it joined: a re-run must not count the member as its own repeat. */
  repeatPetition: boolean;
}

/**
 * The dedup stage, called inside the disposition transaction with the accepted submissions still
 * pending (and the case each is pinned to, if any); it writes cases and returns each one's place.
 */
export type CaseDecider = (em: EntityManager, accepted: { id: string; pinned: PinnedPlacement | null }[]) => Promise<Map<string, CaseDecision>>;

/**
 * Rebuilds cases from their members, inside the disposition transaction after the batch's submissions are
 * written: the cases amended submissions were in, whose features and index rows still carry the old text.
 */
export type CaseRebuilder = (em: EntityManager, caseIds: string[]) => Promise<void>;

export interface DispositionResult {
  id: string;
  status: SubmissionStatus;
  caseId: string | null;
  match: string | null;
  /** False when the submission had already been judged (a job that ran twice): nothing was changed. */
  applied: boolean;
}

/** The only place that reads and writes submission rows. Hot paths are multi-row statements. */
export class SubmissionRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records many submissions in one statement. Idempotent by source key: a key already present keeps its
   * row and its id is returned with created=false. With `em`, inside that transaction, as a statement
   * prepared on its connection (chat batches record their drafts this way, batch after batch).
   */
  async insertMany(rows: NewSubmissionRow[], em?: EntityManager): Promise<RecordedSubmission[]> {
    if (rows.length === 0) return [];
    // The batch travels as one JSON document that Postgres parses once, the submission as it is (the statement
    // splits off the complainant): no copy of each submission and no escaping of each into an array literal.
    const document = JSON.stringify(
      rows.map((r) => ({ k: r.sourceKey, t: r.channelType, c: r.channelId, refs: uniq([r.submission.ref, ...r.submission.refs]), p: r.submission, raw: r.raw })),
    );
    const sql = `INSERT INTO submissions (source_key, channel_type, channel_id, ref, refs, schema_version, payload, complainant, raw, flags)
       SELECT r->>'k', r->>'t', (r->>'c')::uuid, r->'p'->>'ref', ARRAY(SELECT jsonb_array_elements_text(r->'refs')), (r->'p'->>'schemaVersion')::int,
              (r->'p') - 'complainant', r->'p'->'complainant', r->'raw', ARRAY(SELECT jsonb_array_elements_text(r->'p'->'flags'))
         FROM jsonb_array_elements($1::jsonb) AS r
       ON CONFLICT ON CONSTRAINT uq_submissions_source_key DO NOTHING
       RETURNING id, source_key`;
    const inserted: { id: string; source_key: string }[] = em ? await preparedQuery(em, 'submissions_insert', sql, [document]) : await this.ds.query(sql, [document]);
    return matchRecorded(em ?? this.ds, rows.map((r) => r.sourceKey), inserted);
  }

  async findById(id: string): Promise<SubmissionEntity | null> {
    if (!isUuid(id)) return null;
    return this.ds.getRepository(SubmissionEntity).findOne({ where: { id } });
  }

  async loadForJudging(ids: string[]): Promise<SubmissionForJudging[]> {
    const rows: {
      id: string;
      source_key: string;
      channel_type: ChannelType;
      status: SubmissionStatus;
      payload: Omit<Submission, 'complainant'>;
      complainant: Complainant;
      received_at: Date;
      home_division: string | null;
    }[] = await this.ds.query(
      `SELECT s.id, s.source_key, s.channel_type, s.status, s.payload, s.complainant, s.received_at, c.home_division
         FROM submissions s JOIN channels c ON c.id = s.channel_id
        WHERE s.id = ANY($1::uuid[])`,
      [ids.filter(isUuid)],
    );
    return rows.map((r) => ({
      id: r.id,
      sourceKey: r.source_key,
      channelType: r.channel_type,
      status: r.status,
      submission: { ...r.payload, complainant: r.complainant } as Submission,
      receivedAt: r.received_at,
      channelHomeDivision: r.home_division,
    }));
  }

  /**
   * Writes dispositions for a batch in one transaction. Only rows still pending are changed (a job that runs
   * twice changes nothing the second time); the accepted ones get their case from `decideCases`, which runs
   * in the same transaction, so the case and the submission's place in it commit together. An amended
   * submission's earlier case is handed to `rebuildCases` once the batch is written, wherever the new text
   * placed it (another case, the same one, or none when it is no longer accepted).
   */
  async applyDispositions(writes: DispositionWrite[], decideCases: CaseDecider, rebuildCases: CaseRebuilder): Promise<DispositionResult[]> {
    if (writes.length === 0) return [];
    return retryOnConflict(() => this.ds.transaction((em) => this.applyInTransaction(em, writes, decideCases, rebuildCases)));
  }

  private async applyInTransaction(em: EntityManager, writes: DispositionWrite[], decideCases: CaseDecider, rebuildCases: CaseRebuilder): Promise<DispositionResult[]> {
    const ids = writes.map((w) => w.id).sort();
    const pendingRows: { id: string; case_id: string | null; match: string | null; repeat_petition: boolean; amended_case_id: string | null }[] = await em.query(
      `SELECT id, case_id, match, repeat_petition, amended_case_id FROM submissions WHERE id = ANY($1::uuid[]) AND status = 'pending' ORDER BY id FOR UPDATE`,
      [ids],
    );
    const pending = new Map(pendingRows.map((r) => [r.id, r]));
    const todo = writes.filter((w) => pending.has(w.id));
    const accepted = todo
      .filter((w) => w.judgement.validity.status === 'accepted')
      .map((w) => {
        const row = pending.get(w.id)!;
        const pinned: PinnedPlacement | null = row.case_id && (row.match === 'confirmed' || row.match === 'manual') ? { caseId: row.case_id, match: row.match, repeatPetition: row.repeat_petition } : null;
        return { id: w.id, pinned };
      });
    const decisions = accepted.length ? await decideCases(em, accepted) : new Map<string, CaseDecision>();

    const results: DispositionResult[] = [];
    // One JSON document for the whole batch: the driver would otherwise quote and escape every element of
    // sixteen arrays, the judgements (already JSON) a second time.
    const rows: Record<string, unknown>[] = [];
    for (const w of todo) {
      const j = w.judgement;
      const d = decisions.get(w.id);
      rows.push({
        id: w.id,
        status: j.validity.status,
        reason: j.validity.reason,
        referral: j.validity.referral,
        flags: uniq([...j.validity.flags, ...j.division.flags]),
        judgement: j,
        dc: j.division.code,
        dl: j.division.level,
        cand: j.division.candidates,
        cat: j.category.primary,
        cats: j.category.categories,
        case_id: d?.caseId ?? null,
        match: d?.match ?? null,
        ckey: w.complainantKey ?? null,
        repeat: d?.repeatPetition ?? false,
        dedup: d ? d.dedup : null,
      });
      results.push({ id: w.id, status: j.validity.status, caseId: d?.caseId ?? null, match: d?.match ?? null, applied: true });
    }
    if (rows.length) {
      await preparedQuery(
        em,
        'huiliu-dispositions',
        `UPDATE submissions s SET
           status = v.status, reason = v.reason, referral = v.referral,
           flags = ARRAY(SELECT DISTINCT x FROM unnest(s.flags || ARRAY(SELECT jsonb_array_elements_text(v.flags))) x),
           judgement = v.judgement, division_code = v.dc, division_level = v.dl,
           division_candidates = ARRAY(SELECT jsonb_array_elements_text(v.cand)),
           category = v.cat, categories = ARRAY(SELECT jsonb_array_elements_text(v.cats)),
           case_id = v.case_id, match = v.match, complainant_key = v.ckey, repeat_petition = v.repeat, dedup = v.dedup, amended_case_id = NULL,
           processed_at = now(), failed_at = NULL, last_error = NULL
         FROM jsonb_to_recordset($1::jsonb)
              AS v(id uuid, status text, reason text, referral text, flags jsonb, judgement jsonb, dc text, dl text, cand jsonb, cat text, cats jsonb,
                   case_id uuid, match text, ckey text, repeat bool, dedup jsonb)
        WHERE s.id = v.id`,
        [JSON.stringify(rows)],
      );
    }
    const amendedCases = [...new Set(todo.flatMap((w) => pending.get(w.id)!.amended_case_id ?? []))];
    if (amendedCases.length) await rebuildCases(em, amendedCases);
    for (const w of writes) {
      if (!pending.has(w.id)) results.push({ id: w.id, status: 'pending', caseId: null, match: null, applied: false });
    }
    return results;
  }

  /**
   * Replaces a judged submission's disposition fields (a correction, or a re-run of the rules). Case
   * membership is left as it is: moving between cases is the dedup stage's decision.
   */
  async updateJudgement(id: string, j: Judgement): Promise<void> {
    await this.ds.query(
      `UPDATE submissions SET status = $2, reason = $3, referral = $4, judgement = $5, division_code = $6, division_level = $7,
              division_candidates = $8::text[], category = $9, categories = $10::text[]
        WHERE id = $1 AND status <> 'pending'`,
      [id, j.validity.status, j.validity.reason, j.validity.referral, JSON.stringify(j), j.division.code, j.division.level, j.division.candidates, j.category.primary, j.category.categories],
    );
  }

  /** Judged submissions received since a date, in recording order, a page at a time (for rejudge). */
  async *judgedSince(since: Date | null, pageSize = 1000): AsyncGenerator<SubmissionEntity[]> {
    let after = '0';
    for (;;) {
      const qb = this.ds.getRepository(SubmissionEntity).createQueryBuilder('s').where('s.seq > :after', { after }).andWhere(`s.status <> 'pending'`);
      if (since) qb.andWhere('s.received_at >= :since', { since });
      const page = await qb.orderBy('s.seq', 'ASC').take(pageSize).getMany();
      if (!page.length) return;
      yield page;
      after = page[page.length - 1].seq;
    }
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.ds.query(`UPDATE submissions SET failed_at = now(), last_error = $2 WHERE id = $1 AND status = 'pending'`, [id, error.slice(0, 2000)]);
  }

  /** Recorded but unfinished submissions older than the given age, not parked as failed: the sweeper's list. */
  async findStalePending(olderThanMs: number, limit: number): Promise<{ id: string; sourceKey: string; replayCount: number }[]> {
    const rows: { id: string; source_key: string; replay_count: number }[] = await this.ds.query(
      `SELECT id, source_key, replay_count FROM submissions
        WHERE status = 'pending' AND failed_at IS NULL AND received_at < now() - ($1::int * interval '1 millisecond')
        ORDER BY received_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => ({ id: r.id, sourceKey: r.source_key, replayCount: r.replay_count }));
  }

  /** Every unfinished submission (failed ones included) for an operator's replay; bumps the replay counter. */
  async claimForReplay(limit: number): Promise<{ id: string; sourceKey: string; replayCount: number }[]> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ id: string; source_key: string; replay_count: number }[], number] = await this.ds.query(
      `UPDATE submissions SET replay_count = replay_count + 1, failed_at = NULL
        WHERE id IN (SELECT id FROM submissions WHERE status = 'pending' ORDER BY received_at LIMIT $1)
        RETURNING id, source_key, replay_count`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, sourceKey: r.source_key, replayCount: r.replay_count }));
  }

  /** Recorded submissions not yet judged, leaving out those parked as failed. */
  async countUnfinished(): Promise<number> {
    const [r] = await this.ds.query(`SELECT count(*)::int AS n FROM submissions WHERE status = 'pending' AND failed_at IS NULL`);
    return r.n;
  }

  /** Streams export rows in recording order, in pages, so a large store is exported in constant memory. */
  async *exportRows(pageSize = 2000): AsyncGenerator<SubmissionEntity[]> {
    let after = '0';
    for (;;) {
      const page: SubmissionEntity[] = await this.ds
        .getRepository(SubmissionEntity)
        .createQueryBuilder('s')
        .where('s.seq > :after', { after })
        .orderBy('s.seq', 'ASC')
        .take(pageSize)
        .getMany();
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].seq;
    }
  }
}

/**
 * Pairs each requested source key (in request order) with its row after an `INSERT … ON CONFLICT DO
 * NOTHING RETURNING id, source_key`: keys not returned were already recorded and are looked up. A key
 * repeated inside one batch counts as created once; its other occurrences are redeliveries.
 */
export async function matchRecorded(ds: DataSource | EntityManager, sourceKeys: string[], inserted: { id: string; source_key: string }[]): Promise<RecordedSubmission[]> {
  const byKey = new Map<string, RecordedSubmission>();
  for (const r of inserted) byKey.set(r.source_key, { id: r.id, sourceKey: r.source_key, created: true, status: 'pending' });
  const missing = uniq(sourceKeys.filter((k) => !byKey.has(k)));
  if (missing.length) {
    const existing: { id: string; source_key: string; status: SubmissionStatus }[] = await ds.query(
      `SELECT id, source_key, status FROM submissions WHERE source_key = ANY($1::text[])`,
      [missing],
    );
    for (const r of existing) byKey.set(r.source_key, { id: r.id, sourceKey: r.source_key, created: false, status: r.status });
  }
  const seen = new Set<string>();
  return sourceKeys.map((key) => {
    const rec = byKey.get(key);
    if (!rec) throw new Error(`submission ${key} neither inserted nor found`);
    const first = !seen.has(key);
    seen.add(key);
    return { ...rec, created: rec.created && first };
  });
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
