import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelType } from '@huiliu/contracts';

/** One configured source of a channel type: this mailbox, that bot, this city's hotline export. */
@Entity({ name: 'channels' })
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_channels' })
  id: string;

  @Column({ type: 'text' })
  type: ChannelType;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  settings: Record<string, unknown>;

  /** Secrets (passwords, tokens). Never returned by the API and never logged. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  credentials: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** The division this channel serves (a county bureau's mailbox): a clue for the locate stage. */
  @Column({ name: 'home_division', type: 'text', nullable: true })
  homeDivision: string | null;

  /** The channel that ingest by channel type uses; at most one per type. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
