import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sourceKeyOf, type SubmissionInput } from '@huiliu/contracts';
import {
  LetterEntrySchema,
  letterEntryToSubmission,
  TransferEntrySchema,
  transferEntryToSubmission,
  VisitEntrySchema,
  visitEntryToSubmission,
} from '@huiliu/adapters';
import type { BlobStore } from '@huiliu/platform';
import type { ChannelEntity, ImportRepository, SubmissionRepository } from '@huiliu/store';
import type { DataSource } from 'typeorm';
import type { InboxRecorder } from '../inbox-recorder';
import { withAdvisoryLock } from './advisory-lock.util';

export const REGISTRATION_TYPES = ['letter', 'visit', 'transfer'] as const;
export type RegistrationType = (typeof REGISTRATION_TYPES)[number];

/** A scanned page or attachment as posted: the bytes in base64, stored in the blob store before recording. */
const UploadedPage = z.object({
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(1).max(128).default('application/pdf'),
  dataBase64: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, 'base64'),
});
export type UploadedPage = z.infer<typeof UploadedPage>;

/** Prefixes of generated registration numbers: 来信 LX, 来访 LF, 转办 ZB. */
const PREFIX: Record<RegistrationType, string> = { letter: 'LX', visit: 'LF', transfer: 'ZB' };
const PAGES_FIELD: Partial<Record<RegistrationType, 'scannedPages' | 'attachments'>> = { letter: 'scannedPages', transfer: 'attachments' };

export class RegistrationInvalidError extends Error {
  constructor(readonly fields: { field: string; message: string }[]) {
    super(`invalid registration: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
    this.name = 'RegistrationInvalidError';
  }
}

export interface RegistrationOutcome {
  id: string;
  /** The natural id: the office's registration number, or the generated one. */
  ref: string;
  generated: boolean;
  /** True when this registration was already recorded (same number), or folded into an earlier one. */
  duplicate: boolean;
  /** Set when a letter already registered under another number (same sender, date and scans) took this number. */
  foldedInto: string | null;
  status: string;
}

/**
 * Staff register one letter, visit or transfer at a time. The entry becomes a submission through the same
 * inbox as every channel; its natural id is the office's registration number (or a generated one, stable for
 * one Idempotency-Key), so a repeated registration is recognised.
 */
export class RegistrationService {
  constructor(
    private readonly deps: { recorder: InboxRecorder; imports: ImportRepository; submissions: SubmissionRepository; blobs: BlobStore; dataSource: DataSource; maxPageBytes: number },
  ) {}

  async register(channel: ChannelEntity, body: unknown, opts: { idempotencyKey?: string | null } = {}): Promise<RegistrationOutcome> {
    const type = channel.type as RegistrationType;
    if (!REGISTRATION_TYPES.includes(type)) throw new RegistrationInvalidError([{ field: 'type', message: `registrations are for letter, visit and transfer channels, not ${channel.type}` }]);
    const input = { ...((body && typeof body === 'object' ? body : {}) as Record<string, unknown>) };

    const pagesField = PAGES_FIELD[type];
    if (pagesField && input[pagesField] !== undefined) input[pagesField] = await this.storePages(pagesField, input[pagesField]);

    const generatedRef = generateRef(type, opts.idempotencyKey ?? null);
    let submission: SubmissionInput;
    let identity: string | null = null;
    if (type === 'letter') {
      const entry = parseOr422(LetterEntrySchema, input);
      ({ submission, identity } = letterEntryToSubmission(entry, { generatedRef }));
      if (identity) submission.extra = { ...submission.extra, letterIdentity: identity };
    } else if (type === 'visit') submission = visitEntryToSubmission(parseOr422(VisitEntrySchema, input), { generatedRef });
    else submission = transferEntryToSubmission(parseOr422(TransferEntrySchema, input), { generatedRef });
    const generated = submission.ref === generatedRef;

    const raw = Buffer.from(JSON.stringify({ type, entry: input, registeredAt: new Date().toISOString() }));
    const record = async (): Promise<RegistrationOutcome> => {
      if (type === 'letter') {
        const folded = await this.foldLetter(submission.ref, identity, generated);
        if (folded) return folded;
      }
      const outcome = await this.deps.recorder.record({ channelId: channel.id, submission, raw, rawContentType: 'application/json' });
      return { id: outcome.id, ref: submission.ref, generated, duplicate: !outcome.created, foldedInto: null, status: outcome.status };
    };
    // The same letter posted twice at once (two desks, a double click) must not become two submissions: the
    // look-up for an earlier registration and the recording of this one happen under one lock per letter.
    return identity ? withAdvisoryLock(this.deps.dataSource, `letter-identity:${identity}`, record) : record();
  }

  /** A letter already registered (this number, or the same letter under another number): the outcome, else null. */
  private async foldLetter(ref: string, identity: string | null, generated: boolean): Promise<RegistrationOutcome | null> {
    // The number already on a letter (its own, or folded into another letter's refs): a repeat.
    const knownId = (await this.deps.imports.refsAlreadyKnown('letter', [ref])).get(ref);
    if (knownId) {
      const existing = await this.deps.submissions.findById(knownId);
      return { id: knownId, ref, generated, duplicate: true, foldedInto: null, status: existing?.status ?? 'pending' };
    }
    const holder = identity ? (await this.deps.imports.findLettersByIdentity([identity])).get(identity) : undefined;
    if (holder && holder.sourceKey !== sourceKeyOf('letter', ref)) {
      await this.deps.imports.foldRefs(holder.id, [ref]);
      const existing = await this.deps.submissions.findById(holder.id);
      return { id: holder.id, ref, generated, duplicate: true, foldedInto: holder.id, status: existing?.status ?? 'pending' };
    }
    return null;
  }

  /** Decodes and stores posted pages; returns the page metadata the entry schemas expect. */
  private async storePages(field: string, value: unknown) {
    const parsed = z.array(UploadedPage).max(200).safeParse(value);
    if (!parsed.success) throw new RegistrationInvalidError(parsed.error.issues.map((i) => ({ field: [field, ...i.path].join('.'), message: i.message })));
    const pages = [];
    for (const [i, p] of parsed.data.entries()) {
      const bytes = Buffer.from(p.dataBase64.replace(/\s+/g, ''), 'base64');
      if (bytes.length === 0) throw new RegistrationInvalidError([{ field: `${field}.${i}.dataBase64`, message: 'empty page' }]);
      if (bytes.length > this.deps.maxPageBytes) throw new RegistrationInvalidError([{ field: `${field}.${i}.dataBase64`, message: `page larger than ${this.deps.maxPageBytes} bytes` }]);
      const blobKey = await this.deps.blobs.put(bytes);
      pages.push({ filename: p.filename, contentType: p.contentType, size: bytes.length, blobKey, sha256: blobKey.slice(blobKey.lastIndexOf('/') + 1) });
    }
    return pages;
  }
}

function parseOr422<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new RegistrationInvalidError(r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
  return r.data;
}

/** A registration number when staff gave none: stable for one Idempotency-Key, else fresh. */
export function generateRef(type: RegistrationType, idempotencyKey: string | null): string {
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
  if (idempotencyKey) return `${PREFIX[type]}-K${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
  return `${PREFIX[type]}${day}-G${randomBytes(5).toString('hex')}`;
}
