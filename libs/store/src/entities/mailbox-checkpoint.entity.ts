import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * How far a pull channel has read one IMAP mailbox: the mailbox's UIDVALIDITY and the highest UID taken
 * (recorded and acknowledged). A different UIDVALIDITY means the UIDs are no longer comparable: the
 * mailbox is read again from the start, and the inbox's source keys keep what was taken from turning into
 * second submissions.
 */
@Entity({ name: 'mailbox_checkpoints' })
export class MailboxCheckpointEntity {
  @PrimaryColumn({ name: 'channel_id', type: 'uuid', primaryKeyConstraintName: 'pk_mailbox_checkpoints' })
  channelId: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_mailbox_checkpoints' })
  folder: string;

  /** UIDVALIDITY is an unsigned 32-bit number: bigint, returned as a string by pg. */
  @Column({ name: 'uid_validity', type: 'bigint' })
  uidValidity: string;

  @Column({ name: 'last_uid', type: 'bigint', default: 0 })
  lastUid: string;

  /** How many times the mailbox was read again from the start after a UIDVALIDITY change. */
  @Column({ name: 'rescans', type: 'int', default: 0 })
  rescans: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
