import type * as ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import { HeaderLocator } from './header.locator';
import { inspectXlsxZip } from './xlsx.guard';
import {
  DEFAULT_TABULAR_LIMITS,
  TabularRejection,
  type TabularOptions,
  type TabularRecord,
  type TabularSummary,
  type TypedCell,
} from './tabular.types';

/** Numbers at or above this magnitude have more digits than a double keeps exactly (15 significant). */
const PRECISE_LIMIT = 1e15;

/**
 * Reads the first (or the named) worksheet of an XLSX export row by row with exceljs's streaming reader,
 * after the zip central directory has passed the bomb checks. Cells come back as text, with the source type
 * kept beside them for number and date cells (a phone stored as a number, an Excel date).
 */
export async function* readXlsx(source: string | Buffer, opts: TabularOptions, summary: TabularSummary): AsyncGenerator<TabularRecord> {
  const limits = { ...DEFAULT_TABULAR_LIMITS, ...opts.limits };
  summary.format = 'xlsx';
  await inspectXlsxZip(source, limits);

  const stream = typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
  // Loaded on the first XLSX: exceljs is a large module, and most processes (and most exports) never need it.
  const { stream: excelStream } = await import('exceljs');
  const reader = new excelStream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const header = new HeaderLocator(opts, summary);
  let found = false;
  try {
    for await (const worksheet of reader) {
      const ws = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { name: string };
      if (found || (opts.sheet !== undefined && ws.name !== opts.sheet)) continue;
      found = true;
      summary.sheet = ws.name;
      for await (const row of ws) {
        const values = row.values as unknown[];
        if (values.length - 1 > limits.maxColumns) {
          throw new TabularRejection('too_many_columns', `worksheet row ${row.number} has ${values.length - 1} columns (limit ${limits.maxColumns})`);
        }
        const cells: string[] = [];
        const typed: (TypedCell | undefined)[] = [];
        let anyTyped = false;
        let chars = 0;
        for (let col = 1; col < values.length; col++) {
          const [text, type] = cellText(values[col]);
          if (text.length > limits.maxCellChars) {
            throw new TabularRejection('cell_too_large', `cell in worksheet row ${row.number} exceeds ${limits.maxCellChars} characters`);
          }
          chars += text.length;
          cells.push(text);
          typed.push(type);
          if (type) anyTyped = true;
        }
        if (chars > limits.maxRecordChars) {
          throw new TabularRejection('record_too_large', `worksheet row ${row.number} exceeds ${limits.maxRecordChars} characters`);
        }
        const record = header.accept(cells, row.number, row.number, 'xlsx', anyTyped ? typed : null);
        if (record) yield record;
      }
    }
  } catch (err) {
    if (err instanceof TabularRejection) throw err;
    throw new TabularRejection('zip_unreadable', `not a readable XLSX workbook: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
  if (!found) {
    throw new TabularRejection('sheet_not_found', opts.sheet ? `worksheet "${opts.sheet}" not found` : 'the workbook has no worksheet');
  }
  header.finish();
}

function cellText(value: unknown): [string, TypedCell | undefined] {
  if (value === null || value === undefined) return ['', undefined];
  if (typeof value === 'string') return [value, undefined];
  if (typeof value === 'number') return [numberText(value), { kind: 'number', value }];
  if (typeof value === 'boolean') return [value ? 'TRUE' : 'FALSE', { kind: 'boolean', value }];
  if (value instanceof Date) {
    const wallClock = excelWallClock(value);
    return [wallClock, { kind: 'date', wallClock }];
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return [(v.richText as { text?: string }[]).map((r) => r.text ?? '').join(''), undefined];
    if ('formula' in v || 'sharedFormula' in v) {
      // The cached result is what the person saw; the formula is never evaluated.
      const [text] = cellText(v.result);
      return [text, { kind: 'formula', formula: String(v.formula ?? v.sharedFormula ?? '') }];
    }
    if ('error' in v) return ['', { kind: 'error', error: String(v.error) }];
    if ('text' in v) return [cellText(v.text)[0], undefined];
  }
  return [String(value), undefined];
}

/** A number as text without inventing digits: beyond double precision the shortest exponent form is kept. */
function numberText(value: number): string {
  if (Math.abs(value) >= PRECISE_LIMIT) return value.toExponential().toUpperCase();
  return String(value);
}

/**
 * exceljs turns an Excel date serial into a Date whose UTC fields are the wall-clock Excel showed (Excel has
 * no zones). The seconds are rounded because serials are floating point.
 */
function excelWallClock(date: Date): string {
  const rounded = new Date(Math.round(date.getTime() / 1000) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${rounded.getUTCFullYear()}-${p(rounded.getUTCMonth() + 1)}-${p(rounded.getUTCDate())} ${p(rounded.getUTCHours())}:${p(
    rounded.getUTCMinutes(),
  )}:${p(rounded.getUTCSeconds())}`;
}
