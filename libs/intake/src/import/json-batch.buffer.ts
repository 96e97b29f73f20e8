const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/**
 * The rows of one import batch as one UTF-8 JSON array, written as each row is read. The bytes live outside
 * the JS heap while the batch waits for its statement, and the buffer is reset and reused by a later batch,
 * so an import allocates its batch memory once instead of once per batch.
 */
export class JsonBatchBuffer {
  private buf: Buffer;
  private used = 0;
  /** Where each row's JSON starts and ends, to write a subset (letters folded into earlier ones). */
  private readonly spans: number[] = [];

  constructor(initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get rows(): number {
    return this.spans.length / 2;
  }

  get byteLength(): number {
    return this.used;
  }

  push(json: string): void {
    // A UTF-16 code unit never takes more than three UTF-8 bytes.
    this.ensure(this.used + 1 + json.length * 3);
    this.buf[this.used++] = this.spans.length ? COMMA : OPEN;
    const start = this.used;
    this.used += this.buf.write(json, start, 'utf8');
    this.spans.push(start, this.used);
  }

  /** The whole array; valid until the buffer is reset. */
  document(): Buffer {
    if (!this.spans.length) return Buffer.from('[]');
    this.ensure(this.used + 1);
    this.buf[this.used] = CLOSE;
    return this.buf.subarray(0, this.used + 1);
  }

  /** An array of only the rows at these indexes (in that order), as a new buffer. */
  documentOf(indexes: number[]): Buffer {
    const parts: Buffer[] = [Buffer.of(OPEN)];
    indexes.forEach((i, n) => {
      if (n) parts.push(Buffer.of(COMMA));
      parts.push(this.buf.subarray(this.spans[2 * i], this.spans[2 * i + 1]));
    });
    parts.push(Buffer.of(CLOSE));
    return Buffer.concat(parts);
  }

  reset(): this {
    this.used = 0;
    this.spans.length = 0;
    return this;
  }

  private ensure(size: number): void {
    if (size <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }
}
