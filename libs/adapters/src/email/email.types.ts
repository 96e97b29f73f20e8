import type { Attachment, SubmissionInput } from '@huiliu/contracts';

/** Why an attachment's bytes were not kept. The attachment itself is still listed on the submission. */
export type AttachmentRefusal = 'too_large' | 'type_not_allowed' | 'message_cap';

export type EmailRejectHint = 'auto_reply' | 'bounce';

export interface EmailParseOptions {
  /** Bytes one attachment may have and still be kept. Larger ones are listed without bytes (too_large). */
  maxAttachmentBytes?: number;
  /** Bytes all kept attachments of one message may have together; the rest are refused as message_cap. */
  maxTotalAttachmentBytes?: number;
  /**
   * Content types whose bytes are kept, exact (`application/pdf`) or by family (`image/*`).
   * Anything else is listed without bytes (type_not_allowed).
   */
  allowedContentTypes?: readonly string[];
  /** Decoded text kept per text part; beyond it the part is cut and flagged text_truncated. */
  maxTextBytes?: number;
  /** MIME nesting depth (multipart in multipart …) before the message is refused as unparseable. */
  maxNestingDepth?: number;
  /** Header lines over all parts before the message is refused as unparseable. */
  maxHeaderLines?: number;
  /** MIME parts before the message is refused as unparseable (endless boundaries). */
  maxParts?: number;
  /** Levels of attached messages (message/rfc822) read inline; deeper ones become plain attachments. */
  maxEmbeddedDepth?: number;
  /** Wall-clock budget for one parse; past it the message is refused as unparseable instead of hanging. */
  timeBudgetMs?: number;
}

export const EMAIL_PARSE_DEFAULTS = {
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxTotalAttachmentBytes: 20 * 1024 * 1024,
  // Photos, scans and the office documents people attach to complaints. No archives or executables:
  // nobody downstream opens them, and they are the usual carriers of malware.
  allowedContentTypes: [
    'image/*',
    'application/pdf',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/rtf',
    'application/wps-office.doc',
    'application/wps-office.docx',
    'application/wps-office.xls',
    'application/wps-office.xlsx',
  ],
  maxTextBytes: 4 * 1024 * 1024,
  maxNestingDepth: 32,
  maxHeaderLines: 5000,
  maxParts: 500,
  maxEmbeddedDepth: 3,
  timeBudgetMs: 5000,
} as const;

export type ResolvedEmailParseOptions = {
  -readonly [K in keyof typeof EMAIL_PARSE_DEFAULTS]-?: K extends 'allowedContentTypes' ? readonly string[] : number;
};

export interface EmailAttachmentOut {
  /** The attachment as listed on the submission (blobKey null: the caller stores the bytes and fills it). */
  meta: Attachment;
  /** The decoded bytes, or null when refused (meta.refused says why). */
  content: Buffer | null;
}

export interface EmailParsed {
  submission: SubmissionInput;
  attachments: EmailAttachmentOut[];
  warnings: string[];
}

/** A message that cannot be read at all: recorded once in the dead-letter store, never retried. */
export interface EmailParseFailure {
  error: { reason: 'unparseable'; detail: string };
}

export type EmailParseResult = EmailParsed | EmailParseFailure;

export function isEmailParseFailure(result: EmailParseResult): result is EmailParseFailure {
  return 'error' in result;
}
