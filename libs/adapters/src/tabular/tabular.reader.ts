import { createReadStream } from 'node:fs';
import { readCsv } from './csv.reader';
import { readXlsx } from './xlsx.reader';
import {
  DEFAULT_TABULAR_LIMITS,
  TabularRejection,
  type TabularFormat,
  type TabularOptions,
  type TabularRecord,
  type TabularSummary,
} from './tabular.types';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Records of one file plus the facts about the file, complete once iteration has ended. */
export interface TabularStream extends AsyncIterable<TabularRecord> {
  readonly summary: TabularSummary;
}

export function emptySummary(): TabularSummary {
  return {
    format: null,
    encoding: null,
    bomBytes: 0,
    delimiter: null,
    sheet: null,
    headerLine: null,
    header: null,
    preamble: [],
    records: 0,
    malformed: 0,
    blankRows: 0,
    offsetsExact: true,
  };
}

/**
 * Reads a CSV or XLSX export (a path or a byte stream) as records after its header row. A file that cannot be
 * read as a whole (zip bomb, too many columns, no header) fails the iteration with a TabularRejection; a row
 * that cannot be read comes back as a record with `error` set, and reading goes on.
 */
export function readTabular(input: NodeJS.ReadableStream | string, opts: TabularOptions = {}): TabularStream {
  const summary = emptySummary();
  return {
    summary,
    [Symbol.asyncIterator]: () => iterate(input, opts, summary)[Symbol.asyncIterator](),
  };
}

async function* iterate(input: NodeJS.ReadableStream | string, opts: TabularOptions, summary: TabularSummary): AsyncGenerator<TabularRecord> {
  const name = typeof input === 'string' ? input : opts.fileName;
  const byName = opts.format ?? formatFromName(name);
  if (typeof input === 'string') {
    if (byName === 'xlsx') return yield* readXlsx(input, opts, summary);
    const stream = createReadStream(input, { highWaterMark: 64 * 1024 });
    try {
      if (byName === 'csv') return yield* readCsv(stream as AsyncIterable<Buffer>, opts, summary);
      const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const first = await chunks.next();
      if (!first.done && first.value.subarray(0, 4).equals(ZIP_MAGIC)) {
        stream.destroy();
        return yield* readXlsx(input, opts, summary);
      }
      return yield* readCsv(prepend(first.done ? null : first.value, chunks), opts, summary);
    } finally {
      stream.destroy();
    }
  }
  const chunks = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await chunks.next();
  const firstBuf = first.done ? null : toBuffer(first.value);
  const isZip = byName === 'xlsx' || (byName === null && firstBuf !== null && firstBuf.subarray(0, 4).equals(ZIP_MAGIC));
  if (!isZip) return yield* readCsv(prepend(firstBuf, chunks), opts, summary);
  // The zip central directory sits at the end of the file, so a streamed XLSX is buffered (capped) first.
  const cap = opts.limits?.maxXlsxBytes ?? DEFAULT_TABULAR_LIMITS.maxXlsxBytes;
  const parts: Buffer[] = firstBuf ? [firstBuf] : [];
  let size = firstBuf?.length ?? 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    const buf = toBuffer(next.value);
    size += buf.length;
    if (size > cap) throw new TabularRejection('file_too_large', `XLSX larger than ${cap} bytes`);
    parts.push(buf);
  }
  return yield* readXlsx(Buffer.concat(parts), opts, summary);
}

export function formatFromName(name: string | undefined): TabularFormat | null {
  if (!name) return null;
  const lower = name.toLowerCase();
  if (lower.endsWith('.xlsx') || lower.endsWith('.xlsm')) return 'xlsx';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv') || lower.endsWith('.txt')) return 'csv';
  return null;
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

async function* prepend(first: Buffer | null, rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  if (first) yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield toBuffer(next.value);
  }
}
