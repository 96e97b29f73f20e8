import {
  encodeTelegramRaw,
  encodeWechatRaw,
  telegramGathererOptions,
  TelegramChannelSettings,
  wechatGathererOptions,
  WechatChannelSettings,
  type GathererOptions,
} from '@huiliu/adapters';
import type { ChannelType } from '@huiliu/contracts';

/** What the conversation service needs to know about a chat channel. */
export interface ConversationChannel {
  id: string;
  type: Extract<ChannelType, 'telegram' | 'wechat'>;
  gatherer: GathererOptions;
  /** The raw original of a submission from the raw originals of its messages. */
  encodeRaw: (raws: unknown[]) => Buffer;
  rawContentType: string;
}

export class NotAConversationChannelError extends Error {}

/** The conversation view of a stored channel; throws when its settings are not valid for its type. */
export function conversationChannelOf(channel: { id: string; type: ChannelType; settings: Record<string, unknown> }): ConversationChannel {
  if (channel.type === 'telegram') {
    const s = TelegramChannelSettings.parse(channel.settings ?? {});
    return { id: channel.id, type: 'telegram', gatherer: telegramGathererOptions(s), encodeRaw: encodeTelegramRaw, rawContentType: 'application/json' };
  }
  if (channel.type === 'wechat') {
    const s = WechatChannelSettings.parse(channel.settings ?? {});
    return { id: channel.id, type: 'wechat', gatherer: wechatGathererOptions(s), encodeRaw: encodeWechatRaw, rawContentType: 'application/xml' };
  }
  throw new NotAConversationChannelError(`channel type ${channel.type} has no conversations`);
}
