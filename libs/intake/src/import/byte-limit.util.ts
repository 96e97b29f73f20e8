import { Transform, type Readable } from 'node:stream';

/** An upload over the configured size: nothing is imported. */
export class ImportTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than the ${limit}-byte limit (IMPORT_MAX_BYTES)`);
    this.name = 'ImportTooLargeError';
  }
}

/** Passes bytes through and fails the stream once more than `limit` bytes have gone by. */
export function limitBytes(source: Readable, limit: number): Readable {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new ImportTooLargeError(limit));
      else cb(null, chunk);
    },
  });
  source.on('error', (err) => guard.destroy(err));
  return source.pipe(guard);
}
