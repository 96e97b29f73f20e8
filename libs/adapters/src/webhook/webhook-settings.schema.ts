import { z } from 'zod';
import { compileDatePattern, ZONE_PATTERN } from './webhook-date.util';
import { compilePath, isMultiPath } from './webhook-path.util';

/**
 * Settings of a no-code webhook channel, written by a channel operator: how the source proves itself and
 * how its JSON becomes submissions. Parsed once when the channel is saved or loaded; a wrong setting is
 * refused with a field-level message and never replaced by a guess.
 */

function pathString(options: { multi: 'forbidden' | 'required' }) {
  return z.string().superRefine((value, ctx) => {
    try {
      const path = compilePath(value);
      if (options.multi === 'forbidden' && isMultiPath(path)) ctx.addIssue({ code: 'custom', message: `path "${value}" selects many values; [*] belongs in an items path` });
      if (options.multi === 'required' && !(path.steps.length > 0 && 'each' in path.steps[path.steps.length - 1])) {
        ctx.addIssue({ code: 'custom', message: `items path "${value}" must end with [*]` });
      }
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
}

const SinglePath = pathString({ multi: 'forbidden' });
const ItemsPath = pathString({ multi: 'required' });

/** `{$.a.b}` placeholders inside a template. */
export const TEMPLATE_PLACEHOLDER = /\{(\$\$?[^{}]*)\}/g;

const Template = z.string().superRefine((value, ctx) => {
  const placeholders = [...value.matchAll(TEMPLATE_PLACEHOLDER)];
  if (placeholders.length === 0) ctx.addIssue({ code: 'custom', message: 'a template needs at least one {$.path} placeholder; use const for fixed text' });
  for (const [, path] of placeholders) {
    const result = SinglePath.safeParse(path);
    if (!result.success) ctx.addIssue({ code: 'custom', message: result.error.issues[0].message });
  }
});

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const TransformSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('trim') }).strict(),
  z.object({ op: z.literal('number') }).strict(),
  z.object({ op: z.literal('boolean') }).strict(),
  z
    .object({
      op: z.literal('date'),
      /** epoch_s, epoch_ms, iso, or a pattern such as `YYYY-MM-DD HH:mm:ss`. */
      format: z.string().min(1),
      /** The zone of wall-clock values, and of the output offset. */
      zone: z.string().regex(ZONE_PATTERN, 'zone must be Z or ±HH:MM').default('+08:00'),
    })
    .strict()
    .superRefine((value, ctx) => {
      if (['epoch_s', 'epoch_ms', 'iso'].includes(value.format)) return;
      try {
        compileDatePattern(value.format);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['format'], message: (error as Error).message });
      }
    }),
  z
    .object({
      op: z.literal('map'),
      /** The source's codes to ours, e.g. {"1": "air", "2": "water"}. Keys are compared as text. */
      table: z.record(z.string(), Scalar),
      /** A value the table does not list: kept as it is, dropped (null), or reported as an error. */
      otherwise: z.enum(['keep', 'null', 'error']).default('keep'),
    })
    .strict(),
]);
export type WebhookTransform = z.infer<typeof TransformSchema>;

const Transforms = z.array(TransformSchema).max(10).default([]);

/** Where a field's value comes from: a path (a bare string is shorthand for one), a constant, or a template. */
export const FieldSourceSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { path: value } : value),
  z.union([
    z.object({ path: SinglePath, transforms: Transforms }).strict(),
    z.object({ const: Scalar }).strict(),
    z.object({ template: Template, transforms: Transforms }).strict(),
  ]),
);
export type FieldSource = z.infer<typeof FieldSourceSchema>;

/** The submission fields a source can fill, by their place in the submission. */
export const MAPPED_FIELDS = [
  'ref',
  'text',
  'title',
  'subject',
  'declaredCategory',
  'submittedAt',
  'address',
  'districtCode',
  'region',
  'lat',
  'lng',
  'label',
  'complainant.name',
  'complainant.phone',
  'complainant.email',
  'complainant.anonymous',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

const optionalSource = FieldSourceSchema.optional();

export const WebhookMappingSchema = z
  .object({
    /** For a batch payload: the list whose every element is one submission (`$.items[*]`); `$` is then the element. */
    items: ItemsPath.optional(),
    fields: z
      .object({
        /** The source's natural id: required, it makes a redelivery one submission. */
        ref: FieldSourceSchema,
        text: optionalSource,
        title: optionalSource,
        subject: optionalSource,
        declaredCategory: optionalSource,
        submittedAt: optionalSource,
        address: optionalSource,
        districtCode: optionalSource,
        region: optionalSource,
        lat: optionalSource,
        lng: optionalSource,
        label: optionalSource,
        'complainant.name': optionalSource,
        'complainant.phone': optionalSource,
        'complainant.email': optionalSource,
        'complainant.anonymous': optionalSource,
      })
      .strict(),
    attachments: z
      .object({
        /** The list of files within one submission, e.g. `$.files[*]`; the paths below are relative to each file. */
        items: ItemsPath,
        url: FieldSourceSchema,
        filename: optionalSource,
        contentType: optionalSource,
        size: optionalSource,
      })
      .strict()
      .optional(),
  })
  .strict();
export type WebhookMapping = z.infer<typeof WebhookMappingSchema>;

const Secret = z.string().min(16, 'use at least 16 characters');

export const WebhookAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('api_key'), header: z.string().min(1), key: Secret }).strict(),
  z
    .object({
      kind: z.literal('hmac'),
      /** The header carrying the signature. */
      header: z.string().min(1),
      secret: Secret,
      algorithm: z.enum(['sha256', 'sha1']).default('sha256'),
      /** How the signature is written in the header. */
      encoding: z.enum(['hex', 'base64']).default('hex'),
      /** Text before the signature in the header (`sha256=` for GitHub-style senders). */
      prefix: z.string().default(''),
      /** The header carrying the signing time (epoch seconds, or milliseconds). */
      timestampHeader: z.string().min(1),
      toleranceSeconds: z.number().int().min(1).max(3600).default(300),
      /** What was signed: `{timestamp}` and `{body}` (the raw bytes) joined by literal text. */
      signedPayload: z
        .string()
        .default('{timestamp}.{body}')
        .refine((t) => t.includes('{body}') && t.includes('{timestamp}'), 'signedPayload must contain {timestamp} and {body}, or a replayed body would verify'),
    })
    .strict(),
]);
export type WebhookAuth = z.infer<typeof WebhookAuthSchema>;

export const WebhookSettingsSchema = z
  .object({
    auth: WebhookAuthSchema,
    mapping: WebhookMappingSchema,
    /** A batch with more items than this is refused as a whole. */
    maxItems: z.number().int().min(1).max(10_000).default(500),
  })
  .strict();
export type WebhookSettings = z.infer<typeof WebhookSettingsSchema>;
export type WebhookSettingsInput = z.input<typeof WebhookSettingsSchema>;

export class WebhookSettingsError extends Error {
  override readonly name = 'WebhookSettingsError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid webhook settings: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** Validates an operator's settings; throws WebhookSettingsError naming every wrong field. */
export function parseWebhookSettings(input: unknown): WebhookSettings {
  const result = WebhookSettingsSchema.safeParse(input);
  if (!result.success) throw new WebhookSettingsError(result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return result.data;
}
