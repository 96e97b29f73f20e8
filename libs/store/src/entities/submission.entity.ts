import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ChannelType, Complainant, Judgement, RawRef, Submission, SubmissionStatus } from '@huiliu/contracts';

/**
 * The inbox and the record of every submission. A row is written (with its raw original durable in the
 * blob store) before any source is acknowledged; the pipeline later fills its disposition.
 */
@Entity({ name: 'submissions' })
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_submissions' })
  id: string;

  /** Recording order; a stable cursor for exports and consumers that page through submissions. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'source_key', type: 'text' })
  sourceKey: string;

  @Column({ name: 'channel_type', type: 'text' })
  channelType: ChannelType;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  @Column({ type: 'text' })
  ref: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  refs: string[];

  @Column({ name: 'schema_version', type: 'int' })
  schemaVersion: number;

  /** The normalized submission without its complainant (kept apart: confidential). */
  @Column({ type: 'jsonb' })
  payload: Omit<Submission, 'complainant'>;

  @Column({ type: 'jsonb' })
  complainant: Complainant;

  @Column({ type: 'jsonb' })
  raw: RawRef;

  @Column({ type: 'text', default: 'pending' })
  status: SubmissionStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'text', nullable: true })
  referral: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  flags: string[];

  /** The pipeline's full judgement with its reasons. */
  @Column({ type: 'jsonb', nullable: true })
  judgement: Judgement | null;

  @Column({ name: 'division_code', type: 'text', nullable: true })
  divisionCode: string | null;

  @Column({ name: 'division_level', type: 'text', nullable: true })
  divisionLevel: string | null;

  @Column({ name: 'division_candidates', type: 'text', array: true, default: () => "'{}'" })
  divisionCandidates: string[];

  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: string[];

  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId: string | null;

  /** How it joined its case: new, auto, suggested, confirmed or manual. */
  @Column({ type: 'text', nullable: true })
  match: string | null;

  /** Opaque key of the complainant (HMAC of phone, e-mail or handle), never the value itself. */
  @Column({ name: 'complainant_key', type: 'text', nullable: true })
  complainantKey: string | null;

  /** The same complainant already reported this case (重复举报). */
  @Column({ name: 'repeat_petition', type: 'boolean', default: false })
  repeatPetition: boolean;

  /**
   * The case an amended submission was in when its text changed, until it is judged again: that case still
   * carries the old text and is rebuilt from its members then.
   */
  @Column({ name: 'amended_case_id', type: 'uuid', nullable: true })
  amendedCaseId: string | null;

  /** The dedup decision: score, reasons and the case it was compared with. */
  @Column({ type: 'jsonb', nullable: true })
  dedup: { decision: string; score: number; reasons: string[]; candidates: number } | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'replay_count', type: 'int', default: 0 })
  replayCount: number;
}
