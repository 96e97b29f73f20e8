import type { EntityManager } from 'typeorm';
import { plainArray, preparedQuery } from './pg-prepared';

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
  /** Row version (xmin) when read without a lock; a write checks it. Null when the row is locked. */
  version?: string | null;
}

export interface CaseWrite extends CaseForMatching {
  /** True for a case opened by this batch (inserted), false for one that changed. */
  isNew: boolean;
}

/**
 * Index rows carry their case's latest report time only to within this slack: a row is moved forward once
 * it is this much behind, not on every report (a case with many reports would rewrite all its rows each
 * time). Probes widen their window by the same slack; the exact window is checked on the case's features.
 */
export const KEY_TIME_SLACK_MS = 7 * 86_400_000;

/**
 * At most this many cases per probe (a probe may ask for fewer), the most recently reported first. A key that many cases share says
 * little about which one a report belongs to (a problem word in a busy county, or a placeholder phone that
 * operators enter for callers who give none), and loading and scoring all of them would make one
 * submission's cost grow with the case store. The other keys of a true repeat still find its case.
 */
export const PROBE_CASES_PER_KEY = 64;

/** A case changed by another transaction between reading and writing it: the whole decision runs again. */
export class CaseChangedError extends Error {
  /** Postgres' serialization_failure, so retryOnConflict runs the transaction again. */
  readonly code = '40001';
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
  /** At most this many cases, the most recent (default PROBE_CASES_PER_KEY). */
  limit?: number;
}

export interface BlockLock {
  name: string;
  exclusive: boolean;
}

/**
 * SQL of the case index (case_keys) and of case rows for matching. Every method runs on the caller's
 * transaction: the lock, the probe, the decision and the writes must see one another.
 */
function caseOf(r: Record<string, unknown>): CaseForMatching {
  return {
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
    version: (r.version as string | undefined) ?? null,
  };
}

/** ISO strings of the probes' windows: a submission's probes (dozens) share one Date, formatted once. */
function isoTimes(times: Date[]): string[] {
  const memo = new Map<Date, string>();
  return times.map((t) => {
    let iso = memo.get(t);
    if (iso === undefined) memo.set(t, (iso = t.toISOString()));
    return iso;
  });
}

export class CaseIndexRepository {
  /**
   * Transaction-scoped advisory locks, taken in name order (the same order in every worker, so two
   * batches cannot wait on each other in a cycle).
   */
  async lock(em: EntityManager, locks: BlockLock[]): Promise<void> {
    const byName = new Map<string, boolean>();
    for (const l of locks) byName.set(l.name, (byName.get(l.name) ?? false) || l.exclusive);
    const names = [...byName.keys()].sort();
    if (!names.length) return;
    // One statement; its select list is evaluated left to right, so the locks are still taken in name order.
    const calls = names.map((name, i) => `${byName.get(name) ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared'}(hashtextextended($${i + 1}, 0))`);
    await em.query(`SELECT ${calls.join(', ')}`, names);
  }

  /**
   * Finds the cases whose keys answer the probes (one index descent per probe) and loads them with `alsoIds`,
   * in one statement. Rows are not locked: most candidates are only compared, never written. Each comes with
   * its row version, and `save` writes a case only if that version is unchanged (CaseChangedError otherwise).
   * `complainants` tells, per loaded case, which of `complainantKeys` its members already carry (repeat
   * petitions), read from the members' complainant keys however many there are.
   */
  async probeAndLoad(
    em: EntityManager,
    probes: CaseProbe[],
    alsoIds: string[] = [],
    complainantKeys: string[] = [],
  ): Promise<{ cases: CaseForMatching[]; hits: { i: number; caseId: string }[]; complainants: Map<string, string[]> }> {
    if (!probes.length && !alsoIds.length) return { cases: [], hits: [], complainants: new Map() };
    const rows = await preparedQuery<Record<string, unknown> & { found_by: number[] | null; complainants: string[] }>(
      em,
      'huiliu-case-probe',
      `WITH hits AS (
         SELECT DISTINCT p.i, k.case_id
           FROM unnest($1::int[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[], $7::int[]) AS p(i, key, lo, hi, since, lim)
           CROSS JOIN LATERAL (
             SELECT k.case_id FROM case_keys k
              WHERE k.key = p.key AND k.division BETWEEN p.lo AND p.hi AND k.last_at >= p.since
              ORDER BY k.last_at DESC LIMIT p.lim) k),
       found AS (SELECT case_id, array_agg(i) AS found_by FROM hits GROUP BY case_id),
       ids AS (SELECT case_id FROM found UNION SELECT unnest($6::uuid[])),
       -- Materialized so that it is read from the complainant index (one descent per key of the batch), not
       -- by walking every member of every loaded case.
       known AS MATERIALIZED (
         SELECT s.case_id, array_agg(DISTINCT s.complainant_key) AS keys
           FROM submissions s
          WHERE s.complainant_key = ANY($8::text[]) AND s.case_id IN (SELECT case_id FROM ids)
          GROUP BY s.case_id)
       SELECT c.id, c.status, c.features, c.division_code, c.division_level, c.category, c.title, c.submission_count, c.channel_types,
              c.first_reported_at, c.last_reported_at, c.repeat_count, c.suggested_count, c.xmin::text AS version,
              f.found_by, COALESCE(kn.keys, '{}') AS complainants
         FROM cases c LEFT JOIN found f ON f.case_id = c.id LEFT JOIN known kn ON kn.case_id = c.id
        WHERE c.id IN (SELECT case_id FROM ids)`,
      [
        plainArray(probes.map((p) => p.i)),
        plainArray(probes.map((p) => p.key)),
        plainArray(probes.map((p) => p.lo)),
        plainArray(probes.map((p) => p.hi)),
        plainArray(isoTimes(probes.map((p) => p.since))),
        plainArray([...new Set(alsoIds)]),
        plainArray(probes.map((p) => Math.min(p.limit ?? PROBE_CASES_PER_KEY, PROBE_CASES_PER_KEY))),
        [...new Set(complainantKeys)],
      ],
    );
    const hits: { i: number; caseId: string }[] = [];
    const complainants = new Map<string, string[]>();
    for (const r of rows) {
      for (const i of r.found_by ?? []) hits.push({ i, caseId: r.id as string });
      if (r.complainants.length) complainants.set(r.id as string, r.complainants);
    }
    return { cases: rows.map(caseOf), hits, complainants };
  }

  /**
   * Writes a batch's decisions in one statement: new cases inserted, changed ones updated, index rows added
   * (a key already there keeps the later report time and the more specific division), and the index rows of
   * a case that had a new report moved to that report's time when they lag it by more than the slack, so the
   * window counts from the case's latest report whichever member the key came from. The index rows may reference cases inserted
   * by the same statement: foreign keys are checked when the statement ends.
   */
  async save(em: EntityManager, cases: CaseWrite[], keyRows: CaseKeyRow[] = [], touched: { caseId: string; lastAt: Date }[] = []): Promise<void> {
    if (!cases.length && !keyRows.length && !touched.length) return;
    const unique = new Map<string, CaseKeyRow>();
    for (const r of keyRows) {
      const id = `${r.caseId}|${r.key}`;
      const prev = unique.get(id);
      if (!prev || r.lastAt > prev.lastAt) unique.set(id, r);
    }
    const keys = [...unique.values()];
    const fresh = cases.filter((c) => c.isNew);
    const changed = cases.filter((c) => !c.isNew);
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
      list.map((c) => c.version ?? null),
    ];
    const source = (o: number) => `unnest($${o + 1}::uuid[], $${o + 2}::text[], $${o + 3}::jsonb[], $${o + 4}::text[], $${o + 5}::text[], $${o + 6}::text[], $${o + 7}::text[], $${o + 8}::int[], $${o + 9}::jsonb[], $${o + 10}::timestamptz[], $${o + 11}::timestamptz[], $${o + 12}::int[], $${o + 13}::int[], $${o + 14}::text[])
                    AS v(id, status, features, dc, dl, cat, title, n, ch, first_at, last_at, repeats, suggested, version)`;
    const [{ updated }] = await preparedQuery<{ updated: number }>(
      em,
      'huiliu-case-save',
      `WITH inserted AS (
         INSERT INTO cases (id, status, features, division_code, division_level, category, title, submission_count, channel_types, first_reported_at, last_reported_at, repeat_count, suggested_count)
         SELECT v.id, v.status, v.features, v.dc, v.dl, v.cat, v.title, v.n, ARRAY(SELECT jsonb_array_elements_text(v.ch)), v.first_at, v.last_at, v.repeats, v.suggested
           FROM ${source(0)}
       ), updated AS (
         UPDATE cases c SET status = v.status, features = v.features, division_code = v.dc, division_level = v.dl, category = v.cat,
                title = v.title, submission_count = v.n, channel_types = ARRAY(SELECT jsonb_array_elements_text(v.ch)),
                first_reported_at = v.first_at, last_reported_at = v.last_at, repeat_count = v.repeats, suggested_count = v.suggested,
                updated_at = now()
           FROM ${source(14)}
          WHERE c.id = v.id AND (v.version IS NULL OR c.xmin::text = v.version)
      RETURNING c.id
       ), new_keys AS (
         SELECT * FROM unnest($29::uuid[], $30::bigint[], $31::int[], $32::timestamptz[]) AS n(case_id, key, division, last_at)
       ), added AS (
         INSERT INTO case_keys AS k (case_id, key, division, last_at)
         SELECT case_id, key, division, last_at FROM new_keys
         ON CONFLICT ON CONSTRAINT pk_case_keys DO UPDATE SET
           last_at = GREATEST(k.last_at, EXCLUDED.last_at),
           division = GREATEST(k.division, EXCLUDED.division)
         WHERE k.last_at < EXCLUDED.last_at - $35::int * interval '1 millisecond' OR k.division < EXCLUDED.division
       ), touched AS (
         UPDATE case_keys k SET last_at = t.last_at
           FROM unnest($33::uuid[], $34::timestamptz[]) AS t(case_id, last_at)
          WHERE k.case_id = t.case_id AND k.last_at < t.last_at - $35::int * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM new_keys n WHERE n.case_id = k.case_id AND n.key = k.key)
       )
       SELECT (SELECT count(*) FROM updated)::int AS updated`,
      [
        ...cols(fresh),
        ...cols(changed),
        plainArray(keys.map((r) => r.caseId)),
        plainArray(keys.map((r) => r.key)),
        plainArray(keys.map((r) => r.division)),
        plainArray(keys.map((r) => r.lastAt.toISOString())),
        plainArray(touched.map((t) => t.caseId)),
        plainArray(touched.map((t) => t.lastAt.toISOString())),
        KEY_TIME_SLACK_MS,
      ],
    );
    if (updated !== changed.length) throw new CaseChangedError(`${changed.length - updated} case(s) changed while this decision was made`);
  }

  /** Drops a case's index rows (merged away or left empty): it can no longer attract reports. */
  async dropKeys(em: EntityManager, caseIds: string[]): Promise<void> {
    if (caseIds.length) await em.query(`DELETE FROM case_keys WHERE case_id = ANY($1::uuid[])`, [caseIds]);
  }
}
