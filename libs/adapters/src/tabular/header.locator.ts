import {
  DEFAULT_TABULAR_LIMITS,
  TabularRejection,
  type TabularFormat,
  type TabularOptions,
  type TabularRecord,
  type TabularSummary,
  type TypedCell,
} from './tabular.types';

const DEFAULT_HEADER_SEARCH_ROWS = 20;

/**
 * Shared by the CSV and XLSX readers: finds the header row below title and note lines, then turns each later
 * row into a record (numbered, blank rows left out, ragged rows marked malformed, NUL bytes removed).
 */
export class HeaderLocator {
  private header: string[] | null = null;
  private rowsSeen = 0;
  private row = 0;
  private readonly maxColumns: number;

  constructor(
    private readonly opts: TabularOptions,
    private readonly summary: TabularSummary,
  ) {
    this.maxColumns = opts.limits?.maxColumns ?? DEFAULT_TABULAR_LIMITS.maxColumns;
  }

  /** Returns the record for a data row, or null for header, title and blank rows. */
  accept(
    rawCells: string[],
    line: number,
    lineEnd: number,
    format: TabularFormat,
    typed: (TypedCell | undefined)[] | null = null,
  ): TabularRecord | null {
    if (rawCells.length > this.maxColumns) {
      throw new TabularRejection('too_many_columns', `row at line ${line} has ${rawCells.length} columns (limit ${this.maxColumns})`);
    }
    const flags: string[] = [];
    const cells = rawCells.map((c) => {
      if (c.includes('\u0000')) {
        if (!flags.includes('nul_removed')) flags.push('nul_removed');
        return c.replace(/\u0000/g, '');
      }
      return c;
    });
    const blank = cells.every((c) => c.trim() === '');

    if (!this.header) {
      if (blank) return null;
      this.rowsSeen++;
      const trimmed = cells.map((c) => c.replace(/^\ufeff/, '').trim());
      const isHeader = this.opts.isHeader ? this.opts.isHeader(trimmed) : true;
      if (isHeader) {
        this.header = trimmed;
        this.summary.header = trimmed;
        this.summary.headerLine = line;
        return null;
      }
      this.summary.preamble.push(trimmed.filter((c) => c !== '').join(' '));
      if (this.rowsSeen >= (this.opts.headerSearchRows ?? DEFAULT_HEADER_SEARCH_ROWS)) {
        throw new TabularRejection('header_not_found', `no header row matching a known profile in the first ${this.rowsSeen} rows`);
      }
      return null;
    }

    if (blank) {
      this.summary.blankRows++;
      return null;
    }
    this.row++;
    this.summary.records++;
    const record: TabularRecord = {
      format,
      row: this.row,
      line,
      lineEnd,
      cells,
      typed,
      header: this.header,
      byteOffset: null,
      byteLength: null,
      flags,
      error: null,
    };
    const expected = this.header.length;
    if (cells.length > expected && cells.slice(expected).every((c) => c.trim() === '')) {
      // Excel and some systems end every row with an extra delimiter; empty surplus cells are harmless.
      record.cells = cells.slice(0, expected);
      flags.push('trailing_empty_cells');
    } else if (cells.length !== expected && format === 'csv') {
      record.error = { row: this.row, line, reason: `expected ${expected} columns, found ${cells.length}` };
      this.summary.malformed++;
    } else if (cells.length < expected) {
      // XLSX rows simply omit trailing empty cells.
      while (record.cells.length < expected) record.cells.push('');
    } else if (cells.length > expected) {
      record.error = { row: this.row, line, reason: `expected ${expected} columns, found ${cells.length}` };
      this.summary.malformed++;
    }
    return record;
  }

  finish(): void {
    if (!this.header) {
      if (this.rowsSeen === 0) throw new TabularRejection('empty_file', 'the file has no rows');
      throw new TabularRejection('header_not_found', 'no header row matching a known profile');
    }
  }
}
