import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { parseSubmission, sourceKeyOf, SubmissionValidationError, type SubmissionInput } from '@huiliu/contracts';
import {
  isTabularChannelType,
  parseTabularSettings,
  ProfileSelectionError,
  readMappedRows,
  TabularRejection,
  type MappedRow,
  type TabularChannelType,
} from '@huiliu/adapters';
import type { AppConfig, BlobStore } from '@huiliu/platform';
import {
  importRowJson,
  retryOnConflict,
  stripNul,
  type ChannelEntity,
  type ChannelRepository,
  type ImportCounters,
  type ImportEntity,
  type ImportRejection,
  type ImportRepository,
  type SubmissionRepository,
} from '@huiliu/store';
import type { IntakeQueue } from '../intake-queue';
import { limitBytes } from './byte-limit.util';
import { JsonBatchBuffer } from './json-batch.buffer';
import { hasNul } from './nul.util';

export type ImportSettings = Pick<
  AppConfig,
  | 'IMPORT_MAX_BYTES'
  | 'IMPORT_BATCH_ROWS'
  | 'IMPORT_WRITERS'
  | 'IMPORT_JOB_SIZE'
  | 'IMPORT_PROGRESS_ROWS'
  | 'IMPORT_REPORT_MAX'
  | 'IMPORT_PROFILES_DIR'
>;

export interface ImporterDeps {
  imports: ImportRepository;
  submissions: SubmissionRepository;
  channels: ChannelRepository;
  blobs: BlobStore;
  intake: IntakeQueue;
  logger: Logger;
  settings: ImportSettings;
}

export interface ImportProgress extends ImportCounters {
  importId: string;
  /** CSV: bytes of the file read so far (null for XLSX, read as a whole). */
  bytesRead: number | null;
}

export interface ImportResult extends ImportCounters {
  importId: string;
  status: 'done' | 'failed';
  error: string | null;
  /** The first IMPORT_REPORT_MAX rejected rows. */
  rejections: ImportRejection[];
  facts: Record<string, unknown>;
}

/** The file cannot be imported into this channel at all (wrong channel type, disabled, unknown import). */
export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A batch is also cut at this many encoded bytes, so rows with long texts (letters, work orders with notes)
 * keep the bytes waiting for their statement bounded, not only their count.
 */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Imports export and register files: the file is stored once in the blob store, its rows are read as a
 * stream, mapped under the channel's column profile and recorded in multi-row statements, each row's raw
 * original being the stored file plus the row's offsets. Idempotent by source key (channel type + the
 * row's record id); a letter registered again under another number folds into the first submission.
 * Created submissions are queued for judging in batches. Used by the worker (uploads) and the CLI.
 */
export class Importer {
  constructor(private readonly deps: ImporterDeps) {}

  /** Stores an upload (streamed, never buffered) and creates its import row, status `queued`. */
  async store(input: { channel: ChannelEntity; fileName: string; contentType: string | null; body: Readable; origin: 'api' | 'cli' }): Promise<ImportEntity> {
    const { channel } = input;
    if (!isTabularChannelType(channel.type)) throw new ImportRefusedError(`channel ${channel.name} is a ${channel.type} channel: files are imported into hotline, letter, visit and transfer channels`);
    if (!channel.enabled) throw new ImportRefusedError(`channel ${channel.name} is disabled`);
    parseTabularSettings(channel.settings);
    const stored = await this.deps.blobs.putStream(limitBytes(input.body, this.deps.settings.IMPORT_MAX_BYTES));
    return this.deps.imports.create({
      channelId: channel.id,
      channelType: channel.type,
      fileBlobKey: stored.blobKey,
      fileName: input.fileName,
      fileSize: stored.size,
      contentType: input.contentType,
      origin: input.origin,
    });
  }

  /**
   * Runs one import to its end. A file refused as a whole (zip bomb, too many columns, no matching header)
   * ends the import as `failed` with the reason; a row that cannot be read is reported and recorded as a
   * rejected submission, and the rest of the file goes on. Errors of the store itself are thrown (retry).
   */
  async run(importId: string, onProgress?: (p: ImportProgress) => void): Promise<ImportResult> {
    const { imports, channels, logger, settings } = this.deps;
    const imp = await imports.findById(importId);
    if (!imp) throw new ImportRefusedError(`no import ${importId}`);
    const channel = await channels.findByIdOrName(imp.channelId);
    if (!channel || !isTabularChannelType(channel.type)) throw new ImportRefusedError(`import ${importId}: its channel is gone or not a file channel`);
    await imports.start(importId);

    const run = new ImportRun(this.deps, imp, channel.type);
    const facts: Record<string, unknown> = {};
    let lastProgress = 0;
    const progress = async (force = false) => {
      if (!force && run.counters.rowsRead - lastProgress < settings.IMPORT_PROGRESS_ROWS) return;
      lastProgress = run.counters.rowsRead;
      await imports.progress(importId, run.counters, run.takeChangedRejections());
      onProgress?.({ importId, bytesRead: run.bytesRead, ...run.counters });
    };

    let error: string | null = null;
    try {
      const rows = readMappedRows(this.deps.blobs.pathOf(imp.fileBlobKey), {
        channelType: channel.type,
        settings: parseTabularSettings(channel.settings),
        fileRef: `${imp.fileName}@${imp.fileBlobKey.slice(imp.fileBlobKey.lastIndexOf('/') + 1, imp.fileBlobKey.lastIndexOf('/') + 13)}`,
        fileName: imp.fileName,
        operatorProfilesDir: settings.IMPORT_PROFILES_DIR,
      });
      // Reading the next batch overlaps writing the previous ones, and waits while IMPORT_WRITERS statements
      // are in flight: at most writers + 1 batches exist at a time. Letters are written one batch at a time
      // (folding looks at what earlier batches recorded).
      const writers = channel.type === 'letter' ? 1 : settings.IMPORT_WRITERS;
      const inFlight = new Set<Promise<void>>();
      const spare: JsonBatchBuffer[] = [];
      let failure: unknown = null;
      let batch: Batch = { rows: [], doc: new JsonBatchBuffer() };
      const flush = async () => {
        if (!batch.rows.length) return;
        const full = batch;
        batch = { rows: [], doc: spare.pop() ?? new JsonBatchBuffer() };
        while (inFlight.size >= writers) await Promise.race(inFlight);
        if (failure) throw failure;
        const p: Promise<void> = run
          .write(full)
          .then(() => progress())
          .catch((err) => {
            failure ??= err;
          })
          .finally(() => {
            inFlight.delete(p);
            spare.push(full.doc.reset());
          });
        inFlight.add(p);
      };
      try {
        let contentType: string | null = null;
        for await (const row of rows) {
          contentType ??= rows.tabular.summary.format === 'xlsx' ? XLSX_TYPE : `text/csv; charset=${rows.tabular.summary.encoding ?? 'utf8'}`;
          const prepared = run.prepare(row, contentType);
          if (!prepared) continue;
          batch.rows.push(prepared.row);
          batch.doc.push(prepared.json);
          if (batch.rows.length >= settings.IMPORT_BATCH_ROWS || batch.doc.byteLength >= MAX_BATCH_BYTES) await flush();
        }
        await flush();
      } finally {
        await Promise.all(inFlight);
        Object.assign(facts, tabularFacts(rows.tabular.summary), { profile: rows.profile?.id ?? null });
      }
      if (failure) throw failure;
    } catch (err) {
      if (!(err instanceof TabularRejection || err instanceof ProfileSelectionError)) {
        await imports.finish(importId, 'failed', run.counters, run.rejections, facts, `store error: ${(err as Error).message}`).catch(() => undefined);
        throw err;
      }
      error = `${err.code}: ${err.message}`;
      logger.warn({ importId, channel: channel.name, code: err.code }, 'import refused');
    }
    const status = error ? 'failed' : 'done';
    await imports.finish(importId, status, run.counters, run.rejections, facts, error);
    onProgress?.({ importId, bytesRead: Number(imp.fileSize), ...run.counters });
    logger.info({ importId, channel: channel.name, status, ...run.counters }, 'import finished');
    return { importId, status, error, rejections: run.rejections, facts, ...run.counters };
  }
}

function tabularFacts(s: { format: unknown; encoding: unknown; delimiter: unknown; sheet: unknown; headerLine: unknown; preamble: string[]; blankRows: number; offsetsExact: boolean }) {
  return {
    format: s.format,
    encoding: s.encoding,
    delimiter: s.delimiter,
    sheet: s.sheet,
    headerLine: s.headerLine,
    preamble: s.preamble.slice(0, 5),
    blankRows: s.blankRows,
    offsetsExact: s.offsetsExact,
  };
}

/**
 * A row between reading and its statement. The submission is validated and encoded as soon as the row is
 * read: a batch in flight holds these few fields per row and the rows' JSON as bytes, not each row's object
 * graph (which, kept across statements, outlived the young generation and filled the old one with garbage).
 */
interface PreparedRow {
  sourceKey: string;
  ref: string;
  row: number;
  line: number;
  /** A letter's identity (sender, date, scan file names). */
  identity: string | null;
  /** Set for a row that could not be read: it is recorded as a rejected submission and reported. */
  malformed: { detail?: string } | null;
}

/** Rows of one statement: their fields, and their JSON in the same order. */
interface Batch {
  rows: PreparedRow[];
  doc: JsonBatchBuffer;
}

/** The state of one running import: counters, the report sample and the batch writer. */
class ImportRun {
  readonly counters: ImportCounters = { rowsRead: 0, recorded: 0, duplicates: 0, rejected: 0 };
  readonly rejections: ImportRejection[] = [];
  bytesRead: number | null = null;
  private rejectionsChanged = false;
  private batchNo = 0;
  /** Distinguishes the judging jobs of a run that is retried after a crash from the first run's. */
  private readonly runToken = Date.now().toString(36);

  constructor(
    private readonly deps: ImporterDeps,
    private readonly imp: ImportEntity,
    private readonly channelType: TabularChannelType,
  ) {}

  takeChangedRejections(): ImportRejection[] | null {
    if (!this.rejectionsChanged) return null;
    this.rejectionsChanged = false;
    return this.rejections;
  }

  private reject(r: ImportRejection) {
    this.counters.rejected++;
    if (this.rejections.length < this.deps.settings.IMPORT_REPORT_MAX) {
      this.rejections.push(r);
      this.rejectionsChanged = true;
    }
  }

  private rejectMalformed(p: PreparedRow) {
    this.reject({ row: p.row, line: p.line, reason: 'malformed_row', detail: p.malformed?.detail, ref: p.ref });
  }

  /** Validates and encodes one row as it is read; a row the schema refuses is reported and left out (null). */
  prepare(row: MappedRow, contentType: string): { row: PreparedRow; json: string } | null {
    this.counters.rowsRead++;
    if (row.byteOffset !== null && row.byteLength !== null) this.bytesRead = row.byteOffset + row.byteLength;
    let input: SubmissionInput = row.submission;
    let nulRemoved = false;
    if (hasNul(input)) ({ value: input, removed: nulRemoved } = stripNul(input));
    let submission;
    try {
      submission = parseSubmission(input);
    } catch (err) {
      const detail = err instanceof SubmissionValidationError ? err.message : String(err);
      this.reject({ row: row.row, line: row.line, reason: 'schema', detail, ref: row.submission.ref ?? null });
      return null;
    }
    if (nulRemoved) submission.flags = [...new Set([...submission.flags, 'nul_removed'])];
    if (row.identity) submission.extra.letterIdentity = row.identity;
    const sourceKey = sourceKeyOf(submission.channelType, submission.ref);
    const raw = { blobKey: this.imp.fileBlobKey, offset: row.byteOffset, length: row.byteLength, contentType };
    return {
      row: {
        sourceKey,
        ref: submission.ref,
        row: row.row,
        line: row.line,
        identity: row.identity,
        malformed: row.malformed ? { detail: (submission.extra.error as { reason?: string } | undefined)?.reason } : null,
      },
      json: importRowJson({ sourceKey, channelType: submission.channelType, channelId: this.imp.channelId, submission, raw }),
    };
  }

  async write(batch: Batch): Promise<void> {
    const { imports, intake } = this.deps;
    const prepared = batch.rows;

    // A letter registered again under another number (same sender, date and scans) folds into the first.
    const folds: { ref: string; into: PreparedRow | { id: string } }[] = [];
    let toInsert = prepared;
    if (this.channelType === 'letter') {
      const known = await imports.refsAlreadyKnown('letter', prepared.map((p) => p.ref));
      const holders = await imports.findLettersByIdentity(prepared.flatMap((p) => (p.identity ? [p.identity] : [])));
      const firstInBatch = new Map<string, PreparedRow>();
      toInsert = [];
      for (const p of prepared) {
        const identity = p.identity;
        if (known.has(p.ref)) {
          // Already recorded, under its own key or folded into another letter's refs.
          if (p.malformed) this.rejectMalformed(p);
          else this.counters.duplicates++;
          continue;
        }
        if (!identity) {
          toInsert.push(p);
          continue;
        }
        const holder = holders.get(identity);
        const earlier = firstInBatch.get(identity);
        if (holder && holder.sourceKey !== p.sourceKey) folds.push({ ref: p.ref, into: { id: holder.id } });
        else if (!holder && earlier && earlier.sourceKey !== p.sourceKey) folds.push({ ref: p.ref, into: earlier });
        else {
          if (!holder && !earlier) firstInBatch.set(identity, p);
          toInsert.push(p);
        }
      }
    }

    // Two writers may meet on a key repeated across batches; a deadlock aborts the statement alone, so it is re-run.
    const position = new Map(prepared.map((p, i) => [p, i]));
    const doc = toInsert === prepared ? batch.doc.document() : batch.doc.documentOf(toInsert.map((p) => position.get(p)!));
    const recorded = await retryOnConflict(() => imports.insertDocument(toInsert.map((p) => p.sourceKey), doc));
    const idOf = new Map<PreparedRow, string>();
    const created: string[] = [];
    recorded.forEach((r, i) => {
      const p = toInsert[i];
      idOf.set(p, r.id);
      if (r.created) created.push(r.id);
      if (p.malformed) this.rejectMalformed(p);
      else if (r.created) this.counters.recorded++;
      else this.counters.duplicates++;
    });
    for (const f of folds) {
      const target = 'id' in f.into ? f.into.id : idOf.get(f.into)!;
      await imports.foldRefs(target, [f.ref]);
      this.counters.duplicates++;
    }
    if (created.length) await intake.enqueueBatches(`${this.imp.id}-${this.runToken}-${this.batchNo++}`, created, this.deps.settings.IMPORT_JOB_SIZE);
  }
}
