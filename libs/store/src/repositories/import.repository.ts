import type { DataSource } from 'typeorm';
import type { ChannelType } from '@huiliu/contracts';
import { ImportEntity, type ImportRejection, type ImportStatus } from '../entities/import.entity';
import { isUuid, matchRecorded, type NewSubmissionRow, type RecordedSubmission } from './submission.repository';

export interface NewImport {
  channelId: string;
  channelType: ChannelType;
  fileBlobKey: string;
  fileName: string;
  fileSize: number;
  contentType: string | null;
  origin: 'api' | 'cli';
}

export interface ImportCounters {
  rowsRead: number;
  recorded: number;
  duplicates: number;
  rejected: number;
}

/** A submission found by a letter identity (sender + date + scan file names). */
export interface IdentityHolder {
  id: string;
  sourceKey: string;
  identity: string;
}

/**
 * One imported row as the JSON document insertDocument reads (source key, channel, ref and refs, payload,
 * complainant, raw pointer, flags).
 */
export function importRowJson(r: NewSubmissionRow): string {
  const { ref, refs } = r.submission;
  // The submission goes as it is (the statement splits off the complainant): copying it without that key
  // first cost as much as encoding it.
  const allRefs = refs.length === 1 && refs[0] === ref ? refs : [...new Set([ref, ...refs])];
  return JSON.stringify({ k: r.sourceKey, t: r.channelType, c: r.channelId, refs: allRefs, p: r.submission, raw: r.raw });
}

/** The imports table, and the submission look-ups the import path needs (folding a letter registered twice). */
export class ImportRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ImportEntity);
  }

  async create(input: NewImport): Promise<ImportEntity> {
    const [row]: { id: string }[] = await this.ds.query(
      `INSERT INTO imports (channel_id, channel_type, file_blob_key, file_name, file_size, content_type, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [input.channelId, input.channelType, input.fileBlobKey, input.fileName, input.fileSize, input.contentType, input.origin],
    );
    return (await this.findById(row.id))!;
  }

  findById(id: string): Promise<ImportEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.repo.findOne({ where: { id } });
  }

  /** Marks the import running from scratch (a job that runs again after a crash recounts everything). */
  async start(id: string): Promise<void> {
    await this.ds.query(
      `UPDATE imports SET status = 'running', started_at = now(), finished_at = NULL, error = NULL,
              rows_read = 0, recorded = 0, duplicates = 0, rejected = 0, rejections = '[]'::jsonb, updated_at = now()
        WHERE id = $1`,
      [id],
    );
  }

  /** Progress while running; the rejections sample is written only when it changed. */
  async progress(id: string, c: ImportCounters, rejections: ImportRejection[] | null, facts?: Record<string, unknown>): Promise<void> {
    await this.ds.query(
      `UPDATE imports SET rows_read = $2, recorded = $3, duplicates = $4, rejected = $5,
              rejections = COALESCE($6::jsonb, rejections), facts = COALESCE($7::jsonb, facts), updated_at = now()
        WHERE id = $1`,
      [id, c.rowsRead, c.recorded, c.duplicates, c.rejected, rejections ? JSON.stringify(rejections) : null, facts ? JSON.stringify(facts) : null],
    );
  }

  async finish(id: string, status: Extract<ImportStatus, 'done' | 'failed'>, c: ImportCounters, rejections: ImportRejection[], facts: Record<string, unknown>, error: string | null): Promise<void> {
    await this.ds.query(
      `UPDATE imports SET status = $2, rows_read = $3, recorded = $4, duplicates = $5, rejected = $6,
              rejections = $7::jsonb, facts = $8::jsonb, error = $9, finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, status, c.rowsRead, c.recorded, c.duplicates, c.rejected, JSON.stringify(rejections), JSON.stringify(facts), error],
    );
  }

  /**
   * Records a batch of imported rows in one statement, with the same meaning as SubmissionRepository.insertMany
   * (idempotent by source key; a key already present returns its id with created=false).
   */
  async insertRows(rows: NewSubmissionRow[]): Promise<RecordedSubmission[]> {
    if (rows.length === 0) return [];
    return this.insertDocument(rows.map((r) => r.sourceKey), Buffer.from(`[${rows.map(importRowJson).join(',')}]`));
  }

  /**
   * insertRows over a batch already encoded: `document` is the UTF-8 JSON array of the rows' importRowJson, in
   * the order of `sourceKeys`. It travels as one bytea parameter, so an importer can keep a batch as bytes
   * outside the JS heap while it waits for its statement; Postgres parses it as one jsonb array (no per-column
   * array-literal escaping, which is where a bulk import spent its CPU).
   */
  async insertDocument(sourceKeys: string[], document: Buffer): Promise<RecordedSubmission[]> {
    if (sourceKeys.length === 0) return [];
    const inserted: { id: string; source_key: string }[] = await this.ds.query(
      `INSERT INTO submissions (source_key, channel_type, channel_id, ref, refs, schema_version, payload, complainant, raw, flags)
       SELECT r->>'k', r->>'t', (r->>'c')::uuid, r->'p'->>'ref', ARRAY(SELECT jsonb_array_elements_text(r->'refs')), (r->'p'->>'schemaVersion')::int,
              (r->'p') - 'complainant', r->'p'->'complainant', r->'raw', ARRAY(SELECT jsonb_array_elements_text(r->'p'->'flags'))
         FROM jsonb_array_elements(convert_from($1::bytea, 'UTF8')::jsonb) AS r
       ON CONFLICT ON CONSTRAINT uq_submissions_source_key DO NOTHING
       RETURNING id, source_key`,
      [document],
    );
    return matchRecorded(this.ds, sourceKeys, inserted);
  }

  /** Letters already recorded under these identities (stored as `extra.letterIdentity`). */
  async findLettersByIdentity(identities: string[]): Promise<Map<string, IdentityHolder>> {
    const out = new Map<string, IdentityHolder>();
    if (!identities.length) return out;
    const rows: { id: string; source_key: string; identity: string }[] = await this.ds.query(
      `SELECT id, source_key, payload->'extra'->>'letterIdentity' AS identity
         FROM submissions
        WHERE channel_type = 'letter' AND payload->'extra'->>'letterIdentity' = ANY($1::text[])
        ORDER BY seq`,
      [[...new Set(identities)]],
    );
    for (const r of rows) if (!out.has(r.identity)) out.set(r.identity, { id: r.id, sourceKey: r.source_key, identity: r.identity });
    return out;
  }

  /** Which of these refs some submission of the channel type already carries (in `refs`). */
  async refsAlreadyKnown(channelType: ChannelType, refs: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!refs.length) return out;
    const rows: { id: string; ref: string }[] = await this.ds.query(
      `SELECT s.id, r.ref FROM submissions s CROSS JOIN LATERAL unnest(s.refs) AS r(ref)
        WHERE s.channel_type = $1 AND s.refs && $2::text[] AND r.ref = ANY($2::text[])`,
      [channelType, refs],
    );
    for (const r of rows) if (!out.has(r.ref)) out.set(r.ref, r.id);
    return out;
  }

  /**
   * Folds natural ids into an existing submission (a letter registered again under another number): the
   * refs join its `refs`, in order, once. Returns the refs that were new.
   */
  async foldRefs(submissionId: string, refs: string[]): Promise<string[]> {
    const [rows]: [{ added: string[] }[], number] = await this.ds.query(
      `WITH before AS (SELECT refs FROM submissions WHERE id = $1 FOR UPDATE),
            add AS (SELECT array_agg(x ORDER BY o) AS xs
                      FROM unnest($2::text[]) WITH ORDINALITY AS t(x, o), before
                     WHERE NOT (x = ANY(before.refs)))
       UPDATE submissions s SET refs = s.refs || COALESCE((SELECT xs FROM add), '{}')
        WHERE s.id = $1
       RETURNING COALESCE((SELECT xs FROM add), '{}') AS added`,
      [submissionId, [...new Set(refs)]],
    );
    return rows[0]?.added ?? [];
  }
}
