import { createHash } from 'node:crypto';
import type { Attachment, SubmissionInput } from '@huiliu/contracts';
import { cleanFilename, effectiveContentType, isAllowedType } from './email-attachment.util';
import { detectReject, summarizeDsn } from './email-autoreply.rules';
import { decodeText } from './email-charset.util';
import {
  decodeHeaderBytes,
  headerValue,
  messageIdOf,
  parseAddressHeader,
  parseStructuredHeader,
  type ParsedAddress,
  type RawHeader,
} from './email-header.util';
import { htmlToText, looksLikeHtmlStub } from './email-html.util';
import { MimeLimitError, parseMimeTree, type MimePart } from './email-mime.parser';
import { separateQuoted } from './email-quote.util';
import { bodyOffset, contentHashRef, refFromMessageId } from './email-ref.util';
import {
  EMAIL_PARSE_DEFAULTS,
  type AttachmentRefusal,
  type EmailAttachmentOut,
  type EmailParseOptions,
  type EmailParseResult,
  type ResolvedEmailParseOptions,
} from './email.types';

/** One message read from its bytes, before it is shaped into a submission (attached messages use it too). */
interface ReadMessage {
  headers: RawHeader[];
  hintCharset: string | null;
  subject: string | null;
  from: ParsedAddress;
  body: string;
  htmlOnly: boolean;
  attachmentParts: MimePart[];
  embedded: ReadMessage[];
  partTypes: string[];
  reportType: string | null;
  dsnSummary: string | null;
  flags: Set<string>;
  warnings: string[];
}

interface WalkContext {
  msg: ReadMessage;
  texts: { text: string; html: boolean }[];
  embeddedParts: MimePart[];
  inReport: boolean;
}

function resolveOptions(opts: EmailParseOptions): ResolvedEmailParseOptions {
  const o = { ...EMAIL_PARSE_DEFAULTS } as ResolvedEmailParseOptions;
  for (const [k, v] of Object.entries(opts) as [keyof ResolvedEmailParseOptions, unknown][]) {
    if (v === undefined || v === null) continue;
    if (k === 'allowedContentTypes') {
      if (Array.isArray(v)) o.allowedContentTypes = v.map(String);
      continue;
    }
    // A limit that is not a non-negative number would silently switch the limit off: refuse it loudly.
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`email parse option ${k} must be a non-negative number`);
    (o as Record<string, unknown>)[k] = v;
  }
  return o;
}

/**
 * Reads one e-mail message from its raw bytes into a submission of channel type `email`, with the attachments'
 * bytes beside it. Never throws for any input: a message that cannot be read at all (or breaks a safety
 * limit) comes back as `{ error: { reason: 'unparseable', detail } }` for the dead-letter store.
 */
export async function parseEmail(raw: Buffer, opts: EmailParseOptions = {}): Promise<EmailParseResult> {
  const o = resolveOptions(opts);
  const deadline = Date.now() + o.timeBudgetMs;
  try {
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
    const msg = await readMessage(buf, o, deadline, 0);
    return buildResult(buf, msg, o);
  } catch (err) {
    const detail = err instanceof MimeLimitError ? `limit: ${err.message}` : err instanceof Error ? err.message : String(err);
    return { error: { reason: 'unparseable', detail: detail.slice(0, 500) } };
  }
}

async function readMessage(raw: Buffer, o: ResolvedEmailParseOptions, deadline: number, depth: number): Promise<ReadMessage> {
  const tree = await parseMimeTree(raw, {
    maxNestingDepth: o.maxNestingDepth,
    maxHeaderLines: o.maxHeaderLines,
    maxParts: o.maxParts,
    deadline,
    skipAfterBytes: Math.min(o.maxAttachmentBytes, o.maxTextBytes),
    shouldSkip: (contentType, headers, estimate) => {
      const disposition = parseStructuredHeader(headerValue(headers, 'content-disposition')).value;
      const isBodyText = (contentType === 'text/plain' || contentType === 'text/html') && disposition !== 'attachment';
      return isBodyText ? estimate > o.maxTextBytes * 2 : estimate > o.maxAttachmentBytes;
    },
  });

  const contentType = parseStructuredHeader(headerValue(tree.headers, 'content-type'));
  const hintCharset = contentType.params.charset ?? firstTextCharset(tree);
  const msg: ReadMessage = {
    headers: tree.headers,
    hintCharset,
    subject: null,
    from: { name: null, address: null },
    body: '',
    htmlOnly: false,
    attachmentParts: [],
    embedded: [],
    partTypes: [],
    reportType: null,
    dsnSummary: null,
    flags: new Set(),
    warnings: [],
  };

  const subjectRaw = headerValue(tree.headers, 'subject');
  if (subjectRaw) {
    const d = decodeHeaderBytes(subjectRaw, hintCharset);
    msg.subject = d.text.replace(/\s+/g, ' ').trim() || null;
    noteDecoding(msg, 'Subject', d);
  }
  const fromRaw = headerValue(tree.headers, 'from');
  if (fromRaw) {
    const a = parseAddressHeader(fromRaw, hintCharset);
    msg.from = { name: a.name, address: a.address };
    noteDecoding(msg, 'From', a);
  }

  const ctx: WalkContext = { msg, texts: [], embeddedParts: [], inReport: false };
  walk(tree, ctx, false);

  msg.htmlOnly = ctx.texts.length > 0 && ctx.texts.every((t) => t.html);
  msg.body = ctx.texts.map((t) => t.text).filter((t) => t.trim()).join('\n\n');

  for (const part of ctx.embeddedParts) {
    if (depth + 1 > o.maxEmbeddedDepth || !part.content) {
      msg.attachmentParts.push(part);
      continue;
    }
    msg.embedded.push(await readMessage(part.content, o, deadline, depth + 1));
  }
  return msg;
}

function firstTextCharset(part: MimePart): string | null {
  if (!part.multipart) {
    if (!part.contentType.startsWith('text/')) return null;
    return parseStructuredHeader(headerValue(part.headers, 'content-type')).params.charset ?? null;
  }
  for (const child of part.children) {
    const c = firstTextCharset(child);
    if (c) return c;
  }
  return null;
}

function noteDecoding(msg: ReadMessage, where: string, d: { repaired: boolean; lossy: boolean }): void {
  if (d.repaired) {
    msg.flags.add('charset_repaired');
    msg.warnings.push(`${where}: charset repaired`);
  }
  if (d.lossy) {
    msg.flags.add('undecodable_bytes');
    msg.warnings.push(`${where}: bytes not decodable in any charset`);
  }
}

function walk(part: MimePart, ctx: WalkContext, attachmentsOnly: boolean): void {
  const ctParams = parseStructuredHeader(headerValue(part.headers, 'content-type')).params;
  if (part.multipart) {
    ctx.msg.partTypes.push(`multipart/${part.multipart}`);
    if (part.children.length === 0) {
      // A multipart without a (matching) boundary: postal-mime kept the body whole. Read it as text rather
      // than lose it.
      if (part.content && part.content.length && !attachmentsOnly) {
        ctx.msg.flags.add('multipart_without_boundary');
        addText(ctx, part, ctParams.charset ?? null, false);
      }
      return;
    }
    if (part.multipart === 'report') {
      ctx.inReport = true;
      ctx.msg.reportType = ctParams['report-type'] ?? null;
    }
    if (part.multipart === 'alternative' && !attachmentsOnly) {
      const chosen = chooseAlternative(part);
      for (const child of part.children) walk(child, ctx, child !== chosen);
      return;
    }
    for (const child of part.children) walk(child, ctx, attachmentsOnly);
    return;
  }

  const type = part.contentType;
  ctx.msg.partTypes.push(type);
  const disposition = parseStructuredHeader(headerValue(part.headers, 'content-disposition')).value;

  if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
    if (part.content) ctx.msg.dsnSummary = summarizeDsn(decodeText(part.content, 'utf-8').text);
    return;
  }
  // The returned headers or message inside a report are evidence of what bounced, not content.
  if (ctx.inReport && (type === 'text/rfc822-headers' || type === 'message/rfc822' || type === 'message/global-headers')) return;
  if (type === 'message/rfc822' || type === 'message/global') {
    ctx.embeddedParts.push(part);
    return;
  }
  if ((type === 'text/plain' || type === 'text/html') && disposition !== 'attachment') {
    if (!attachmentsOnly) addText(ctx, part, ctParams.charset ?? null, type === 'text/html');
    return;
  }
  ctx.msg.attachmentParts.push(part);
}

/** The child of a multipart/alternative to read: plain text unless it is empty or a stub pointing at the HTML. */
function chooseAlternative(part: MimePart): MimePart | null {
  const find = (p: MimePart, type: string): boolean =>
    p.multipart ? p.children.some((c) => find(c, type)) : p.contentType === type;
  const plain = part.children.find((c) => find(c, 'text/plain')) ?? null;
  const html = part.children.find((c) => find(c, 'text/html')) ?? null;
  if (plain && html && !plain.multipart && plain.content && looksLikeHtmlStub(decodeText(plain.content, null).text)) return html;
  return plain ?? html ?? part.children[part.children.length - 1] ?? null;
}

function addText(ctx: WalkContext, part: MimePart, charset: string | null, html: boolean): void {
  if (!part.content) {
    ctx.msg.flags.add('text_too_large');
    ctx.msg.warnings.push(`${part.contentType} part of ~${part.skippedSize ?? 0} bytes not read: over the text limit`);
    return;
  }
  const d = decodeText(part.content, charset);
  if (d.repaired) {
    ctx.msg.flags.add('charset_repaired');
    ctx.msg.warnings.push(`${part.contentType} body: declared charset ${charset ?? '(none)'}, read as ${d.charset}`);
  }
  if (d.lossy) {
    ctx.msg.flags.add('undecodable_bytes');
    ctx.msg.warnings.push(`${part.contentType} body: bytes not decodable in any charset`);
  }
  ctx.texts.push({ text: html ? htmlToText(d.text) : d.text, html });
}

function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/g, '')
    .replace(/[ \t\u00a0]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function submittedAt(headers: RawHeader[], flags: Set<string>): string | null {
  const raw = headerValue(headers, 'date');
  if (!raw) {
    flags.add('missing_date');
    return null;
  }
  // Comments such as "(CST)" are not part of the date; Date.parse accepts the RFC 5322 rest.
  const text = raw.toString('latin1').replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const t = Date.parse(text);
  const year = Number.isFinite(t) ? new Date(t).getUTCFullYear() : NaN;
  if (!Number.isFinite(t) || year < 1990 || year > 2200) {
    flags.add('invalid_date');
    return null;
  }
  return new Date(t).toISOString();
}

function buildResult(raw: Buffer, msg: ReadMessage, o: ResolvedEmailParseOptions): EmailParseResult {
  const flags = new Set(msg.flags);
  const warnings = [...msg.warnings];
  const header = (name: string): string | null => {
    const v = headerValue(msg.headers, name);
    return v ? decodeHeaderBytes(v, msg.hintCharset).text.trim() : null;
  };

  // Source key material.
  const messageId = messageIdOf(headerValue(msg.headers, 'message-id'));
  let ref: string;
  if (messageId) ref = refFromMessageId(messageId);
  else {
    ref = contentHashRef(msg.headers, raw.subarray(bodyOffset(raw)));
    flags.add('missing_message_id');
  }

  // Text: the complainant's own words, or the forwarded complaint.
  const separated = separateQuoted(normalizeText(msg.body), msg.subject);
  let text = separated.text;
  let forwardedFrom: string | null = separated.forwardedHeaders?.from ?? separated.forwardedHeaders?.['发件人'] ?? null;
  if (separated.forwarded) flags.add('forwarded');
  if (separated.quoted) flags.add('quoted_reply_removed');
  if (msg.embedded.length) {
    // Attached messages (message/rfc822) are forwarded originals: their words are the complaint.
    flags.add('forwarded');
    const inner = msg.embedded.map((m) => separateQuoted(normalizeText(m.body), m.subject).text || m.subject || '').filter(Boolean);
    text = [text, ...inner].filter(Boolean).join('\n\n');
    const f = msg.embedded[0].from;
    forwardedFrom ??= f.address ? (f.name ? `${f.name} <${f.address}>` : f.address) : null;
    for (const m of msg.embedded) {
      for (const fl of m.flags) flags.add(fl);
      warnings.push(...m.warnings.map((w) => `attached message: ${w}`));
    }
  }
  if (msg.htmlOnly) flags.add('html_only');
  if (text.length > o.maxTextBytes) {
    text = text.slice(0, o.maxTextBytes);
    flags.add('text_truncated');
  }
  if (!text) flags.add('empty_body');

  // Attachments: the message's own and those of attached messages.
  const attachments: EmailAttachmentOut[] = [];
  let kept = 0;
  const parts = [...msg.attachmentParts, ...msg.embedded.flatMap(allAttachmentParts)];
  for (const part of parts) {
    const out = shapeAttachment(part, msg.hintCharset, o, kept);
    if (out.content) kept += out.content.length;
    if (out.meta.refused) {
      flags.add('attachment_refused');
      warnings.push(`attachment ${out.meta.filename ?? '(unnamed)'} (${out.meta.contentType}, ${out.meta.size} bytes) refused: ${out.meta.refused}`);
    }
    attachments.push(out);
  }

  const reject = detectReject({
    header,
    subject: msg.subject,
    fromAddress: msg.from.address,
    partTypes: msg.partTypes,
    reportType: msg.reportType,
    dsnSummary: msg.dsnSummary,
  });
  if (reject) warnings.push(`${reject.hint}: ${reject.reason}`);

  const date = submittedAt(msg.headers, flags);
  if (!msg.from.address) flags.add('missing_from');

  const extra: Record<string, unknown> = { messageId };
  const inReplyTo = header('in-reply-to');
  if (inReplyTo) extra.inReplyTo = inReplyTo;
  if (separated.quoted) extra.quotedText = separated.quoted.slice(0, 20000);
  if (separated.forwardNote) extra.forwardNote = separated.forwardNote;
  if (forwardedFrom) extra.forwardedFrom = forwardedFrom;
  if (reject) extra.rejectReason = reject.reason;

  const submission: SubmissionInput = {
    schemaVersion: 1,
    channelType: 'email',
    ref,
    refs: [ref],
    title: msg.subject,
    text,
    submittedAt: date,
    complainant: { name: msg.from.name, phone: null, email: msg.from.address, idNumber: null, handle: msg.from.address, anonymous: false },
    attachments: attachments.map((a) => a.meta),
    flags: [...flags].sort(),
    rejectHint: reject?.hint ?? null,
    extra,
  };
  return { submission, attachments, warnings };
}

function allAttachmentParts(m: ReadMessage): MimePart[] {
  return [...m.attachmentParts, ...m.embedded.flatMap(allAttachmentParts)];
}

function shapeAttachment(part: MimePart, hint: string | null, o: ResolvedEmailParseOptions, keptSoFar: number): EmailAttachmentOut {
  const disposition = parseStructuredHeader(headerValue(part.headers, 'content-disposition'), hint);
  const contentType = parseStructuredHeader(headerValue(part.headers, 'content-type'), hint);
  const filename = cleanFilename(disposition.params.filename ?? contentType.params.name ?? null);
  const content = part.content;
  const size = content ? content.length : (part.skippedSize ?? 0);
  const type = effectiveContentType(part.contentType, filename, content ? content.subarray(0, 16) : null);
  let refused: AttachmentRefusal | null = null;
  if (!isAllowedType(type, o.allowedContentTypes)) refused = 'type_not_allowed';
  else if (!content || size > o.maxAttachmentBytes) refused = 'too_large';
  else if (keptSoFar + size > o.maxTotalAttachmentBytes) refused = 'message_cap';
  const keep = refused === null ? content : null;
  const meta: Attachment = {
    filename,
    contentType: type,
    size,
    blobKey: null,
    sha256: keep ? createHash('sha256').update(keep).digest('hex') : null,
    refused,
    sourceRef: null,
  };
  return { meta, content: keep };
}
