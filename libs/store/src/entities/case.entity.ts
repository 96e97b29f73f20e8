import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One incident. Many submissions may point at one case. */
@Entity({ name: 'cases' })
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_cases' })
  id: string;

  /** Human-facing case number, assigned in order. */
  @Column({ type: 'bigint', insert: false, update: false })
  number: string;

  /** What makes two submissions the same incident; unique so concurrent workers converge on one case. */
  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey: string;

  @Column({ type: 'text', default: 'open' })
  status: string;

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
