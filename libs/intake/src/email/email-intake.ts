import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SubmissionValidationError, type Attachment } from '@huiliu/contracts';
import { readEmail, type EmailParseOptions } from '@huiliu/adapters';
import type { BlobStore } from '@huiliu/platform';
import type { DeadLetterRepository } from '@huiliu/store';
import type { InboxRecorder } from '../inbox-recorder';

/** The whole original of a message over the size cap, already stored in the blob store. */
export interface OversizeOriginal {
  blobKey: string;
  size: number;
  sha256: string;
  /** Parts not fetched, listed on the submission as refused. */
  refused: Attachment[];
}

export interface EmailTakeInput {
  channelId: string;
  raw: Buffer;
  /** Where the message came from, for people (mailbox, UIDVALIDITY, UID); never personal data. */
  origin: string;
  parse: EmailParseOptions;
  oversize?: OversizeOriginal;
}

export type EmailTakeOutcome = 'recorded' | 'duplicate' | 'dead_letter';

/**
 * One raw message into the inbox: parsed, then recorded (row + raw bytes + attachments durable) or, when it
 * cannot be read, kept once in the dead-letter store. Resolves only when the outcome is durable, so the
 * caller may acknowledge the message at the source; throws when nothing durable happened (inbox down).
 */
export class EmailIntake {
  constructor(private readonly deps: { recorder: InboxRecorder; deadLetters: DeadLetterRepository; blobs: BlobStore; logger: Logger }) {}

  async take(input: EmailTakeInput): Promise<EmailTakeOutcome> {
    const out = await readEmail(input.raw, input.parse);
    if (out.kind === 'poison') return this.deadLetter(input, out.reason, out.detail);
    const { submission, raw, attachments } = out.record;
    if (input.oversize) {
      const o = input.oversize;
      submission.attachments = [...(submission.attachments ?? []), ...o.refused];
      submission.flags = [...new Set([...(submission.flags ?? []), 'oversize_message'])].sort();
      submission.extra = { ...(submission.extra ?? {}), rawOriginal: { blobKey: o.blobKey, size: o.size, sha256: o.sha256 } };
    }
    // Attachments are stored here, all at once and beside the other messages' (the recorder would store them
    // one after another inside its commit); the submission then points at them.
    await Promise.all(
      attachments.map(async (a) => {
        const meta = submission.attachments?.[a.index];
        if (!meta) return;
        meta.blobKey = await this.deps.blobs.put(a.content);
        meta.sha256 = meta.blobKey.slice(meta.blobKey.lastIndexOf('/') + 1);
      }),
    );
    try {
      const r = await this.deps.recorder.record({ channelId: input.channelId, submission, raw, rawContentType: 'message/rfc822' });
      return r.created ? 'recorded' : 'duplicate';
    } catch (err) {
      // A message the parser read but the schema refuses is as unreadable as one that crashed the parser.
      if (err instanceof SubmissionValidationError) return this.deadLetter(input, 'invalid_submission', err.message);
      throw err;
    }
  }

  private async deadLetter(input: EmailTakeInput, reason: string, detail: string): Promise<EmailTakeOutcome> {
    const sha = createHash('sha256').update(input.raw).digest('hex');
    const raw = input.oversize
      ? { blobKey: input.oversize.blobKey, offset: null, length: null, contentType: 'message/rfc822' }
      : { blobKey: await this.deps.blobs.put(input.raw), offset: null, length: null, contentType: 'message/rfc822' };
    const size = input.oversize?.size ?? input.raw.length;
    const r = await this.deps.deadLetters.record({
      channelType: 'email',
      channelId: input.channelId,
      dedupKey: `email:sha256:${input.oversize?.sha256 ?? sha}`,
      origin: input.origin,
      reason,
      detail,
      raw,
      size,
    });
    if (r.created) this.deps.logger.warn({ channelId: input.channelId, origin: input.origin, reason, deadLetter: r.id }, 'e-mail message kept in the dead-letter store');
    return 'dead_letter';
  }
}
