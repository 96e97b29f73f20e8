import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import type { AdapterRecord, ChannelAdapter, FileIngestContext } from '../adapter.types';
import { webhookCredentialIssues, webhookMappingOf, WebhookChannelSettingsSchema } from './webhook-channel.settings';
import { mapWebhookPayload, type WebhookMappingResult } from './webhook-payload.mapper';
import { WebhookSettingsError, type WebhookSettings } from './webhook-settings.schema';

/**
 * A payload's text: UTF-8 (a BOM is dropped) unless the request declares another charset (GBK senders exist);
 * bytes that are not text in that charset are refused, never guessed.
 */
export function decodeWebhookBody(body: Buffer, charset?: string | null): { ok: true; payload: unknown } | { ok: false; reason: 'undecodable' | 'not_json'; detail: string } {
  let text: string;
  const declared = charset?.trim().toLowerCase().replace(/^"|"$/g, '');
  if (declared && !['utf-8', 'utf8'].includes(declared)) {
    if (!iconv.encodingExists(declared)) return { ok: false, reason: 'undecodable', detail: `unknown charset ${charset!.trim().slice(0, 40)}` };
    text = iconv.decode(body, declared);
    if (text.includes('\uFFFD')) return { ok: false, reason: 'undecodable', detail: `the body is not ${declared} text` };
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    } catch {
      return { ok: false, reason: 'undecodable', detail: 'the body is not UTF-8 text' };
    }
  }
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: 'not_json', detail: `the body is not JSON: ${(error as Error).message}` };
  }
}

/** What each mapped submission is stored with: a single payload keeps its exact bytes, a batch item its own JSON. */
export function rawOfItem(mapped: WebhookMappingResult, i: number, body: Buffer, batch: boolean): Buffer {
  return batch ? Buffer.from(JSON.stringify(mapped.origins[i].record), 'utf8') : body;
}

/** Items the mapping left out, each with every message reported for it. */
export function droppedItems(mapped: WebhookMappingResult): { index: number | null; fields: { field: string; message: string }[] }[] {
  const kept = new Set(mapped.origins.map((o) => o.index));
  const byIndex = new Map<number | null, { field: string; message: string }[]>();
  for (const e of mapped.errors) {
    if (e.index !== null && kept.has(e.index)) continue;
    byIndex.set(e.index, [...(byIndex.get(e.index) ?? []), { field: e.field, message: e.message }]);
  }
  return [...byIndex.entries()].map(([index, fields]) => ({ index, fields }));
}

/**
 * No-code webhook sources: a push source whose JSON is turned into submissions by the channel's mapping
 * (settings) and whose requests are authenticated by the secret in its credentials. The gateway answers
 * the HTTP push; `readFiles` replays recorded payloads (one JSON body per file) through the same mapping.
 */
export class WebhookAdapter implements ChannelAdapter {
  readonly type = 'webhook' as const;
  readonly mode = 'push' as const;
  readonly settingsSchema = WebhookChannelSettingsSchema;

  checkCredentials(settings: unknown, credentials: Record<string, unknown>) {
    return webhookCredentialIssues(settings, credentials);
  }

  async *readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    if (!ctx.channel) throw new Error('a webhook replay needs the channel whose mapping to use: ingest --channel <webhook channel name>');
    let settings: Pick<WebhookSettings, 'mapping' | 'maxItems'>;
    try {
      settings = webhookMappingOf(ctx.channel.settings);
    } catch (error) {
      if (error instanceof WebhookSettingsError) throw new Error(`channel ${ctx.channel.name} cannot map payloads: ${error.message}`);
      throw error;
    }
    const batch = Boolean(settings.mapping.items);

    for (const file of paths) {
      const name = path.basename(file);
      const stat = await fs.stat(file);
      if (stat.size > ctx.maxRecordBytes) {
        yield { ok: false, ref: name, reason: 'oversized_payload', detail: `${stat.size} bytes is over the ${ctx.maxRecordBytes}-byte body limit` };
        continue;
      }
      const body = await fs.readFile(file);
      const decoded = decodeWebhookBody(body);
      if (!decoded.ok) {
        yield { ok: false, ref: name, reason: decoded.reason, detail: decoded.detail };
        continue;
      }
      const mapped = mapWebhookPayload(decoded.payload, settings);
      // Records come out in input order: each kept item, and each item left out with its reasons.
      const dropped = new Map(droppedItems(mapped).map((d) => [d.index, d.fields]));
      const payloadLevel = dropped.get(null);
      if (payloadLevel) {
        yield { ok: false, ref: name, reason: 'unmappable_payload', detail: payloadLevel.map((f) => `${f.field}: ${f.message}`).join('; '), fields: payloadLevel };
        continue;
      }
      const at = new Map(mapped.origins.map((o, i) => [o.index, i]));
      for (let index = 0; index < mapped.itemCount; index++) {
        const i = at.get(index);
        if (i !== undefined) {
          const submission = mapped.submissions[i];
          if (batch) submission.extra = { ...submission.extra, webhook: { file: name, item: index, of: mapped.itemCount } };
          yield { ok: true, submission, raw: rawOfItem(mapped, i, body, batch), attachments: [] };
        } else {
          const fields = dropped.get(index) ?? [];
          yield {
            ok: false,
            ref: batch ? `${name}#${index}` : name,
            reason: 'unmappable_item',
            detail: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
            fields,
          };
        }
      }
    }
  }
}
