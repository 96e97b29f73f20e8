import type { ConversationMessage } from '../conversation/conversation.types';
import { commandIsForThisBot, parseBotCommand } from './telegram-command.parser';
import { telegramConversationKey } from './telegram-conversation.util';
import type { TgChat, TgFile, TgLocation, TgMessage, TgPhotoSize, TgUpdate, TgUser } from './telegram.types';

/** The update fields that carry a message someone wrote; the `edited_*` ones amend an earlier message. */
const MESSAGE_FIELDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_message', 'edited_business_message'] as const;
const EDIT_FIELDS = new Set<string>(['edited_message', 'edited_channel_post', 'edited_business_message']);

/** Update types of the Bot API that are not messages: button presses, queries, membership, polls, reactions … */
const NON_MESSAGE_FIELDS = new Set<string>([
  'callback_query',
  'inline_query',
  'chosen_inline_result',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
  'message_reaction',
  'message_reaction_count',
  'business_connection',
  'deleted_business_messages',
]);

/** Message fields that mean "something happened in the chat" rather than "someone said something". */
const SERVICE_FIELDS = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'chat_shared',
  'connected_website',
  'write_access_allowed',
  'passport_data',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
];

/** Content a person sends; a message with none of these and a service field is a service message. */
const CONTENT_FIELDS = ['text', 'caption', 'photo', 'document', 'voice', 'audio', 'video', 'video_note', 'animation', 'sticker', 'location', 'venue', 'contact'];

export type UpdateReading =
  | { ok: true; updateId: number | null; message: ConversationMessage }
  | { ok: false; updateId: number | null; reason: string };

export interface ReadUpdateOptions {
  /** This bot's username (getMe), to tell a group's `/done@OtherBot` from a command for this bot; null when not known. */
  botUsername?: string | null;
}

/**
 * Reads one Bot API update. Every input gets an answer: a ConversationMessage, or a short reason why it is
 * not one (`not_a_message:callback_query`, `unknown_update_type:guest_message`, `service_message:new_chat_members`,
 * `sent_by_bot`, `command_for_another_bot`, `malformed_message:no_chat`, `not_an_update`), so a poller can log
 * and acknowledge it.
 */
export function readUpdate(update: unknown, opts: ReadUpdateOptions = {}): UpdateReading {
  if (!isObject(update)) return { ok: false, updateId: null, reason: 'not_an_update' };
  const u = update as TgUpdate;
  const updateId = typeof u.update_id === 'number' ? u.update_id : null;
  const payloadFields = Object.keys(u).filter((k) => k !== 'update_id' && u[k] !== undefined && u[k] !== null);

  const messageField = MESSAGE_FIELDS.find((f) => isObject(u[f]));
  if (messageField) {
    const result = readMessage(u[messageField] as TgMessage, EDIT_FIELDS.has(messageField), opts.botUsername ?? null);
    return 'reason' in result ? { ok: false, updateId, reason: result.reason } : { ok: true, updateId, message: result.message };
  }
  if (updateId === null) return { ok: false, updateId, reason: 'not_an_update' };
  const known = payloadFields.find((f) => NON_MESSAGE_FIELDS.has(f));
  if (known) return { ok: false, updateId, reason: `not_a_message:${known}` };
  if (payloadFields.length === 0) return { ok: false, updateId, reason: 'empty_update' };
  return { ok: false, updateId, reason: `unknown_update_type:${payloadFields[0]}` };
}

/** The update as a conversation message, or null when it is not one (see notAMessageReason for why). */
export function toConversationMessage(update: unknown, opts: ReadUpdateOptions = {}): ConversationMessage | null {
  const reading = readUpdate(update, opts);
  return reading.ok ? reading.message : null;
}

/** Why the update is not a message, or null when it is one. */
export function notAMessageReason(update: unknown, opts: ReadUpdateOptions = {}): string | null {
  const reading = readUpdate(update, opts);
  return reading.ok ? null : reading.reason;
}

function readMessage(m: TgMessage, isEdit: boolean, botUsername: string | null): { message: ConversationMessage } | { reason: string } {
  const chatId = m.chat?.id;
  if (typeof chatId !== 'number' && typeof chatId !== 'string') return { reason: 'malformed_message:no_chat' };
  if (typeof m.message_id !== 'number') return { reason: 'malformed_message:no_message_id' };
  // An inaccessible message (date 0) is a stub the API sends in place of a message the bot cannot see.
  if (typeof m.date !== 'number' || m.date <= 0) return { reason: 'malformed_message:no_date' };
  if (m.from?.is_bot === true) return { reason: 'sent_by_bot' };
  const hasContent = CONTENT_FIELDS.some((f) => m[f] !== undefined && m[f] !== null);
  const service = SERVICE_FIELDS.find((f) => m[f] !== undefined && m[f] !== null);
  if (!hasContent && service) return { reason: `service_message:${service}` };
  // Another bot's command in a group is not for us at all: neither a command nor words of a complaint.
  const command = typeof m.text === 'string' ? parseBotCommand(m.text) : null;
  if (command && !commandIsForThisBot(command, m.chat?.type, botUsername)) return { reason: 'command_for_another_bot' };

  const ref = `${chatId}:${m.message_id}`;
  // An edit is sent at edit_date: gathering by that time decides whether the edit still finds its draft open.
  const at = (isEdit && typeof m.edit_date === 'number' && m.edit_date > 0 ? m.edit_date : m.date) * 1000;
  const message: ConversationMessage = {
    channelType: 'telegram',
    // A group member's messages are theirs alone; a channel speaks as its chat (sender_chat is the chat).
    conversationKey: telegramConversationKey(chatId, speakerOf(m)),
    ref,
    at,
    kind: 'other',
    text: null,
    command: null,
    location: null,
    attachment: null,
    sender: senderOf(m.from, m.sender_chat ?? m.chat),
    editOf: isEdit ? ref : null,
    event: null,
  };
  if (m.forward_origin != null || m.forward_from != null || m.forward_from_chat != null || typeof m.forward_date === 'number') {
    message.forwarded = true;
  }
  fillContent(message, m);
  return { message };
}

function fillContent(out: ConversationMessage, m: TgMessage): void {
  const caption = nonEmpty(m.caption);
  if (typeof m.text === 'string') {
    const command = parseBotCommand(m.text);
    if (command) {
      out.kind = 'command';
      out.command = { name: command.name, args: command.args };
    } else {
      out.kind = 'text';
    }
    out.text = m.text;
    return;
  }
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    const best = largestPhoto(m.photo);
    out.kind = 'photo';
    out.text = caption;
    // Telegram re-encodes every photo size as JPEG.
    out.attachment = fileAttachment(best, 'image/jpeg');
    return;
  }
  // An animation also carries a `document` copy of itself: look at the animation first.
  const media: [keyof TgMessage, ConversationMessage['kind'], string | null][] = [
    ['animation', 'video', 'video/mp4'],
    ['video', 'video', 'video/mp4'],
    ['video_note', 'video', 'video/mp4'],
    ['voice', 'voice', 'audio/ogg'],
    // A sound file is most often a recording of the noise complained about: kept as a voice message.
    ['audio', 'voice', 'audio/mpeg'],
    ['document', 'document', null],
  ];
  for (const [field, kind, defaultType] of media) {
    const file = m[field] as TgFile | undefined;
    if (isObject(file)) {
      out.kind = kind;
      out.text = caption;
      out.attachment = fileAttachment(file, defaultType);
      return;
    }
  }
  if (isObject(m.sticker)) {
    out.kind = 'sticker';
    return;
  }
  const venue = isObject(m.venue) ? m.venue : null;
  const point = readLocation(venue?.location) ?? readLocation(m.location);
  if (point) {
    out.kind = 'location';
    const label = [nonEmpty(venue?.title), nonEmpty(venue?.address)].filter(Boolean).join(' ');
    out.location = { ...point, label: label || null };
    return;
  }
  if (isObject(m.contact) && nonEmpty(m.contact.phone_number)) {
    out.kind = 'other';
    out.contact = { phone: m.contact.phone_number!.trim(), name: displayName(m.contact.first_name, m.contact.last_name) };
    return;
  }
  // Games, invoices, dice, polls, rich blocks, whatever comes next: a message with nothing to gather.
  out.kind = 'other';
  out.text = caption;
}

function largestPhoto(sizes: TgPhotoSize[]): TgPhotoSize {
  // The API lists sizes smallest first, but the order is not promised: compare areas, then byte sizes.
  let best = sizes[sizes.length - 1];
  let bestScore = -1;
  for (const size of sizes) {
    if (!isObject(size) || typeof size.file_id !== 'string') continue;
    const score = (size.width ?? 0) * (size.height ?? 0) || (size.file_size ?? 0);
    if (score >= bestScore) {
      best = size;
      bestScore = score;
    }
  }
  return best;
}

function fileAttachment(file: TgFile, defaultType: string | null): ConversationMessage['attachment'] {
  if (typeof file?.file_id !== 'string' || file.file_id === '') return null;
  return {
    sourceRef: file.file_id,
    filename: nonEmpty(file.file_name),
    contentType: nonEmpty(file.mime_type) ?? defaultType,
    size: typeof file.file_size === 'number' && file.file_size >= 0 ? file.file_size : null,
  };
}

function readLocation(loc: TgLocation | undefined | null): { lat: number; lng: number } | null {
  if (!isObject(loc)) return null;
  const lat = Number(loc.latitude);
  const lng = Number(loc.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { lat, lng };
}

/** Who wrote the message: the chat it was sent on behalf of (a channel, an anonymous admin), else the user. */
function speakerOf(m: TgMessage): number | string | null {
  const id = m.sender_chat?.id ?? m.from?.id;
  return typeof id === 'number' || typeof id === 'string' ? id : null;
}

function senderOf(from: TgUser | undefined, chat: TgChat | undefined): ConversationMessage['sender'] {
  if (isObject(from) && from.id !== undefined) {
    return { handle: String(from.id), name: displayName(from.first_name, from.last_name) ?? nonEmpty(from.username) };
  }
  // Channel posts and anonymous group admins speak as a chat.
  return { handle: String(chat?.id ?? ''), name: nonEmpty(chat?.title) ?? displayName(chat?.first_name, chat?.last_name) };
}

const HAN = /^[\u3400-\u9fff\uf900-\ufaff]+$/;

/** Chinese names are written family name first and without a space (周 + 晓东 → 周晓东); others "first last". */
export function displayName(first: string | undefined, last: string | undefined): string | null {
  const f = nonEmpty(first);
  const l = nonEmpty(last);
  if (f && l) return HAN.test(f) && HAN.test(l) ? `${l}${f}` : `${f} ${l}`;
  return f ?? l ?? null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
