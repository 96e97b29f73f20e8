import { z } from 'zod';
import { CHANNEL_TYPES } from './channel-type';

/**
 * The normalized submission: the one shape every adapter emits, whatever the channel.
 * Bump SUBMISSION_SCHEMA_VERSION on any breaking change; stored submissions keep the version they were
 * written with so re-runs can tell old records apart.
 */
export const SUBMISSION_SCHEMA_VERSION = 1;

export const ChannelTypeSchema = z.enum(CHANNEL_TYPES);

/** Who complained. Confidential: masked in logs and in consumer responses unless allowed. */
export const ComplainantSchema = z.object({
  name: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  email: z.string().nullable().default(null),
  idNumber: z.string().nullable().default(null),
  /** Platform identity (Telegram user id, WeChat OpenID): used to recognise the same person repeating. */
  handle: z.string().nullable().default(null),
  anonymous: z.boolean().default(false),
});
export type Complainant = z.infer<typeof ComplainantSchema>;

/** The place as the source gave it: nothing here is resolved yet (that is the locate stage's job). */
export const GivenLocationSchema = z.object({
  address: z.string().nullable().default(null),
  /** A division code the source supplied (web form district_code); checked, never trusted blindly. */
  districtCode: z.string().nullable().default(null),
  /** Free-text region filled in by an agent or a form (hotline 所属区域, "省/市/区"). */
  region: z.string().nullable().default(null),
  lat: z.number().min(-90).max(90).nullable().default(null),
  lng: z.number().min(-180).max(180).nullable().default(null),
  /** A label that came with coordinates (WeChat location Label, Telegram venue title). */
  label: z.string().nullable().default(null),
});
export type GivenLocation = z.infer<typeof GivenLocationSchema>;

export const AttachmentSchema = z.object({
  filename: z.string().nullable().default(null),
  contentType: z.string().default('application/octet-stream'),
  size: z.number().int().nonnegative(),
  /** Where the bytes are kept; null when they were refused or are still to be fetched. */
  blobKey: z.string().nullable().default(null),
  sha256: z.string().nullable().default(null),
  /** Why the bytes were not kept (too_large, type_not_allowed, undecodable, …). */
  refused: z.string().nullable().default(null),
  /** A platform reference to fetch the bytes later (Telegram file_id, WeChat MediaId). */
  sourceRef: z.string().nullable().default(null),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** Where the raw original lives: a whole blob, or a slice of one (a row of a stored export file). */
export const RawRefSchema = z.object({
  blobKey: z.string(),
  offset: z.number().int().nonnegative().nullable().default(null),
  length: z.number().int().nonnegative().nullable().default(null),
  contentType: z.string().nullable().default(null),
});
export type RawRef = z.infer<typeof RawRefSchema>;

export const SubmissionSchema = z.object({
  schemaVersion: z.literal(SUBMISSION_SCHEMA_VERSION),
  channelType: ChannelTypeSchema,
  /** The source's natural id (受理编号, Message-ID, chatId:messageId, MsgId, idempotency key). */
  ref: z.string().min(1).max(512),
  /** Every natural id folded into this submission (a conversation gathered from several messages). */
  refs: z.array(z.string().min(1).max(512)).default([]),
  title: z.string().nullable().default(null),
  /** The complainant's own words. May be empty: the validate stage decides what an empty text means. */
  text: z.string(),
  /** The polluter or target as the source named it (被举报对象). */
  subject: z.string().nullable().default(null),
  /** The category as the source labelled it (污染类型, pollution_type): a clue, not a verdict. */
  declaredCategory: z.string().nullable().default(null),
  /** When the complainant submitted it, as the source says (ISO 8601 with offset). */
  submittedAt: z.string().datetime({ offset: true }).nullable().default(null),
  complainant: ComplainantSchema.default({ name: null, phone: null, email: null, idNumber: null, handle: null, anonymous: false }),
  location: GivenLocationSchema.default({ address: null, districtCode: null, region: null, lat: null, lng: null, label: null }),
  attachments: z.array(AttachmentSchema).default([]),
  /** Notes about the input itself: repaired_utf8, lone_surrogate, precision_loss, formula_escaped, … */
  flags: z.array(z.string()).default([]),
  /**
   * What the adapter already knows makes this no complaint (auto_reply, bounce, malformed_row, …).
   * The validate stage turns it into a rejection with this reason.
   */
  rejectHint: z.string().nullable().default(null),
  /** Type-specific fields (a letter's return address, a visit's head count, a transfer's document number). */
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type Submission = z.infer<typeof SubmissionSchema>;
/** What adapters build: defaults may be left out. */
export type SubmissionInput = z.input<typeof SubmissionSchema>;

export class SubmissionValidationError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid submission: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** Validates and fills defaults; throws SubmissionValidationError with field-level messages. */
export function parseSubmission(input: unknown): Submission {
  const result = SubmissionSchema.safeParse(input);
  if (!result.success) {
    throw new SubmissionValidationError(result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return result.data;
}
