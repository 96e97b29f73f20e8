import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { AdapterRecord, ChannelAdapter, FileIngestContext } from '../adapter.types';
import { replayConversations, type ReplayItem } from '../conversation/conversation-replay.util';
import type { GathererOptions } from '../conversation/gatherer.types';
import { readUpdate } from './telegram-update.parser';
import type { TgUpdate } from './telegram.types';

/**
 * A Telegram bot channel. Its token lives in the channel's credentials (`token`), and in webhook mode the
 * secret Telegram must send back in `X-Telegram-Bot-Api-Secret-Token` (`webhookSecret`).
 */
export const TelegramChannelSettings = z
  .object({
    /** Long polling from the worker (one poller per bot, under a lock), or a webhook into the gateway. */
    mode: z.enum(['polling', 'webhook']).default('polling'),
    /** The public URL of `POST /v1/channels/<name>/telegram`, registered with setWebhook (webhook mode). */
    webhookUrl: z.string().url().optional(),
    /** The Bot API origin; a local Bot API server or a test double in place of api.telegram.org. */
    apiRoot: z.string().url().default('https://api.telegram.org'),
    /** A draft closes when its chat has been quiet this long. */
    quietSeconds: z.number().int().min(1).max(86_400).default(300),
    /** How long one getUpdates call is held open by Telegram. */
    pollTimeoutSeconds: z.number().int().min(0).max(50).default(25),
    /** A draft closes when it holds this many messages. */
    maxMessages: z.number().int().min(1).max(200).default(20),
    /** Offset of the local time written into submittedAt (minutes; +08:00 by default). */
    utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
    /** Largest photo or document fetched into the blob store (Telegram serves bots up to 20 MB). */
    maxFileBytes: z.number().int().min(1).max(20 * 1024 * 1024).default(20 * 1024 * 1024),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'webhook' && !s.webhookUrl) ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: 'webhook mode needs webhookUrl' });
  });
export type TelegramChannelSettings = z.output<typeof TelegramChannelSettings>;

const TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{10,200}$/;
const SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/** Reads settings as stored (defaults filled); throws on a channel an operator misconfigured. */
export function telegramSettingsOf(settings: unknown): TelegramChannelSettings {
  return TelegramChannelSettings.parse(settings ?? {});
}

export function telegramGathererOptions(s: TelegramChannelSettings): GathererOptions {
  return { quietMs: s.quietSeconds * 1000, maxMessages: s.maxMessages, utcOffsetMinutes: s.utcOffsetMinutes };
}

/** The bot's numeric id: the part of the token before the colon. Locks are per bot, not per channel. */
export function botIdOf(token: string): string {
  return token.slice(0, Math.max(0, token.indexOf(':')));
}

/** The raw original of a conversation's submission: the updates gathered into it, as JSON. */
export function encodeTelegramRaw(updates: unknown[]): Buffer {
  return Buffer.from(JSON.stringify(updates), 'utf8');
}

export class TelegramAdapter implements ChannelAdapter {
  readonly type = 'telegram' as const;
  readonly mode = 'pull' as const;
  readonly settingsSchema = TelegramChannelSettings;

  checkCredentials(settings: unknown, credentials: Record<string, unknown>): { path: string; message: string }[] {
    const problems: { path: string; message: string }[] = [];
    const token = credentials.token;
    if (typeof token !== 'string' || !TOKEN.test(token)) problems.push({ path: 'credentials.token', message: 'the bot token from @BotFather (123456:ABC…) is required' });
    const parsed = TelegramChannelSettings.safeParse(settings ?? {});
    if (parsed.success && parsed.data.mode === 'webhook') {
      const secret = credentials.webhookSecret;
      if (typeof secret !== 'string' || !SECRET.test(secret)) {
        problems.push({ path: 'credentials.webhookSecret', message: 'webhook mode needs a secret of 1-256 letters, digits, _ or -' });
      }
    }
    return problems;
  }

  /**
   * getUpdates response bodies, replayed in order. Pages overlap (an update delivered again at the start of
   * the next page): a repeated update_id is reported as a redelivery, never gathered twice. Photos and
   * documents keep their file_id for a later download; nothing is fetched during a replay.
   */
  readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    const parsed = TelegramChannelSettings.safeParse(ctx.channel?.settings ?? {});
    const settings = parsed.success ? parsed.data : TelegramChannelSettings.parse({});
    return replayConversations(this.items(paths, ctx), { gatherer: telegramGathererOptions(settings), encodeRaw: encodeTelegramRaw });
  }

  private async *items(paths: string[], ctx: FileIngestContext): AsyncIterable<ReplayItem> {
    // Updates as read (each holds its update_id): an id seen again is a redelivery only if it brings the same
    // update. Captures from several bots, or fixtures with anonymised ids, reuse ids for different updates.
    const seen = new Set<string>();
    for (const file of paths) {
      const name = path.basename(file);
      let updates: unknown[];
      try {
        updates = await readPage(file, ctx.maxRecordBytes * 64);
      } catch (err) {
        yield { kind: 'refused', ref: name, reason: 'unreadable_file', detail: (err as Error).message };
        continue;
      }
      for (const [index, update] of updates.entries()) {
        const id = typeof (update as TgUpdate)?.update_id === 'number' ? ((update as TgUpdate).update_id as number) : null;
        const text = id !== null ? JSON.stringify(update) : '';
        if (id !== null && seen.has(text)) {
          yield { kind: 'refused', ref: `update:${id}`, reason: 'redelivery', detail: `update ${id} was already read (${name}#${index})` };
          continue;
        }
        if (id !== null) seen.add(text);
        const reading = readUpdate(update);
        if (!reading.ok) {
          yield { kind: 'refused', ref: id !== null ? `update:${id}` : `${name}#${index}`, reason: reading.reason };
          continue;
        }
        yield { kind: 'message', message: reading.message, raw: update };
      }
    }
  }
}

async function readPage(file: string, maxBytes: number): Promise<unknown[]> {
  const stat = await fs.stat(file);
  if (stat.size > maxBytes) throw new Error(`${stat.size} bytes is over the ${maxBytes}-byte limit for one getUpdates page`);
  const text = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const notUpdates = 'neither a getUpdates response ({"ok":true,"result":[…]}), an array of updates, one update ({"update_id":…}) nor one message';
  // A bare array of updates (a capture saved without the envelope) is read too, and so is one update on
  // its own: what a webhook receives, and how libraries keep their fixtures.
  if (Array.isArray(body)) return body;
  if (typeof body !== 'object' || body === null) throw new Error(notUpdates);
  const b = body as { ok?: unknown; result?: unknown; update_id?: unknown; message_id?: unknown; chat?: unknown };
  if (typeof b.update_id === 'number' && !('result' in b)) return [body];
  // A bare Message (saved from a handler rather than from the update) is read as the update that carried it.
  if (typeof b.message_id === 'number' && typeof b.chat === 'object') return [{ message: body }];
  if (b.ok === false) throw new Error('a failed getUpdates answer (ok=false)');
  if (b.ok !== true || !Array.isArray(b.result)) throw new Error(notUpdates);
  return b.result;
}
