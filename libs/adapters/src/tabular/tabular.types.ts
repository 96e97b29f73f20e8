/**
 * Shapes shared by the CSV and XLSX readers. A record is one data row after the header row; it points
 * back into the stored file (byte slice for CSV, worksheet row for XLSX) so the raw original of a row is
 * "the stored file plus the row's offsets", never a copy per row.
 */

export type TabularFormat = 'csv' | 'xlsx';

/** Encodings the CSV reader decodes. `gb18030` is a superset of GBK and GB2312. */
export type TabularEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';

/** A cell whose type in the source was not text (XLSX number or date cells). */
export type TypedCell =
  | { kind: 'number'; value: number }
  /** Wall-clock of an Excel date cell (Excel stores no zone; exports are Beijing time). */
  | { kind: 'date'; wallClock: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'formula'; formula: string }
  | { kind: 'error'; error: string };

export interface TabularRecordError {
  /** 1-based record number after the header. */
  row: number;
  /** Physical line (CSV) or worksheet row (XLSX) where the record starts. */
  line: number;
  reason: string;
}

export interface TabularRecord {
  format: TabularFormat;
  /** 1-based record number after the header row; a multi-line CSV record counts once. Blank rows are not counted. */
  row: number;
  /** CSV: 1-based physical line where the record starts (title lines included). XLSX: the worksheet row number. */
  line: number;
  /** CSV: the last physical line of the record (equals `line` for a one-line record). XLSX: same as `line`. */
  lineEnd: number;
  /** Cell texts in column order (a ragged row keeps whatever cells it had). */
  cells: string[];
  /** Source types of the cells that were not plain text, by column index (XLSX only). */
  typed: (TypedCell | undefined)[] | null;
  /** The header row's cells (one shared array per file). */
  header: readonly string[];
  /** Byte offset of the record in the raw file, and its length including the line break; null when not exact. */
  byteOffset: number | null;
  byteLength: number | null;
  /** Notes about the input (nul_removed, stray_quote, undecodable_bytes, trailing_empty_cells, …). */
  flags: string[];
  /** Set when the row cannot be read as a record of this header (wrong column count, unterminated quote). */
  error: TabularRecordError | null;
}

export interface TabularLimits {
  /** Refuse a file whose header or any row has more columns than this. */
  maxColumns: number;
  /** Refuse a file with a cell longer than this (characters). */
  maxCellChars: number;
  /** Refuse a file with a record longer than this (characters, all cells). */
  maxRecordChars: number;
  /** XLSX: refuse when the zip declares more uncompressed bytes than this in total. */
  maxUncompressedBytes: number;
  /** XLSX: refuse an entry above `ratioCheckMinBytes` whose uncompressed/compressed ratio exceeds this. */
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** XLSX: refuse zips with more entries than this. */
  maxZipEntries: number;
  /** XLSX from a stream: the most compressed bytes buffered in memory. */
  maxXlsxBytes: number;
}

export const DEFAULT_TABULAR_LIMITS: TabularLimits = {
  maxColumns: 1000,
  maxCellChars: 64 * 1024,
  maxRecordChars: 1024 * 1024,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioCheckMinBytes: 1024 * 1024,
  maxZipEntries: 10_000,
  maxXlsxBytes: 100 * 1024 * 1024,
};

export interface TabularOptions {
  /** Forced format; otherwise from the file name, then from the first bytes (zip magic = xlsx). */
  format?: TabularFormat;
  /** Forced CSV encoding; otherwise detected from the BOM and the first bytes. */
  encoding?: TabularEncoding;
  /** Forced CSV delimiter; otherwise detected among comma, tab, semicolon and pipe. */
  delimiter?: string;
  /**
   * Recognises the header row among the first rows (title and note lines above it are skipped). Without it
   * the first non-blank row is the header.
   */
  isHeader?: (cells: string[]) => boolean;
  /** How many rows to look through for the header row. */
  headerSearchRows?: number;
  /** XLSX: the worksheet to read (by name); default the first one. */
  sheet?: string;
  /** Used for format detection when the input is a stream. */
  fileName?: string;
  limits?: Partial<TabularLimits>;
}

/** Facts about the whole file, filled while reading. */
export interface TabularSummary {
  format: TabularFormat | null;
  encoding: TabularEncoding | null;
  bomBytes: number;
  delimiter: string | null;
  sheet: string | null;
  /** CSV: physical line of the header; XLSX: worksheet row of the header. */
  headerLine: number | null;
  header: string[] | null;
  /** Rows above the header (title, notes), as text. */
  preamble: string[];
  records: number;
  malformed: number;
  blankRows: number;
  /** False once a byte offset could not be computed exactly (undecodable bytes); later records carry null. */
  offsetsExact: boolean;
}

/** A file the reader refuses as a whole (hostile, oversized, no header). */
export class TabularRejection extends Error {
  constructor(
    readonly code:
      | 'zip_bomb'
      | 'zip_unreadable'
      | 'too_many_columns'
      | 'cell_too_large'
      | 'record_too_large'
      | 'header_not_found'
      | 'empty_file'
      | 'sheet_not_found'
      | 'file_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'TabularRejection';
  }
}
