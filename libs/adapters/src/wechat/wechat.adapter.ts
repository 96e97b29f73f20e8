import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { AdapterRecord, ChannelAdapter, FileIngestContext } from '../adapter.types';
import type { ConversationMessage } from '../conversation/conversation.types';
import { replayConversations, type ReplayItem } from '../conversation/conversation-replay.util';
import type { GathererOptions } from '../conversation/gatherer.types';
import { WECHAT_API_ROOT } from './wechat-api.client';
import { decryptMessage } from './wechat-crypto.util';
import { WechatRejectedError } from './wechat.errors';
import { textOf, toConversationMessage } from './wechat-message.mapper';
import { parseWechatXml, WECHAT_XML_DEFAULTS, type WechatXmlElement } from './wechat-xml.parser';

/**
 * A WeChat official account channel. The server token (and in safe mode the EncodingAESKey) live in the
 * channel's credentials (`token`, `encodingAesKey`), and so does the AppSecret (`appSecret`) that lets the
 * channel send customer-service messages; the AppID, which is not secret, in its settings.
 */
export const WechatChannelSettings = z.object({
  /** The official account's AppID: required in safe mode, where every decrypted push must end with it. */
  appId: z.string().min(1).max(64).optional(),
  /** Messages of one follower within this quiet window are gathered into one draft. */
  quietSeconds: z.number().int().min(1).max(86_400).default(300),
  maxMessages: z.number().int().min(1).max(200).default(20),
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
  /** Refuse pushes whose timestamp is further than this from now (replay of a captured signature); off when null. */
  maxSkewSeconds: z.number().int().min(5).max(86_400).nullable().default(null),
  /** Answer pushes with a passive text reply (draft opened, receipt number); off answers "success". */
  passiveReplies: z.boolean().default(true),
  /**
   * The platform API origin for customer-service messages (the receipt of a draft closed by its quiet
   * period, which no push is waiting for); a proxy or a test double in place of api.weixin.qq.com.
   */
  apiRoot: z.string().url().default(WECHAT_API_ROOT),
});
export type WechatChannelSettings = z.output<typeof WechatChannelSettings>;

const AES_KEY = /^[A-Za-z0-9]{43}$/;
const APP_SECRET = /^[A-Za-z0-9]{16,64}$/;

/** What the channel needs to send customer-service messages; null when it has no AppSecret (or no AppID). */
export function wechatSenderOf(settings: WechatChannelSettings, credentials: Record<string, unknown> | null | undefined): { apiRoot: string; appId: string; appSecret: string } | null {
  const secret = credentials?.appSecret;
  if (typeof secret !== 'string' || secret === '' || !settings.appId) return null;
  return { apiRoot: settings.apiRoot, appId: settings.appId, appSecret: secret };
}

export function wechatSettingsOf(settings: unknown): WechatChannelSettings {
  return WechatChannelSettings.parse(settings ?? {});
}

export function wechatGathererOptions(s: WechatChannelSettings): GathererOptions {
  return { quietMs: s.quietSeconds * 1000, maxMessages: s.maxMessages, utcOffsetMinutes: s.utcOffsetMinutes };
}

/** The raw original of a follower's submission: the XML of each push gathered into it, one per line. */
export function encodeWechatRaw(pushes: unknown[]): Buffer {
  return Buffer.from(pushes.map((p) => String(p).trim()).join('\n'), 'utf8');
}

/**
 * A push as a conversation message. Images come without a type; WeChat serves them as JPEG, and the type
 * is what tells judging that a draft holding only a picture is "an image without words".
 */
export function wechatMessageOf(element: WechatXmlElement): ConversationMessage {
  const message = toConversationMessage(element);
  if (message.kind === 'photo' && message.attachment && !message.attachment.contentType) {
    message.attachment = { ...message.attachment, contentType: 'image/jpeg' };
  }
  return message;
}

export class WechatAdapter implements ChannelAdapter {
  readonly type = 'wechat' as const;
  readonly mode = 'push' as const;
  readonly settingsSchema = WechatChannelSettings;

  checkCredentials(settings: unknown, credentials: Record<string, unknown>): { path: string; message: string }[] {
    const problems: { path: string; message: string }[] = [];
    if (typeof credentials.token !== 'string' || credentials.token.length < 3 || credentials.token.length > 32) {
      problems.push({ path: 'credentials.token', message: 'the server token configured on the platform (3-32 characters) is required' });
    }
    const key = credentials.encodingAesKey;
    if (key !== undefined && key !== null && key !== '') {
      if (typeof key !== 'string' || !AES_KEY.test(key)) problems.push({ path: 'credentials.encodingAesKey', message: 'EncodingAESKey must be 43 letters or digits' });
      const parsed = WechatChannelSettings.safeParse(settings ?? {});
      if (parsed.success && !parsed.data.appId) problems.push({ path: 'credentials.encodingAesKey', message: 'safe mode needs settings.appId as well' });
    }
    const secret = credentials.appSecret;
    if (secret !== undefined && secret !== null && secret !== '') {
      if (typeof secret !== 'string' || !APP_SECRET.test(secret)) problems.push({ path: 'credentials.appSecret', message: 'the AppSecret from the platform (letters and digits, usually 32) is expected' });
      const parsed = WechatChannelSettings.safeParse(settings ?? {});
      if (parsed.success && !parsed.data.appId) problems.push({ path: 'credentials.appSecret', message: 'customer-service messages need settings.appId as well' });
    }
    return problems;
  }

  /**
   * Stored pushes (one XML document per file, or several one after another), replayed in file order and
   * gathered by CreateTime. A WeChat retry (the same MsgId, or for events the same sender and second) is
   * reported as a redelivery. Media ids are kept for a later download; nothing is fetched.
   */
  readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    const parsed = WechatChannelSettings.safeParse(ctx.channel?.settings ?? {});
    const settings = parsed.success ? parsed.data : WechatChannelSettings.parse({});
    return replayConversations(this.items(paths, ctx, settings), { gatherer: wechatGathererOptions(settings), encodeRaw: encodeWechatRaw });
  }

  private async *items(paths: string[], ctx: FileIngestContext, settings: WechatChannelSettings): AsyncIterable<ReplayItem> {
    const maxBytes = Math.max(WECHAT_XML_DEFAULTS.maxBytes, Math.min(ctx.maxRecordBytes, 1024 * 1024));
    for (const file of paths) {
      const name = path.basename(file);
      let text: string;
      try {
        const stat = await fs.stat(file);
        if (stat.size > maxBytes * 16) throw new Error(`${stat.size} bytes is too large for a file of pushes`);
        text = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
      } catch (err) {
        yield { kind: 'refused', ref: name, reason: 'unreadable_file', detail: (err as Error).message };
        continue;
      }
      const docs = splitDocuments(text);
      for (const [i, doc] of docs.entries()) {
        const where = docs.length > 1 ? `${name}#${i + 1}` : name;
        try {
          const opened = openStoredPush(doc, maxBytes, settings, ctx.channel?.credentials);
          yield { kind: 'message', message: wechatMessageOf(opened.element), raw: opened.xml };
        } catch (err) {
          if (!(err instanceof WechatRejectedError)) throw err;
          yield { kind: 'refused', ref: where, reason: err.code, detail: err.message };
        }
      }
    }
  }
}

/**
 * One stored push, plain or a safe-mode envelope (`<Encrypt>` only). An envelope is opened with the channel's
 * EncodingAESKey, its trailing AppID checked against settings.appId as the gateway does; the signature over it
 * travelled in the request's query string, which a stored body no longer has. The raw original kept is the
 * decrypted inner XML, as for a live push.
 */
function openStoredPush(
  doc: string,
  maxBytes: number,
  settings: WechatChannelSettings,
  credentials: Record<string, unknown> | undefined,
): { element: WechatXmlElement; xml: string } {
  const element = parseWechatXml(doc, { maxBytes });
  const encrypt = textOf(element, 'Encrypt');
  if (!encrypt || textOf(element, 'MsgType')) return { element, xml: doc };
  const key = credentials?.encodingAesKey;
  if (typeof key !== 'string' || !settings.appId) {
    throw new WechatRejectedError('encrypted', 'a safe-mode push (Encrypt): the channel needs credentials.encodingAesKey and settings.appId to read it');
  }
  const xml = decryptMessage(encrypt, { encodingAesKey: key, appId: settings.appId });
  return { element: parseWechatXml(xml, { maxBytes }), xml };
}

/** Several `<xml>` documents saved one after another in a file (a capture log) are read one by one. */
function splitDocuments(text: string): string[] {
  // Only a root at the start of a line counts: `<xml>` typed inside a message's CDATA is text.
  const starts = [...text.matchAll(/(^|\n)[ \t]*<xml[\s>]/g)].map((m) => m.index! + m[1].length);
  if (starts.length <= 1) return [text];
  // A declaration or comment before the first document belongs to it.
  starts[0] = 0;
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length)).filter((d) => d.trim() !== '');
}
