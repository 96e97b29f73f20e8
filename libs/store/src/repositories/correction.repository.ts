import type { DataSource } from 'typeorm';
import type { Judgement } from '@huiliu/contracts';

export type CorrectedField = 'status' | 'category' | 'division' | 'referral';

export interface Correction {
  id: string;
  submissionId: string;
  field: CorrectedField;
  value: unknown;
  previous: unknown;
  reason: string | null;
  correctedBy: string;
  correctedAt: Date;
}

interface Row {
  id: string;
  submission_id: string;
  field: CorrectedField;
  value: unknown;
  previous: unknown;
  reason: string | null;
  corrected_by: string;
  corrected_at: Date;
}

const toCorrection = (r: Row): Correction => ({
  id: r.id,
  submissionId: r.submission_id,
  field: r.field,
  value: r.value,
  previous: r.previous,
  reason: r.reason,
  correctedBy: r.corrected_by,
  correctedAt: r.corrected_at,
});

/**
 * An officer's correction wins over the pipeline for that field, now and in every later re-run:
 * `overlay` applies the latest correction per field on top of a fresh judgement.
 */
export function overlayCorrections(j: Judgement, corrections: Correction[]): Judgement {
  const latest = new Map<CorrectedField, Correction>();
  for (const c of [...corrections].sort((a, b) => a.correctedAt.getTime() - b.correctedAt.getTime())) latest.set(c.field, c);
  const out: Judgement = { validity: { ...j.validity }, division: { ...j.division }, category: { ...j.category } };
  const note = (c: Correction) => ({ stage: 'validate' as const, rule: 'officer_correction', detail: `${c.field} set by ${c.correctedBy} at ${c.correctedAt.toISOString()}${c.reason ? `: ${c.reason}` : ''}` });
  for (const c of latest.values()) {
    if (c.field === 'status') out.validity = { ...out.validity, status: c.value as Judgement['validity']['status'], reasons: [...out.validity.reasons, note(c)] };
    if (c.field === 'referral') out.validity = { ...out.validity, referral: c.value as string | null, reasons: [...out.validity.reasons, note(c)] };
    if (c.field === 'category') {
      const cat = c.value as Judgement['category']['primary'];
      out.category = { categories: cat ? [cat, ...out.category.categories.filter((x) => x !== cat)] : [], primary: cat, reasons: [...out.category.reasons, { ...note(c), stage: 'classify' }] };
    }
    if (c.field === 'division') {
      const v = c.value as { code: string | null; level: Judgement['division']['level'] };
      out.division = { ...out.division, code: v.code, level: v.level, candidates: [], reasons: [...out.division.reasons, { ...note(c), stage: 'locate' }] };
    }
  }
  return out;
}

export class CorrectionRepository {
  constructor(private readonly ds: DataSource) {}

  async add(c: Omit<Correction, 'id' | 'correctedAt'>): Promise<Correction> {
    const [row]: Row[] = await this.ds.query(
      `INSERT INTO corrections (submission_id, field, value, previous, reason, corrected_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [c.submissionId, c.field, JSON.stringify(c.value ?? null), JSON.stringify(c.previous ?? null), c.reason, c.correctedBy],
    );
    return toCorrection(row);
  }

  async forSubmissions(ids: string[]): Promise<Map<string, Correction[]>> {
    const rows: Row[] = ids.length ? await this.ds.query(`SELECT * FROM corrections WHERE submission_id = ANY($1::uuid[]) ORDER BY corrected_at`, [ids]) : [];
    const out = new Map<string, Correction[]>();
    for (const r of rows) out.set(r.submission_id, [...(out.get(r.submission_id) ?? []), toCorrection(r)]);
    return out;
  }
}
