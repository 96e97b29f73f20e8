import type { EntityManager } from 'typeorm';

/** A case as the dedup stage reads and writes it, inside the judging transaction. */
export interface CaseForMatching {
  id: string;
  status: string;
  features: Record<string, unknown> | null;
  divisionCode: string | null;
  divisionLevel: string | null;
  category: string | null;
  title: string | null;
  submissionCount: number;
  channelTypes: string[];
  firstReportedAt: Date | null;
  lastReportedAt: Date | null;
  repeatCount: number;
  suggestedCount: number;
}

export interface CaseWrite extends CaseForMatching {
  /** True for a case opened by this batch (inserted), false for one that changed. */
  isNew: boolean;
}

export interface CaseKeyRow {
  caseId: string;
  key: string;
  division: number;
  lastAt: Date;
}

export interface CaseProbe {
  /** The caller's index of the submission the probe is for. */
  i: number;
  key: string;
  lo: number;
  hi: number;
  /** Only cases reported at or after this time (the matching window). */
  since: Date;
}

export interface BlockLock {
  name: string;
  exclusive: boolean;
}

/**
 * SQL of the case index (case_keys) and of case rows for matching. Every method runs on the caller's
 * transaction: the lock, the probe, the decision and the writes must see one another.
 */
export class CaseIndexRepository {
  /**
   * Transaction-scoped advisory locks, taken in name order (the same order in every worker, so two
   * batches cannot wait on each other in a cycle).
   */
  async lock(em: EntityManager, locks: BlockLock[]): Promise<void> {
    const byName = new Map<string, boolean>();
    for (const l of locks) byName.set(l.name, (byName.get(l.name) ?? false) || l.exclusive);
    for (const name of [...byName.keys()].sort()) {
      const fn = byName.get(name) ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
      await em.query(`SELECT ${fn}(hashtextextended($1, 0))`, [name]);
    }
  }

  /** Cases whose keys answer the probes: one statement for the whole batch, one index descent per probe. */
  async probe(em: EntityManager, probes: CaseProbe[]): Promise<{ i: number; caseId: string }[]> {
    if (!probes.length) return [];
    const rows: { i: number; case_id: string }[] = await em.query(
      `SELECT DISTINCT p.i, k.case_id
         FROM unnest($1::int[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[]) AS p(i, key, lo, hi, since)
         JOIN case_keys k ON k.key = p.key AND k.division BETWEEN p.lo AND p.hi AND k.last_at >= p.since`,
      [probes.map((p) => p.i), probes.map((p) => p.key), probes.map((p) => p.lo), probes.map((p) => p.hi), probes.map((p) => p.since.toISOString())],
    );
    return rows.map((r) => ({ i: r.i, caseId: r.case_id }));
  }

  /**
   * Loads cases and locks their rows, in id order. A case that another transaction is changing is read
   * after that transaction commits, so its features are never stale when a member is added.
   */
  async loadForUpdate(em: EntityManager, ids: string[]): Promise<CaseForMatching[]> {
    if (!ids.length) return [];
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT id, status, features, division_code, division_level, category, title, submission_count, channel_types,
              first_reported_at, last_reported_at, repeat_count, suggested_count
         FROM cases WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [[...new Set(ids)]],
    );
    return rows.map((r) => ({
      id: r.id as string,
      status: r.status as string,
      features: r.features as Record<string, unknown> | null,
      divisionCode: r.division_code as string | null,
      divisionLevel: r.division_level as string | null,
      category: r.category as string | null,
      title: r.title as string | null,
      submissionCount: r.submission_count as number,
      channelTypes: r.channel_types as string[],
      firstReportedAt: r.first_reported_at as Date | null,
      lastReportedAt: r.last_reported_at as Date | null,
      repeatCount: r.repeat_count as number,
      suggestedCount: r.suggested_count as number,
    }));
  }

  /** Inserts the new cases and updates the changed ones, each kind in one statement. */
  async write(em: EntityManager, cases: CaseWrite[]): Promise<void> {
    const cols = (list: CaseWrite[]) => [
      list.map((c) => c.id),
      list.map((c) => c.status),
      list.map((c) => JSON.stringify(c.features)),
      list.map((c) => c.divisionCode),
      list.map((c) => c.divisionLevel),
      list.map((c) => c.category),
      list.map((c) => c.title),
      list.map((c) => c.submissionCount),
      list.map((c) => JSON.stringify(c.channelTypes)),
      list.map((c) => c.firstReportedAt?.toISOString() ?? null),
      list.map((c) => c.lastReportedAt?.toISOString() ?? null),
      list.map((c) => c.repeatCount),
      list.map((c) => c.suggestedCount),
    ];
    const source = `unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::jsonb[], $10::timestamptz[], $11::timestamptz[], $12::int[], $13::int[])
                    AS v(id, status, features, dc, dl, cat, title, n, ch, first_at, last_at, repeats, suggested)`;
    const fresh = cases.filter((c) => c.isNew);
    if (fresh.length) {
      await em.query(
        `INSERT INTO cases (id, status, features, division_code, division_level, category, title, submission_count, channel_types, first_reported_at, last_reported_at, repeat_count, suggested_count)
         SELECT v.id, v.status, v.features, v.dc, v.dl, v.cat, v.title, v.n, ARRAY(SELECT jsonb_array_elements_text(v.ch)), v.first_at, v.last_at, v.repeats, v.suggested
           FROM ${source}`,
        cols(fresh),
      );
    }
    const changed = cases.filter((c) => !c.isNew);
    if (changed.length) {
      await em.query(
        `UPDATE cases c SET status = v.status, features = v.features, division_code = v.dc, division_level = v.dl, category = v.cat,
                title = v.title, submission_count = v.n, channel_types = ARRAY(SELECT jsonb_array_elements_text(v.ch)),
                first_reported_at = v.first_at, last_reported_at = v.last_at, repeat_count = v.repeats, suggested_count = v.suggested,
                updated_at = now()
           FROM ${source}
          WHERE c.id = v.id`,
        cols(changed),
      );
    }
  }

  /**
   * Adds index rows (a key already there keeps the later report time and the more specific division) and
   * moves every row of a case that had a new report to that report's time, so the window counts from the
   * case's latest report whichever member the key came from.
   */
  async addKeys(em: EntityManager, rows: CaseKeyRow[], touched: { caseId: string; lastAt: Date }[] = []): Promise<void> {
    if (rows.length) {
      const unique = new Map<string, CaseKeyRow>();
      for (const r of rows) {
        const id = `${r.caseId}|${r.key}`;
        const prev = unique.get(id);
        if (!prev || r.lastAt > prev.lastAt) unique.set(id, r);
      }
      const list = [...unique.values()];
      await em.query(
        `INSERT INTO case_keys AS k (case_id, key, division, last_at)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::timestamptz[])
         ON CONFLICT ON CONSTRAINT pk_case_keys DO UPDATE SET
           last_at = GREATEST(k.last_at, EXCLUDED.last_at),
           division = GREATEST(k.division, EXCLUDED.division)`,
        [list.map((r) => r.caseId), list.map((r) => r.key), list.map((r) => r.division), list.map((r) => r.lastAt.toISOString())],
      );
    }
    if (touched.length) {
      await em.query(
        `UPDATE case_keys k SET last_at = v.last_at
           FROM unnest($1::uuid[], $2::timestamptz[]) AS v(case_id, last_at)
          WHERE k.case_id = v.case_id AND k.last_at < v.last_at`,
        [touched.map((t) => t.caseId), touched.map((t) => t.lastAt.toISOString())],
      );
    }
  }

  /** Drops a case's index rows (merged away or left empty): it can no longer attract reports. */
  async dropKeys(em: EntityManager, caseIds: string[]): Promise<void> {
    if (caseIds.length) await em.query(`DELETE FROM case_keys WHERE case_id = ANY($1::uuid[])`, [caseIds]);
  }
}
