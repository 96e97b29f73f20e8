import type { ConversationMessage } from '../conversation/conversation.types';
import { WechatRejectedError } from './wechat.errors';
import type { WechatXmlElement, WechatXmlValue } from './wechat-xml.parser';

/** Voice Format values WeChat sends, as MIME types; others stay unknown until the bytes are fetched. */
const VOICE_TYPES: Record<string, string> = { amr: 'audio/amr', speex: 'audio/speex', mp3: 'audio/mpeg' };

/**
 * Turns one parsed push (the children of `<xml>`) into a conversation message. Refuses a push without the
 * fields every push has (FromUserName, CreateTime, MsgType); an unknown MsgType is kept as kind 'other' so
 * that the conversation still sees that the person wrote something.
 */
export function toConversationMessage(msg: WechatXmlElement): ConversationMessage {
  const from = requiredText(msg, 'FromUserName');
  const createTimeText = requiredText(msg, 'CreateTime');
  const msgType = requiredText(msg, 'MsgType').toLowerCase();
  if (!/^\d{1,12}$/.test(createTimeText)) throw new WechatRejectedError('bad_field', `CreateTime "${createTimeText.slice(0, 20)}" is not epoch seconds`);
  const createTime = Number(createTimeText);
  const msgId = textOf(msg, 'MsgId');

  const base: ConversationMessage = {
    channelType: 'wechat',
    conversationKey: from,
    // Events carry no MsgId; the sender and second identify them, and a retried event repeats both.
    ref: msgType !== 'event' && msgId ? msgId : `${from}:${createTimeText}`,
    at: createTime * 1000,
    kind: 'other',
    text: null,
    command: null,
    location: null,
    attachment: null,
    sender: { handle: from, name: null },
    editOf: null,
    event: null,
  };

  switch (msgType) {
    case 'text':
      return { ...base, kind: 'text', text: textOf(msg, 'Content') ?? '' };
    case 'image':
      return { ...base, kind: 'photo', attachment: mediaAttachment(textOf(msg, 'MediaId') ?? textOf(msg, 'PicUrl'), null) };
    case 'voice': {
      const format = textOf(msg, 'Format')?.toLowerCase() ?? '';
      // With speech recognition on, WeChat transcribes the voice message: that transcript is what was said.
      return {
        ...base,
        kind: 'voice',
        text: nonEmpty(textOf(msg, 'Recognition')),
        attachment: mediaAttachment(textOf(msg, 'MediaId'), VOICE_TYPES[format] ?? null),
      };
    }
    case 'video':
    case 'shortvideo':
      return { ...base, kind: 'video', attachment: mediaAttachment(textOf(msg, 'MediaId'), null) };
    case 'location':
      return { ...base, kind: 'location', location: locationOf(msg, 'Location_X', 'Location_Y', 'Label') };
    case 'link': {
      // A shared article: its title, description and address are what the person pointed at.
      const parts = [textOf(msg, 'Title'), textOf(msg, 'Description'), textOf(msg, 'Url')].filter((p): p is string => !!p);
      return { ...base, kind: 'text', text: parts.join('\n') };
    }
    case 'event':
      return eventMessage(base, msg);
    default:
      return base;
  }
}

function eventMessage(base: ConversationMessage, msg: WechatXmlElement): ConversationMessage {
  const event = textOf(msg, 'Event') ?? '';
  const message: ConversationMessage = { ...base, kind: 'event', event };
  // Location-bearing events: the periodic LOCATION report and the menu's location picker.
  if (event.toUpperCase() === 'LOCATION') return { ...message, location: locationOf(msg, 'Latitude', 'Longitude', null) };
  const picked = msg.SendLocationInfo;
  if (event === 'location_select' && isElement(picked)) return { ...message, location: locationOf(picked, 'Location_X', 'Location_Y', 'Label') };
  return message;
}

function locationOf(msg: WechatXmlElement, latKey: string, lngKey: string, labelKey: string | null): ConversationMessage['location'] {
  const lat = Number(textOf(msg, latKey));
  const lng = Number(textOf(msg, lngKey));
  if (!textOf(msg, latKey) || !textOf(msg, lngKey) || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { lat, lng, label: labelKey ? nonEmpty(textOf(msg, labelKey)) : null };
}

function mediaAttachment(sourceRef: string | null, contentType: string | null): ConversationMessage['attachment'] {
  return sourceRef ? { sourceRef, filename: null, contentType, size: null } : null;
}

function requiredText(msg: WechatXmlElement, key: string): string {
  const value = textOf(msg, key);
  if (!value) throw new WechatRejectedError('missing_field', `${key} is missing`);
  return value;
}

/** The trimmed text of a child element; null when absent or not text. */
export function textOf(msg: WechatXmlElement, key: string): string | null {
  const value: WechatXmlValue | undefined = Object.prototype.hasOwnProperty.call(msg, key) ? msg[key] : undefined;
  return typeof value === 'string' ? value.trim() : null;
}

function nonEmpty(value: string | null): string | null {
  return value ? value : null;
}

function isElement(value: WechatXmlValue | undefined): value is WechatXmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
