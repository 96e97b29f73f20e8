import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { AdapterRecord, AttachmentContent, ChannelAdapter, FileIngestContext } from '../adapter.types';
import { splitMbox } from './email-mbox.util';
import { parseEmail } from './email.parser';
import { EMAIL_PARSE_DEFAULTS, isEmailParseFailure, type EmailParseOptions } from './email.types';

const folderName = z.string().min(1).max(500).refine((s) => !/[\r\n\0]/.test(s), 'no line breaks or NUL');
const positiveBytes = z.number().int().positive();

/**
 * One mailbox: where it is, how to reach it, how to acknowledge what was taken and how much of a message
 * to keep. The password lives in the channel's credentials (`{ "password": "…" }`), never in settings.
 */
export const EmailChannelSettings = z
  .object({
    host: z.string().min(1).max(255),
    /** Default: 993 with `tls`, 143 otherwise. */
    port: z.number().int().min(1).max(65535).optional(),
    /** `tls`: TLS from the first byte (IMAPS); `starttls`: cleartext then mandatory STARTTLS; `none`: loopback and tests only. */
    security: z.enum(['tls', 'starttls', 'none']).default('tls'),
    /**
     * Verify the server's certificate against the system's CAs (or `tlsCa`). Turning it off accepts any
     * certificate, a man in the middle's too: prefer `tlsCa`.
     */
    tlsVerify: z.boolean().default(true),
    /**
     * PEM certificate(s) to trust for this server instead of the system's CAs: the CA of a private PKI, or
     * the server's own self-signed certificate (pinning it). The host name must still match the certificate.
     */
    tlsCa: z
      .string()
      .max(64 * 1024)
      .refine((s) => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(s), 'one or more PEM certificates (-----BEGIN CERTIFICATE-----)')
      .optional(),
    user: z.string().min(1).max(320),
    folder: folderName.default('INBOX'),
    /** `flag`: add \Seen and the keyword; `move`: move to `moveTo` (copy + expunge where the server lacks MOVE). */
    ackMode: z.enum(['flag', 'move']).default('flag'),
    ackKeyword: z.string().regex(/^\$?[A-Za-z0-9_.-]{1,64}$/, 'an IMAP keyword such as $HuiliuTaken').default('$HuiliuTaken'),
    moveTo: folderName.optional(),
    /** Polling besides IDLE (IDLE connections die silently): every this many seconds. */
    pollIntervalSeconds: z.number().int().min(1).max(3600).default(60),
    /** Messages larger than this are not downloaded whole: the headers and text are kept, the attachments refused. */
    maxMessageBytes: positiveBytes.optional(),
    maxAttachmentBytes: positiveBytes.optional(),
    maxTotalAttachmentBytes: positiveBytes.optional(),
    allowedContentTypes: z.array(z.string().regex(/^[a-z0-9.+-]+\/(\*|[a-z0-9.+-]+)$/i, 'type/subtype or type/*')).max(100).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.ackMode === 'move' && !s.moveTo) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['moveTo'], message: 'required when ackMode is move' });
    if (s.ackMode === 'move' && s.moveTo === s.folder) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['moveTo'], message: 'must differ from folder' });
  });
export type EmailChannelSettings = z.output<typeof EmailChannelSettings>;

export const EmailChannelCredentials = z.object({ password: z.string().min(1) }).passthrough();

/** Message size above which a file or an IMAP message is not read whole (default; channels may set their own). */
export const EMAIL_DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** What one raw message became: a record for the inbox, or a poison message for the dead-letter store. */
export type EmailReadOutcome =
  | { kind: 'accepted'; record: Extract<AdapterRecord, { ok: true }>; warnings: string[] }
  | { kind: 'poison'; detail: string; reason: 'unparseable' | 'empty_message' | 'not_an_email' };

/** Header fields that only e-mail carries, at the start of a line: one of them tells a message from any other file. */
const MAIL_HEADER_LINE =
  /^(from|to|cc|bcc|subject|date|message-id|in-reply-to|references|reply-to|sender|return-path|received|delivered-to|mime-version|content-type|content-transfer-encoding|content-disposition|dkim-signature|authentication-results|list-[a-z-]+|x-[a-z0-9-]+)[ \t]*:/im;
/** Lines looked at for one: junk before the header (an SMTP envelope, a cut-off Received) is tolerated. */
const HEADER_SEARCH_LINES = 200;

/**
 * Why these bytes are not an e-mail message, or null. A file of something else (a script, a JSON report)
 * fed to the e-mail channel would otherwise become a "message" whose body is the whole file.
 */
export function notAnEmail(raw: Buffer): { reason: 'empty_message' | 'not_an_email'; detail: string } | null {
  if (raw.length === 0 || (raw.length <= 4096 && /^\s*$/.test(raw.toString('latin1')))) {
    return { reason: 'empty_message', detail: 'the message is empty' };
  }
  let end = 0;
  for (let line = 0; line < HEADER_SEARCH_LINES && end !== -1; line++) end = raw.indexOf(0x0a, end + 1);
  const head = raw.subarray(0, end === -1 ? Math.min(raw.length, 256 * 1024) : end).toString('latin1');
  if (MAIL_HEADER_LINE.test(head)) return null;
  return { reason: 'not_an_email', detail: `no e-mail header field (From:, Subject:, Content-Type:, …) in the first ${HEADER_SEARCH_LINES} lines` };
}

/**
 * The one path from raw bytes to an inbox record, shared by the IMAP runner and file backfill. Never throws:
 * a parser crash is a poison message.
 */
export async function readEmail(raw: Buffer, opts: EmailParseOptions = {}): Promise<EmailReadOutcome> {
  const notMail = notAnEmail(raw);
  if (notMail) return { kind: 'poison', ...notMail };
  let result;
  try {
    result = await parseEmail(raw, opts);
  } catch (err) {
    return { kind: 'poison', reason: 'unparseable', detail: `parser crashed: ${(err as Error)?.message ?? String(err)}`.slice(0, 500) };
  }
  if (isEmailParseFailure(result)) return { kind: 'poison', reason: 'unparseable', detail: result.error.detail };
  const attachments: AttachmentContent[] = [];
  result.attachments.forEach((a, index) => {
    if (a.content) attachments.push({ index, content: a.content });
  });
  return { kind: 'accepted', record: { ok: true, submission: result.submission, raw, attachments }, warnings: result.warnings };
}

/** Parse options from a channel's settings; unset caps keep the parser's defaults. */
export function emailParseOptions(settings: Partial<Pick<EmailChannelSettings, 'maxAttachmentBytes' | 'maxTotalAttachmentBytes' | 'allowedContentTypes'>>, fallback: EmailParseOptions = {}): EmailParseOptions {
  return {
    ...fallback,
    ...(settings.maxAttachmentBytes ? { maxAttachmentBytes: settings.maxAttachmentBytes } : {}),
    ...(settings.maxTotalAttachmentBytes ? { maxTotalAttachmentBytes: settings.maxTotalAttachmentBytes } : {}),
    ...(settings.allowedContentTypes ? { allowedContentTypes: settings.allowedContentTypes } : {}),
  };
}

/** An mbox starts with a From_ line ("From sender date"); an .eml starts with a header field. */
function looksLikeMbox(head: Buffer): boolean {
  const line = head.subarray(0, Math.max(0, head.indexOf(0x0a)) || head.length).toString('latin1');
  return /^From \S+ .*\d/.test(line);
}

async function readHead(file: string, n = 512): Promise<Buffer> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await h.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

async function expand(p: string): Promise<string[]> {
  const stat = await fs.stat(p);
  if (!stat.isDirectory()) return [p];
  const names = (await fs.readdir(p)).filter((n) => !n.startsWith('.') && n.toLowerCase() !== 'readme.md').sort();
  const out: string[] = [];
  for (const n of names) out.push(...(await expand(path.join(p, n))));
  return out;
}

/**
 * E-mail: pulled from IMAP mailboxes by the worker's e-mail runner; `.eml` files, directories of them and
 * mbox files through the CLI, by the same parsing path.
 */
export class EmailAdapter implements ChannelAdapter {
  readonly type = 'email' as const;
  readonly mode = 'pull' as const;
  readonly settingsSchema = EmailChannelSettings;

  constructor(private readonly opts: { parse?: EmailParseOptions; maxMessageBytes?: number } = {}) {}

  async *readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    // E-mail has caps of its own: the web body limit in ctx is far below what mail with photos needs.
    void ctx;
    const parse = { ...EMAIL_PARSE_DEFAULTS, ...this.opts.parse };
    const maxMessageBytes = this.opts.maxMessageBytes ?? EMAIL_DEFAULT_MAX_MESSAGE_BYTES;
    for (const input of paths) {
      for (const file of await expand(input)) {
        const name = path.basename(file);
        if (looksLikeMbox(await readHead(file))) {
          let n = 0;
          for await (const raw of splitMbox(createReadStream(file))) {
            n++;
            yield this.one(raw, `${name}#${n}`, parse, maxMessageBytes);
          }
          continue;
        }
        const stat = await fs.stat(file);
        if (stat.size > maxMessageBytes) {
          yield { ok: false, ref: name, reason: 'oversized_message', detail: `${stat.size} bytes is over the ${maxMessageBytes}-byte message limit` };
          continue;
        }
        yield this.one(await fs.readFile(file), name, parse, maxMessageBytes);
      }
    }
  }

  private async one(raw: Buffer, origin: string, parse: EmailParseOptions, maxMessageBytes: number): Promise<AdapterRecord> {
    if (raw.length > maxMessageBytes) return { ok: false, ref: origin, reason: 'oversized_message', detail: `${raw.length} bytes is over the ${maxMessageBytes}-byte message limit` };
    const out = await readEmail(raw, parse);
    if (out.kind === 'poison') return { ok: false, ref: origin, reason: out.reason, detail: out.detail };
    return out.record;
  }
}
