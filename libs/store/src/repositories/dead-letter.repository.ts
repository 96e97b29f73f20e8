import type { DataSource } from 'typeorm';
import type { ChannelType, RawRef } from '@huiliu/contracts';

export interface NewDeadLetter {
  channelType: ChannelType;
  channelId: string | null;
  dedupKey: string;
  origin: string;
  reason: string;
  detail: string | null;
  raw: RawRef;
  size: number;
}

export interface DeadLetterRow {
  id: string;
  channelType: ChannelType;
  channelId: string | null;
  origin: string;
  reason: string;
  detail: string | null;
  raw: RawRef;
  size: number;
  seenCount: number;
  createdAt: Date;
  lastSeenAt: Date;
}

/** The dead-letter store: one row per distinct unreadable record, however often it arrives. */
export class DeadLetterRepository {
  constructor(private readonly ds: DataSource) {}

  /** Keeps the record once; a second arrival of the same bytes only counts. `created` says which. */
  async record(d: NewDeadLetter): Promise<{ id: string; created: boolean }> {
    const rows: { id: string; created: boolean }[] = await this.ds.query(
      `INSERT INTO dead_letters (channel_type, channel_id, dedup_key, origin, reason, detail, raw, size)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ON CONSTRAINT uq_dead_letters_dedup_key DO UPDATE
         SET seen_count = dead_letters.seen_count + 1, last_seen_at = now()
       RETURNING id, (xmax = 0) AS created`,
      [d.channelType, d.channelId, d.dedupKey, d.origin.slice(0, 1000), d.reason, d.detail?.slice(0, 2000) ?? null, JSON.stringify(d.raw), d.size],
    );
    return rows[0];
  }

  /** Newest first, paged by creation time. */
  async list(opts: { channelType?: ChannelType; channelId?: string; before?: Date; limit?: number } = {}): Promise<DeadLetterRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.channelType) where.push(`channel_type = $${params.push(opts.channelType)}`);
    if (opts.channelId) where.push(`channel_id = $${params.push(opts.channelId)}`);
    if (opts.before) where.push(`created_at < $${params.push(opts.before)}`);
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT id, channel_type, channel_id, origin, reason, detail, raw, size, seen_count, created_at, last_seen_at FROM dead_letters
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${limit}`,
      params,
    );
    return rows.map(toRow);
  }

  async get(id: string): Promise<DeadLetterRow | null> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT id, channel_type, channel_id, origin, reason, detail, raw, size, seen_count, created_at, last_seen_at FROM dead_letters WHERE id = $1`,
      [id],
    );
    return rows.length ? toRow(rows[0]) : null;
  }
}

function toRow(r: Record<string, unknown>): DeadLetterRow {
  return {
    id: r.id as string,
    channelType: r.channel_type as ChannelType,
    channelId: (r.channel_id as string | null) ?? null,
    origin: r.origin as string,
    reason: r.reason as string,
    detail: (r.detail as string | null) ?? null,
    raw: r.raw as RawRef,
    size: Number(r.size),
    seenCount: r.seen_count as number,
    createdAt: r.created_at as Date,
    lastSeenAt: r.last_seen_at as Date,
  };
}
