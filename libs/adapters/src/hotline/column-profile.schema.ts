import { z } from 'zod';

/**
 * What a column of an export can mean. A profile maps each of these to the header names a given source uses
 * (aliases), so a new city's export is a new JSON file, not new code.
 */
export const PROFILE_FIELDS = [
  'ref',
  'submittedAt',
  'name',
  'phone',
  'anonymous',
  'address',
  'region',
  'subject',
  'declaredCategory',
  'title',
  'text',
  /** A letter's sender address: the return address, and often the only location clue. */
  'returnAddress',
  /** 原件扫描文件名: one or more scan file names separated by ; or , */
  'scanFiles',
  'registrar',
  'visitors',
  'groupVisit',
  'originAuthority',
  'originDocNumber',
  'deadline',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const DEFAULT_DATE_FORMATS = [
  'yyyy-M-d H:mm:ss',
  'yyyy-M-d H:mm',
  'yyyy/M/d H:mm:ss',
  'yyyy/M/d H:mm',
  'yyyy.M.d H:mm:ss',
  'yyyy.M.d H:mm',
  'yyyy年M月d日 H:mm:ss',
  'yyyy年M月d日 H:mm',
  'yyyy年M月d日H时m分',
  'yyyy-M-d',
  'yyyy/M/d',
  'yyyy.M.d',
  'yyyy年M月d日',
  'yyyyMMdd',
  'excel_serial',
];

export const ColumnProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'profile id: lower-case letters, digits and dashes'),
    name: z.string().min(1),
    channelType: z.enum(['hotline', 'letter', 'visit', 'transfer']),
    /** Header aliases per field, most usual first. */
    columns: z.partialRecord(z.enum(PROFILE_FIELDS), z.array(z.string().min(1)).min(1)),
    /** Other columns kept in `extra` under the given key (受理坐席 → agent). */
    extraColumns: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
    /** Fields whose column must be present for the profile to match a header row. */
    required: z.array(z.enum(PROFILE_FIELDS)).min(1),
    /** Date formats tried in order for date columns (tokens yyyy M MM d dd H HH m mm s ss; `excel_serial`). */
    dateFormats: z.array(z.string().min(1)).min(1).default(DEFAULT_DATE_FORMATS),
    /** XLSX: the worksheet name, when not the first sheet. */
    sheet: z.string().optional(),
  })
  .superRefine((profile, ctx) => {
    for (const field of profile.required) {
      if (!profile.columns[field]) ctx.addIssue({ code: 'custom', message: `required field ${field} has no column aliases`, path: ['required'] });
    }
    if (!profile.columns.ref) ctx.addIssue({ code: 'custom', message: 'a profile needs a ref column (the record id)', path: ['columns', 'ref'] });
  });

export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;
export type ColumnProfileInput = z.input<typeof ColumnProfileSchema>;
