import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ChannelType, RawRef } from '@huiliu/contracts';

/**
 * A native record that could not be read at all (a message that crashes the parser): kept once, with its
 * raw bytes in the blob store, for a person to look at. The source is acknowledged after it is kept here,
 * so the record is not fetched and retried forever.
 */
@Entity({ name: 'dead_letters' })
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_dead_letters' })
  id: string;

  @Column({ name: 'channel_type', type: 'text' })
  channelType: ChannelType;

  @Column({ name: 'channel_id', type: 'uuid', nullable: true })
  channelId: string | null;

  /** What makes two arrivals the same dead letter (the type plus a hash of the raw bytes). Unique. */
  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey: string;

  /** Where it came from, for people: mailbox/UIDVALIDITY/UID, a file name. */
  @Column({ type: 'text' })
  origin: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ type: 'jsonb' })
  raw: RawRef;

  @Column({ type: 'bigint' })
  size: string;

  /** Arrivals of the same bytes after the first (another mailbox, a rescan). */
  @Column({ name: 'seen_count', type: 'int', default: 1 })
  seenCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;
}
