import type { ChannelType } from '@huiliu/contracts';

/**
 * One message of a chat-like channel (Telegram, WeChat), reduced to what gathering a complaint needs.
 * Platform adapters turn native updates/pushes into these; the conversation gatherer turns a run of them
 * from one sender into one submission draft.
 */
export interface ConversationMessage {
  channelType: Extract<ChannelType, 'telegram' | 'wechat'>;
  /** Whose conversation this belongs to: Telegram chat id, WeChat OpenID. */
  conversationKey: string;
  /** The message's natural id: Telegram `chatId:messageId`, WeChat MsgId, or for events FromUserName+CreateTime. */
  ref: string;
  /** When the message says it was sent (epoch ms): replays gather by this, never by the clock. */
  at: number;
  kind: 'text' | 'photo' | 'document' | 'location' | 'voice' | 'video' | 'command' | 'sticker' | 'event' | 'other';
  text: string | null;
  /** For kind 'command': the command without the slash (start, status, done, cancel) and its argument text. */
  command: { name: string; args: string } | null;
  location: { lat: number; lng: number; label: string | null } | null;
  /** A file the platform holds: fetched later by its sourceRef (file_id, MediaId). */
  attachment: { sourceRef: string; filename: string | null; contentType: string | null; size: number | null } | null;
  sender: { handle: string; name: string | null };
  /** Set when this is an edit of an earlier message: the ref of the message it amends. */
  editOf: string | null;
  /** For kind 'event': subscribe, unsubscribe, CLICK, … */
  event: string | null;
  /**
   * A contact card the sender shared (Telegram `contact`): the usual way a chat user gives a phone number.
   * Optional so producers that never see one can leave it out.
   */
  contact?: { phone: string; name: string | null } | null;
  /** True when the sender forwarded someone else's message: the words are kept, the flag tells the reader. */
  forwarded?: boolean;
}
