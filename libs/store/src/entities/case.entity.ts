import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One incident. Many submissions may point at one case. */
@Entity({ name: 'cases' })
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_cases' })
  id: string;

  /** Human-facing case number, assigned in order. */
  @Column({ type: 'bigint', insert: false, update: false })
  number: string;

  /** The exact-text key of cases opened before near-duplicate matching; null for later cases. */
  @Column({ name: 'dedup_key', type: 'text', nullable: true })
  dedupKey: string | null;

  /** open, closed, merged (into `mergedInto`) or empty (every member moved away). */
  @Column({ type: 'text', default: 'open' })
  status: string;

  /** What the case knows of its incident, accumulated over its members (the dedup stage's CaseFeatures). */
  @Column({ type: 'jsonb', nullable: true })
  features: Record<string, unknown> | null;

  /** Members that repeat an earlier member's complainant (重复举报). */
  @Column({ name: 'repeat_count', type: 'int', default: 0 })
  repeatCount: number;

  /** Members attached as suggested duplicates, waiting for an officer. */
  @Column({ name: 'suggested_count', type: 'int', default: 0 })
  suggestedCount: number;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto: string | null;

  @Column({ name: 'division_code', type: 'text', nullable: true })
  divisionCode: string | null;

  @Column({ name: 'division_level', type: 'text', nullable: true })
  divisionLevel: string | null;

  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ name: 'submission_count', type: 'int', default: 0 })
  submissionCount: number;

  @Column({ name: 'channel_types', type: 'text', array: true, default: () => "'{}'" })
  channelTypes: string[];

  @Column({ name: 'first_reported_at', type: 'timestamptz', nullable: true })
  firstReportedAt: Date | null;

  @Column({ name: 'last_reported_at', type: 'timestamptz', nullable: true })
  lastReportedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
