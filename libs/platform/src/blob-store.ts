import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { RawRef } from '@huiliu/contracts';

/**
 * Where raw originals and attachments are kept. Postgres rows point here; nothing is acknowledged to a
 * source before its bytes are durable (written and fsynced).
 */
export interface BlobStore {
  /** Stores one blob, content-addressed; the same bytes twice give the same key. */
  put(bytes: Buffer): Promise<string>;
  /** Stores a stream (an uploaded export file) without holding it in memory; returns key, size, sha256. */
  putStream(stream: Readable): Promise<{ blobKey: string; size: number; sha256: string }>;
  /**
   * Appends many raw originals to one segment with a single fsync (group commit for hot intake paths).
   * Each gets a slice reference (segment key, offset, length).
   */
  appendRaw(items: Buffer[], contentType?: string): Promise<RawRef[]>;
  read(ref: RawRef | string): Promise<Buffer>;
  /** A local path for streaming reads of a whole blob (import files). */
  pathOf(blobKey: string): string;
}

const SEGMENT_MAX_BYTES = 64 * 1024 * 1024;

export class FsBlobStore implements BlobStore {
  private segment: { key: string; handle: fs.FileHandle; size: number } | null = null;
  private appendChain: Promise<unknown> = Promise.resolve();
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  pathOf(blobKey: string): string {
    if (blobKey.includes('..')) throw new Error(`invalid blob key ${blobKey}`);
    return path.join(this.root, blobKey);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const key = `sha256/${sha.slice(0, 2)}/${sha}`;
    const target = this.pathOf(key);
    try {
      await fs.access(target);
      return key;
    } catch {
      // not stored yet
    }
    await this.writeDurably(target, async (h) => {
      await h.writeFile(bytes);
    });
    return key;
  }

  async putStream(stream: Readable): Promise<{ blobKey: string; size: number; sha256: string }> {
    const tmpDir = path.join(this.root, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await fs.open(tmp, 'w');
    try {
      try {
        for await (const chunk of stream) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          hash.update(buf);
          size += buf.length;
          await handle.write(buf);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      const blobKey = `sha256/${sha256.slice(0, 2)}/${sha256}`;
      const target = this.pathOf(blobKey);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(tmp, target);
      await this.syncDir(path.dirname(target));
      return { blobKey, size, sha256 };
    } catch (err) {
      // A refused (over the limit), interrupted or failed write leaves nothing behind.
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  appendRaw(items: Buffer[], contentType?: string): Promise<RawRef[]> {
    // Appends are serialised: offsets must not interleave within a segment.
    const run = this.appendChain.then(() => this.appendNow(items, contentType ?? null));
    this.appendChain = run.catch(() => undefined);
    return run;
  }

  async read(ref: RawRef | string): Promise<Buffer> {
    const r: RawRef = typeof ref === 'string' ? { blobKey: ref, offset: null, length: null, contentType: null } : ref;
    const file = this.pathOf(r.blobKey);
    if (r.offset == null || r.length == null) return fs.readFile(file);
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(r.length);
      await handle.read(buf, 0, r.length, r.offset);
      return buf;
    } finally {
      await handle.close();
    }
  }

  /** A readable stream of a whole blob or of a slice. */
  stream(ref: RawRef): Readable {
    const file = this.pathOf(ref.blobKey);
    if (ref.offset == null || ref.length == null) return createReadStream(file);
    return createReadStream(file, { start: ref.offset, end: ref.offset + ref.length - 1 });
  }

  async close(): Promise<void> {
    await this.appendChain;
    if (this.segment) await this.segment.handle.close();
    this.segment = null;
  }

  private async appendNow(items: Buffer[], contentType: string | null): Promise<RawRef[]> {
    const total = items.reduce((n, b) => n + b.length, 0);
    if (!this.segment || this.segment.size + total > SEGMENT_MAX_BYTES) await this.rotate();
    const seg = this.segment!;
    const refs: RawRef[] = [];
    let offset = seg.size;
    for (const b of items) {
      refs.push({ blobKey: seg.key, offset, length: b.length, contentType });
      offset += b.length;
    }
    const joined = items.length === 1 ? items[0] : Buffer.concat(items, total);
    await seg.handle.write(joined, 0, joined.length, seg.size);
    await seg.handle.datasync();
    seg.size += total;
    return refs;
  }

  private async rotate(): Promise<void> {
    if (this.segment) await this.segment.handle.close();
    const day = new Date().toISOString().slice(0, 10);
    const key = `segments/${day}/${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}.seg`;
    const file = this.pathOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(file, 'wx');
    await this.syncDir(path.dirname(file));
    this.segment = { key, handle, size: 0 };
  }

  private async writeDurably(target: string, write: (h: fs.FileHandle) => Promise<void>): Promise<void> {
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
    await this.syncDir(path.dirname(target));
  }

  private async syncDir(dir: string): Promise<void> {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  }
}
