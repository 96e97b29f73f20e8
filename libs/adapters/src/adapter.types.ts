import type { ChannelType, SubmissionInput } from '@huiliu/contracts';
import type { ZodType } from 'zod';

/** Bytes of an attachment that the recorder stores in the blob store before the submission row is written. */
export interface AttachmentContent {
  /** Index into submission.attachments whose blobKey/sha256 the stored bytes fill in. */
  index: number;
  content: Buffer;
}

/** One native record an adapter understood: a submission plus its raw original bytes. */
export interface AdapterAccepted {
  ok: true;
  submission: SubmissionInput;
  raw: Buffer;
  attachments: AttachmentContent[];
}

/** One native record that cannot become a submission, with a reason a person can act on. */
export interface AdapterRefused {
  ok: false;
  /** The source's natural id if it could be read, else where the record came from (file, row). */
  ref: string | null;
  reason: string;
  detail?: string;
  /** Field-level messages, for HTTP 422 answers. */
  fields?: { field: string; message: string }[];
}

export type AdapterRecord = AdapterAccepted | AdapterRefused;

export interface FileIngestContext {
  /** Size above which a single native record is refused before being parsed. */
  maxRecordBytes: number;
  maxAttachmentBytes: number;
  /** The channel being replayed into: adapters whose parsing is configured per channel (a webhook mapping) read its settings. */
  channel?: { id: string; name: string; settings: Record<string, unknown>; credentials?: Record<string, unknown> };
}

/**
 * The code of one channel type. Push adapters answer HTTP, pull adapters poll, batch adapters read files;
 * every adapter can replay native files through the same parsing path (the CLI's ingest).
 */
export interface ChannelAdapter {
  readonly type: ChannelType;
  readonly mode: 'push' | 'pull' | 'batch';
  /** Validates a channel's settings when an operator creates or changes it. */
  readonly settingsSchema: ZodType;
  /** Checks a channel's credentials against its settings (secrets are kept out of settings); messages name `credentials.…`. */
  checkCredentials?(settings: unknown, credentials: Record<string, unknown>): { path: string; message: string }[];
  /** Native files (or directories already expanded to files) → records, in input order. */
  readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord>;
}
