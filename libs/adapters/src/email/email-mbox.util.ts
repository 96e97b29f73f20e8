/**
 * Splitting an mbox file into messages for backfill, streaming: only the message being collected is held.
 * Messages start at a "From " line (the From_ line, dropped) that follows an empty line or starts the file;
 * ">From " lines (any number of '>') lose one '>' (mboxrd unescaping); the empty line the mbox writer put
 * before the next From_ line is dropped too.
 */

const FROM_ = Buffer.from('From ');

function isFromLine(line: Buffer): boolean {
  // "From sender date": a date-like tail guards against a body line that starts with "From " unescaped.
  if (line.length < 5 || line.compare(FROM_, 0, 5, 0, 5) !== 0) return false;
  const s = line.toString('latin1');
  return /^From \S+/.test(s) && (/\d{1,2}:\d{2}/.test(s) || /\b\d{4}\b/.test(s));
}

function unescapeFrom(line: Buffer): Buffer {
  let i = 0;
  while (i < line.length && line[i] === 0x3e) i++;
  if (i > 0 && line.length - i >= 5 && line.compare(FROM_, 0, 5, i, i + 5) === 0) return line.subarray(1);
  return line;
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === 0x0d);
}

export async function* splitMbox(stream: AsyncIterable<Buffer | Uint8Array | string>): AsyncIterable<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  let current: Buffer[] | null = null;
  let prevBlank = true;
  const NL = Buffer.from('\n');

  function* emit(): Generator<Buffer> {
    if (!current) return;
    // Drop the separator blank line the mbox writer added before the next From_ line.
    if (current.length >= 2 && isBlank(current[current.length - 2]) && current[current.length - 1] === NL) current.splice(-2, 2);
    if (current.length) yield Buffer.concat(current);
    current = null;
  }

  function* onLine(line: Buffer, hasNewline: boolean): Generator<Buffer> {
    if (prevBlank && isFromLine(line)) {
      yield* emit();
      current = [];
      prevBlank = false;
      return;
    }
    if (current) {
      current.push(unescapeFrom(line));
      if (hasNewline) current.push(NL);
    }
    prevBlank = isBlank(line);
  }

  for await (const chunk of stream) {
    const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let data: Buffer = carry.length ? Buffer.concat([carry, buf]) : buf;
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      // Copy the line: the chunk buffer may be reused by the stream after this iteration.
      yield* onLine(Buffer.from(data.subarray(start, nl)), true);
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start));
    data = Buffer.alloc(0);
  }
  if (carry.length) yield* onLine(carry, false);
  yield* emit();
}
