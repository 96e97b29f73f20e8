import { createHash } from 'node:crypto';
import type { RawHeader } from './email-header.util';

/**
 * Header fields added on the way to a mailbox rather than by the sender: they differ between two deliveries
 * of one message (another hop, another mailbox, a store that adds flags), so they stay out of the hash.
 */
const TRACE_HEADERS = new Set([
  'received', 'delivered-to', 'return-path', 'envelope-to', 'x-original-to', 'received-spf', 'authentication-results',
  'arc-seal', 'arc-message-signature', 'arc-authentication-results', 'status', 'content-length', 'lines', 'x-uid',
  'x-keywords', 'x-status', 'resent-date', 'resent-from', 'resent-to', 'resent-message-id',
]);

function isTraceHeader(key: string): boolean {
  return TRACE_HEADERS.has(key) || key.startsWith('x-');
}

const SHA_LIMIT = 512;

/** The source ref from a Message-ID: the id itself, or its hash when it is longer than a ref may be. */
export function refFromMessageId(messageId: string): string {
  const id = messageId.trim();
  return id.length <= SHA_LIMIT ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * A stable ref for a message without Message-ID: sha256 over the sender's headers (trace headers left out,
 * whitespace folded) and the body with line ends normalized, so the same message fetched over IMAP (CRLF) or
 * read from an mbox (LF), with or without an extra Received header, hashes the same.
 */
export function contentHashRef(headers: readonly RawHeader[], body: Uint8Array): string {
  const h = createHash('sha256');
  for (const { key, value } of headers) {
    if (isTraceHeader(key)) continue;
    h.update(key);
    h.update(':');
    h.update(Buffer.from(value.toString('latin1').replace(/[ \t\r\n]+/g, ' ').trim(), 'latin1'));
    h.update('\n');
  }
  h.update('\n');
  // Line ends normalized to LF and trailing blank lines dropped, in pieces: no copy of a large body.
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
  let start = 0;
  for (let i = 0; i < end; i++) {
    if (body[i] === 0x0d && (i + 1 >= end || body[i + 1] === 0x0a)) {
      if (i > start) h.update(body.subarray(start, i));
      start = i + 1;
    }
  }
  if (end > start) h.update(body.subarray(start, end));
  return `sha256:${h.digest('hex')}`;
}

/** Where the body starts: after the first empty line (CRLF CRLF or LF LF); the end when there is none. */
export function bodyOffset(raw: Uint8Array): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    // A line that is empty (or only CR) ends the header.
    if (i + 1 < raw.length && raw[i + 1] === 0x0a) return i + 2;
    if (i + 2 < raw.length && raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return raw.length;
}
