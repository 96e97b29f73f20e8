import { CsvTokenizer, type CsvToken } from './csv.tokenizer';
import { detectDelimiter } from './delimiter.util';
import { detectEncoding, encodedLength, replacementCharBytes, streamDecoder } from './encoding.util';
import { HeaderLocator } from './header.locator';
import {
  DEFAULT_TABULAR_LIMITS,
  TabularRejection,
  type TabularOptions,
  type TabularRecord,
  type TabularSummary,
} from './tabular.types';

/** How many bytes are looked at before deciding the encoding and delimiter. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Reads a CSV (or tab/semicolon/pipe separated) export as a stream of records. Bytes go through a streaming
 * decoder first and the tokenizer only ever sees text: GBK is not self-synchronising, so raw bytes are never
 * split into rows. Byte offsets come from re-encoding each record's exact text, which is exact as long as
 * decoding was lossless; after the first undecodable byte the offsets become null and the line range stands.
 */
export async function* readCsv(
  chunks: AsyncIterable<Buffer | string>,
  opts: TabularOptions,
  summary: TabularSummary,
): AsyncGenerator<TabularRecord> {
  const limits = { ...DEFAULT_TABULAR_LIMITS, ...opts.limits };
  const iterator = chunks[Symbol.asyncIterator]();

  const headParts: Buffer[] = [];
  let headSize = 0;
  let done = false;
  while (headSize < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    headParts.push(buf);
    headSize += buf.length;
  }
  const head = Buffer.concat(headParts);
  summary.format = 'csv';
  if (head.length === 0) throw new TabularRejection('empty_file', 'the file is empty');

  const detected = detectEncoding(head, done);
  const encoding = opts.encoding ?? detected.encoding;
  const bomBytes = opts.encoding && opts.encoding !== detected.encoding ? 0 : detected.bomBytes;
  summary.encoding = encoding;
  summary.bomBytes = bomBytes;

  const decoder = streamDecoder(encoding);
  const replacement = replacementCharBytes(encoding);
  const headText = decoder.write(head.subarray(bomBytes));
  const delimiter = opts.delimiter ?? detectDelimiter(headText);
  summary.delimiter = delimiter;

  const tokenizer = new CsvTokenizer(delimiter, limits);
  const header = new HeaderLocator(opts, summary);
  let byteOffset = bomBytes;
  let lossy = false;

  const lossyDecode = (raw: Buffer, text: string) => text.includes('\ufffd') && !raw.includes(replacement);

  function* consume(tokens: CsvToken[]): Generator<TabularRecord> {
    for (const token of tokens) {
      const length = lossy ? null : encodedLength(token.raw, encoding);
      const offset = lossy ? null : byteOffset;
      if (length !== null) byteOffset += length;
      const record = header.accept(token.cells, token.line, token.lineEnd, 'csv');
      if (!record) continue;
      record.byteOffset = offset;
      record.byteLength = length;
      if (token.strayQuote) record.flags.push('stray_quote');
      if (lossy && token.raw.includes('\ufffd')) record.flags.push('undecodable_bytes');
      if (token.unterminated && !record.error) {
        record.error = { row: record.row, line: record.line, reason: 'unterminated quoted field: the file ends inside quotes' };
        summary.malformed++;
      }
      yield record;
    }
  }

  if (lossyDecode(head.subarray(bomBytes), headText)) {
    lossy = true;
    summary.offsetsExact = false;
  }
  yield* consume(tokenizer.push(headText));
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    const buf = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    const text = decoder.write(buf);
    if (!lossy && lossyDecode(buf, text)) {
      lossy = true;
      summary.offsetsExact = false;
    }
    yield* consume(tokenizer.push(text));
  }
  const tail = decoder.end();
  if (tail) {
    if (tail.includes('\ufffd')) {
      // A multi-byte character cut by the end of the file.
      lossy = true;
      summary.offsetsExact = false;
    }
    yield* consume(tokenizer.push(tail));
  }
  yield* consume(tokenizer.end());
  header.finish();
}
