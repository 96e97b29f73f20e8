import { z } from 'zod';

/** Dates typed by staff: a calendar date or a date-time; stored with the Beijing offset by the mappers. */
const StaffDate = z.union([z.iso.date(), z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })]);
const Phone = z.string().trim().max(64);

/** A scanned page of a letter, already stored: metadata only, the bytes are in the blob store. */
export const ScannedPageSchema = z.object({
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(1).max(128).default('application/pdf'),
  size: z.number().int().nonnegative(),
  blobKey: z.string().min(1).max(512),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
});

const Common = {
  /** 登记编号; when absent the caller supplies a generated one. */
  registrationNumber: z.string().trim().min(1).max(128).optional(),
  name: z.string().trim().max(100).nullable().default(null),
  phone: Phone.nullable().default(null),
  anonymous: z.boolean().default(false),
  /** Where the problem is, when known separately from the sender's address. */
  address: z.string().trim().max(500).nullable().default(null),
  region: z.string().trim().max(200).nullable().default(null),
  subject: z.string().trim().max(200).nullable().default(null),
  declaredCategory: z.string().trim().max(50).nullable().default(null),
  registrar: z.string().trim().max(100).nullable().default(null),
};

export const LetterEntrySchema = z.object({
  ...Common,
  receivedDate: StaffDate,
  /** The sender as signed (来信人). */
  name: z.string().trim().max(100).nullable().default(null),
  returnAddress: z.string().trim().max(500).nullable().default(null),
  summary: z.string().trim().max(20_000),
  scannedPages: z.array(ScannedPageSchema).max(200).default([]),
});

export const VisitEntrySchema = z.object({
  ...Common,
  visitDate: StaffDate,
  visitors: z.number().int().min(1).max(10_000).default(1),
  /** 群体访: staff may mark it; 5 or more visitors always counts as one. */
  groupVisit: z.boolean().default(false),
  returnAddress: z.string().trim().max(500).nullable().default(null),
  summary: z.string().trim().max(20_000),
});

export const TransferEntrySchema = z.object({
  ...Common,
  receivedDate: StaffDate,
  /** 来文单位: the authority that transferred the matter. */
  originAuthority: z.string().trim().min(1).max(200),
  /** 来文文号 */
  originDocNumber: z.string().trim().max(128).nullable().default(null),
  /** 办理期限: when the originating authority expects an answer. */
  deadline: StaffDate.nullable().default(null),
  summary: z.string().trim().max(20_000),
  attachments: z.array(ScannedPageSchema).max(200).default([]),
});

export type LetterEntry = z.infer<typeof LetterEntrySchema>;
export type VisitEntry = z.infer<typeof VisitEntrySchema>;
export type TransferEntry = z.infer<typeof TransferEntrySchema>;
