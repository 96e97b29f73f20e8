import { z } from 'zod';
import {
  FieldSourceSchema,
  parseWebhookSettings,
  TEMPLATE_PLACEHOLDER,
  WebhookAuthSchema,
  WebhookMappingSchema,
  WebhookSettingsError,
  WebhookSettingsSchema,
  type WebhookSettings,
} from './webhook-settings.schema';

/**
 * A webhook channel as it is stored: `settings` (shown by the admin API) hold the auth method and the
 * mapping; the shared secret lives in the channel's `credentials`, which the API never returns.
 * `webhookSettingsOf` joins the two into the settings the endpoint verifies and maps with.
 */

/** The credentials key holding each auth kind's secret. */
export const WEBHOOK_SECRET_FIELD = { api_key: 'key', hmac: 'secret' } as const;

const [ApiKeyAuth, HmacAuth] = WebhookAuthSchema.options;

const notHere = (field: 'key' | 'secret') =>
  z.undefined({ error: `the ${field} belongs in the channel's credentials ({"${field}": "…"}), not in settings, which the admin API shows` }).optional();

const ChannelAuthSchema = z.discriminatedUnion('kind', [
  ApiKeyAuth.omit({ key: true }).extend({ key: notHere('key') }),
  HmacAuth.omit({ secret: true }).extend({ secret: notHere('secret') }),
]);

/** The literal text a ref template starts with, before its first placeholder. */
export function refPrefixOf(source: unknown): string | null {
  if (!source || typeof source !== 'object' || !('template' in source) || typeof source.template !== 'string') return null;
  TEMPLATE_PLACEHOLDER.lastIndex = 0;
  const first = source.template.search(TEMPLATE_PLACEHOLDER);
  return first < 0 ? source.template : source.template.slice(0, first);
}

/**
 * Every webhook source shares one namespace of source keys (`webhook:<ref>`, by channel type, so one record
 * reaching two channels is one submission). Two sources that both number their posts 1, 2, 3 would therefore
 * swallow each other's records as redeliveries. The ref must carry a source-specific prefix: a template such
 * as `weibo-{$.id}` whose literal start names the source.
 */
const PrefixedRef = FieldSourceSchema.superRefine((source, ctx) => {
  const example = 'e.g. {"template": "weibo-{$.id}"}';
  if ('const' in source) {
    ctx.addIssue({ code: 'custom', message: `a constant ref would make every push one submission; use a template with a source prefix, ${example}` });
    return;
  }
  const prefix = refPrefixOf(source);
  if (prefix === null) {
    ctx.addIssue({
      code: 'custom',
      message: `the ref needs a source prefix, ${example}: refs of all webhook sources share one namespace, so a bare id could be taken for another source's record`,
    });
    return;
  }
  if (prefix.trim().length < 2 || !/[\p{L}\p{N}]/u.test(prefix)) {
    ctx.addIssue({ code: 'custom', message: `the ref template must start with a source prefix of at least 2 characters, including a letter or digit, ${example}; got "${prefix}"` });
  }
});

const mappingShape = WebhookMappingSchema.shape;

export const WebhookChannelSettingsSchema = z
  .object({
    auth: ChannelAuthSchema,
    mapping: WebhookMappingSchema.extend({ fields: mappingShape.fields.extend({ ref: PrefixedRef }) }),
    maxItems: WebhookSettingsSchema.shape.maxItems,
  })
  .strict();
export type WebhookChannelSettings = z.infer<typeof WebhookChannelSettingsSchema>;

/** The mapping part of a stored channel's settings (what a replay needs; no secret involved). */
export function webhookMappingOf(settings: unknown): Pick<WebhookSettings, 'mapping' | 'maxItems'> {
  const result = WebhookChannelSettingsSchema.safeParse(settings);
  if (!result.success) throw new WebhookSettingsError(result.error.issues.map((i) => ({ path: `settings.${i.path.join('.')}`, message: i.message })));
  return { mapping: result.data.mapping, maxItems: result.data.maxItems };
}

/** Problems with a channel's credentials for the auth its settings name; empty when fine. */
export function webhookCredentialIssues(settings: unknown, credentials: Record<string, unknown> | null | undefined): { path: string; message: string }[] {
  const auth = ChannelAuthSchema.safeParse((settings as { auth?: unknown } | null)?.auth);
  if (!auth.success) return []; // the settings check reports it
  const field = WEBHOOK_SECRET_FIELD[auth.data.kind];
  const secret = credentials?.[field];
  if (typeof secret !== 'string' || secret === '') return [{ path: `credentials.${field}`, message: `${auth.data.kind} auth needs the shared ${field} in credentials.${field}` }];
  if (secret.length < 16) return [{ path: `credentials.${field}`, message: 'use at least 16 characters' }];
  return [];
}

/**
 * The settings the endpoint runs with: stored settings plus the secret from credentials, validated as a
 * whole. Throws WebhookSettingsError naming `settings.…` or `credentials.…` fields.
 */
export function webhookSettingsOf(settings: unknown, credentials: Record<string, unknown> | null | undefined): WebhookSettings {
  const stored = WebhookChannelSettingsSchema.safeParse(settings);
  const issues = stored.success ? [] : stored.error.issues.map((i) => ({ path: `settings.${i.path.join('.')}`, message: i.message }));
  issues.push(...webhookCredentialIssues(settings, credentials));
  if (issues.length || !stored.success) throw new WebhookSettingsError(issues);
  const field = WEBHOOK_SECRET_FIELD[stored.data.auth.kind];
  return parseWebhookSettings({ ...stored.data, auth: { ...stored.data.auth, [field]: credentials![field] } });
}
