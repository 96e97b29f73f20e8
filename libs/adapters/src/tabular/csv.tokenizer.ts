import { TabularRejection } from './tabular.types';

/** One record as cut from the decoded text, before any header logic. */
export interface CsvToken {
  cells: string[];
  /** 1-based physical lines the record spans. */
  line: number;
  lineEnd: number;
  /** The record's exact text including its line break: re-encoded to get its byte length. */
  raw: string;
  /** A quote that was neither an opening, a closing nor an escaped ("") quote. */
  strayQuote: boolean;
  /** The file ended inside a quoted field. */
  unterminated: boolean;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * An RFC 4180 tokenizer over decoded text chunks that keeps, for every record, its exact raw text and its
 * physical line range, so the importer can point back into the stored file. Relaxed where exports are
 * sloppy: LF, CRLF and bare CR all end a record (mixed in one file too); a quote inside a quoted field that
 * is not followed by a delimiter or line break is kept as a literal quote; a quote inside an unquoted field
 * is literal. Cell and record sizes are capped so one stray quote cannot swallow memory.
 */
export class CsvTokenizer {
  private readonly delim: number;
  private cells: string[] = [];
  private field = '';
  private inQuotes = false;
  private quoteSeen = false;
  private atFieldStart = true;
  private pendingCR = false;
  private lastWasCR = false;
  private line = 1;
  private recLine = 1;
  private recLineEnd = 1;
  private strayQuote = false;
  private carry = '';

  constructor(
    delimiter: string,
    private readonly limits: { maxColumns: number; maxCellChars: number; maxRecordChars: number },
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  push(chunk: string): CsvToken[] {
    const out: CsvToken[] = [];
    const n = chunk.length;
    let recStart = 0;
    let segStart = 0;
    const emit = (end: number) => {
      out.push({
        cells: this.cells,
        line: this.recLine,
        lineEnd: this.recLineEnd,
        raw: this.carry + chunk.slice(recStart, end),
        strayQuote: this.strayQuote,
        unterminated: false,
      });
      this.carry = '';
      recStart = end;
      this.cells = [];
      this.recLine = this.line;
      this.strayQuote = false;
      this.atFieldStart = true;
    };
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === LF) {
          this.lastWasCR = false;
          emit(i + 1);
          segStart = i + 1;
          continue;
        }
        emit(i);
        segStart = i;
      }
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === QUOTE) {
            this.field += '"';
            segStart = i + 1;
            continue;
          }
          if (c === this.delim || c === CR || c === LF) {
            this.inQuotes = false;
            segStart = i;
            // fall through to the unquoted handling of the delimiter / line break
          } else {
            this.field += '"';
            this.strayQuote = true;
            segStart = i;
            this.lastWasCR = false;
            continue;
          }
        } else {
          if (c === QUOTE) {
            this.field += chunk.slice(segStart, i);
            this.quoteSeen = true;
          } else if (c === CR) {
            this.line++;
          } else if (c === LF && !this.lastWasCR) {
            this.line++;
          }
          this.lastWasCR = c === CR;
          continue;
        }
      }
      if (c === this.delim) {
        this.endField(chunk.slice(segStart, i));
        segStart = i + 1;
        this.lastWasCR = false;
        continue;
      }
      if (c === CR || c === LF) {
        this.endField(chunk.slice(segStart, i));
        this.recLineEnd = this.line;
        this.line++;
        this.lastWasCR = c === CR;
        if (c === CR) {
          this.pendingCR = true;
        } else {
          emit(i + 1);
          segStart = i + 1;
        }
        continue;
      }
      this.lastWasCR = false;
      if (c === QUOTE) {
        if (this.atFieldStart) {
          this.inQuotes = true;
          this.atFieldStart = false;
          segStart = i + 1;
          continue;
        }
        this.strayQuote = true;
      }
      this.atFieldStart = false;
    }
    // Keep the unfinished field and record for the next chunk.
    if (!this.quoteSeen && !this.pendingCR) this.field += chunk.slice(segStart, n);
    this.carry += chunk.slice(recStart, n);
    if (this.field.length > this.limits.maxCellChars) {
      throw new TabularRejection('cell_too_large', `a cell starting on line ${this.recLine} exceeds ${this.limits.maxCellChars} characters`);
    }
    if (this.carry.length > this.limits.maxRecordChars) {
      throw new TabularRejection('record_too_large', `the record starting on line ${this.recLine} exceeds ${this.limits.maxRecordChars} characters`);
    }
    return out;
  }

  end(): CsvToken[] {
    const out: CsvToken[] = [];
    if (this.pendingCR) {
      this.pendingCR = false;
      out.push(this.finish(false));
      return out;
    }
    if (this.carry.length === 0) return out;
    const unterminated = this.inQuotes && !this.quoteSeen;
    this.inQuotes = false;
    this.quoteSeen = false;
    this.endField('');
    this.recLineEnd = this.lastWasCR ? this.line - 1 : this.line;
    out.push(this.finish(unterminated));
    return out;
  }

  private finish(unterminated: boolean): CsvToken {
    const token: CsvToken = {
      cells: this.cells,
      line: this.recLine,
      lineEnd: this.recLineEnd,
      raw: this.carry,
      strayQuote: this.strayQuote,
      unterminated,
    };
    this.carry = '';
    this.cells = [];
    return token;
  }

  private endField(tail: string): void {
    const value = this.field + tail;
    if (value.length > this.limits.maxCellChars) {
      throw new TabularRejection('cell_too_large', `a cell on line ${this.recLine} exceeds ${this.limits.maxCellChars} characters`);
    }
    this.cells.push(value);
    this.field = '';
    this.atFieldStart = true;
    if (this.cells.length > this.limits.maxColumns) {
      throw new TabularRejection('too_many_columns', `line ${this.recLine} has more than ${this.limits.maxColumns} columns`);
    }
  }
}
