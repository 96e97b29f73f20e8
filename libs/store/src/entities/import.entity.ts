import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ChannelType } from '@huiliu/contracts';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

/** One rejected row of an import, as kept in the report. */
export interface ImportRejection {
  /** 1-based record number after the header row. */
  row: number | null;
  /** CSV: physical line where the record starts; XLSX: worksheet row. */
  line: number | null;
  reason: string;
  detail?: string;
  /** The row's own id when it could be read, else `<file>#row<n>`. */
  ref: string | null;
}

/**
 * One file imported into a batch channel (hotline export, letter/visit/transfer register): the stored file,
 * its progress while it runs and its result afterwards, with the rejected rows (a capped sample; the
 * counters are always complete).
 */
@Entity({ name: 'imports' })
export class ImportEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_imports' })
  id: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  @Column({ name: 'channel_type', type: 'text' })
  channelType: ChannelType;

  @Column({ name: 'file_blob_key', type: 'text' })
  fileBlobKey: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName: string;

  @Column({ name: 'file_size', type: 'bigint' })
  fileSize: string;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType: string | null;

  /** Where the import was started: the upload endpoint or the CLI. */
  @Column({ type: 'text' })
  origin: 'api' | 'cli';

  @Column({ type: 'text', default: 'queued' })
  status: ImportStatus;

  @Column({ name: 'rows_read', type: 'int', default: 0 })
  rowsRead: number;

  @Column({ type: 'int', default: 0 })
  recorded: number;

  @Column({ type: 'int', default: 0 })
  duplicates: number;

  @Column({ type: 'int', default: 0 })
  rejected: number;

  /** The first IMPORT_REPORT_MAX rejected rows. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  rejections: ImportRejection[];

  /** Facts about the file: format, encoding, sheet, header line, profile. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  facts: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false, update: false })
  updatedAt: Date;
}
