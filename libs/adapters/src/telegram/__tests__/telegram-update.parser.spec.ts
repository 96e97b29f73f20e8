import { notAMessageReason, readUpdate, toConversationMessage, displayName } from '../telegram-update.parser';
import { parseBotCommand } from '../telegram-command.parser';

const USER = { id: 5550001, is_bot: false, first_name: '晓东', last_name: '周', username: 'xd_zhou', language_code: 'zh-hans' };
const CHAT = { id: 5550001, first_name: '晓东', last_name: '周', username: 'xd_zhou', type: 'private' };
const DATE = 1725146165; // 2024-09-01T07:16:05+08:00

function update(fields: Record<string, unknown>, kind = 'message', updateId = 900001) {
  return { update_id: updateId, [kind]: { message_id: 28, from: USER, chat: CHAT, date: DATE, ...fields } };
}

describe('toConversationMessage', () => {
  it('reads a text message with ref, time, conversation and sender', () => {
    const msg = toConversationMessage(update({ text: '工厂晚上偷排废水' }));
    expect(msg).toEqual({
      channelType: 'telegram',
      conversationKey: '5550001',
      ref: '5550001:28',
      at: DATE * 1000,
      kind: 'text',
      text: '工厂晚上偷排废水',
      command: null,
      location: null,
      attachment: null,
      sender: { handle: '5550001', name: '周晓东' },
      editOf: null,
      event: null,
    });
  });

  it.each([
    ['/start', 'start', ''],
    ['/start@HuiliuBot', 'start', ''],
    ['/status ABCD-EFGH', 'status', 'ABCD-EFGH'],
    ['/done', 'done', ''],
    ['/cancel', 'cancel', ''],
    ['/Status@HuiliuBot  7K3M9Q2D ', 'status', '7K3M9Q2D'],
  ])('reads the command %s', (text, name, args) => {
    const msg = toConversationMessage(update({ text, entities: [{ offset: 0, length: text.split(/\s/)[0].length, type: 'bot_command' }] }));
    expect(msg?.kind).toBe('command');
    expect(msg?.command).toEqual({ name, args });
    expect(msg?.text).toBe(text);
  });

  it('keeps a text that only starts with a slash-like character as text', () => {
    expect(toConversationMessage(update({ text: '/ 化工厂排污' }))?.kind).toBe('text');
    expect(toConversationMessage(update({ text: '举报 /start' }))?.kind).toBe('text');
  });

  it('takes the largest photo size and the caption', () => {
    const photo = [
      { file_id: 'small', file_unique_id: 's', file_size: 1383, width: 90, height: 67 },
      { file_id: 'large', file_unique_id: 'l', file_size: 90210, width: 1280, height: 960 },
      { file_id: 'medium', file_unique_id: 'm', file_size: 44095, width: 800, height: 600 },
    ];
    const msg = toConversationMessage(update({ photo, caption: '排放黑烟，现场照片' }));
    expect(msg?.kind).toBe('photo');
    expect(msg?.text).toBe('排放黑烟，现场照片');
    expect(msg?.attachment).toEqual({ sourceRef: 'large', filename: null, contentType: 'image/jpeg', size: 90210 });
  });

  it('reads a photo without caption as a photo with no text', () => {
    const msg = toConversationMessage(update({ photo: [{ file_id: 'only', width: 10, height: 10 }] }));
    expect(msg?.kind).toBe('photo');
    expect(msg?.text).toBeNull();
    expect(msg?.attachment?.sourceRef).toBe('only');
    expect(msg?.attachment?.size).toBeNull();
  });

  it('reads a document with its name, type and size', () => {
    const msg = toConversationMessage(
      update({ document: { file_id: 'doc1', file_unique_id: 'd', file_name: '监测报告.pdf', mime_type: 'application/pdf', file_size: 123456 }, caption: '附监测报告' }),
    );
    expect(msg?.kind).toBe('document');
    expect(msg?.text).toBe('附监测报告');
    expect(msg?.attachment).toEqual({ sourceRef: 'doc1', filename: '监测报告.pdf', contentType: 'application/pdf', size: 123456 });
  });

  it('reads a location and a venue with its label', () => {
    const loc = toConversationMessage(update({ location: { latitude: 31.223449, longitude: 107.490589 } }));
    expect(loc?.kind).toBe('location');
    expect(loc?.location).toEqual({ lat: 31.223449, lng: 107.490589, label: null });
    const venue = toConversationMessage(
      update({
        location: { latitude: 30.1, longitude: 120.2 },
        venue: { location: { latitude: 30.1, longitude: 120.2 }, title: '华泰混凝土厂', address: '环城路234号' },
      }),
    );
    expect(venue?.location).toEqual({ lat: 30.1, lng: 120.2, label: '华泰混凝土厂 环城路234号' });
  });

  it('drops coordinates outside the globe', () => {
    const msg = toConversationMessage(update({ location: { latitude: 131.2, longitude: 107.4 } }));
    expect(msg?.location).toBeNull();
    expect(msg?.kind).toBe('other');
  });

  it.each([
    ['voice', { file_id: 'v1', mime_type: 'audio/ogg', file_size: 2000, duration: 3 }, 'voice', 'audio/ogg'],
    ['audio', { file_id: 'a1', file_name: 'noise.mp3', mime_type: 'audio/mpeg', file_size: 5000 }, 'voice', 'audio/mpeg'],
    ['video', { file_id: 'vd1', file_size: 9000 }, 'video', 'video/mp4'],
    ['video_note', { file_id: 'vn1', length: 240 }, 'video', 'video/mp4'],
    ['animation', { file_id: 'an1', mime_type: 'video/mp4' }, 'video', 'video/mp4'],
  ])('reads %s as kind %s with its file', (field, file, kind, contentType) => {
    const msg = toConversationMessage(update({ [field]: file }));
    expect(msg?.kind).toBe(kind);
    expect(msg?.attachment?.sourceRef).toBe((file as { file_id: string }).file_id);
    expect(msg?.attachment?.contentType).toBe(contentType);
  });

  it('prefers the animation over the document copy Telegram sends with it', () => {
    const msg = toConversationMessage(update({ animation: { file_id: 'anim' }, document: { file_id: 'anim-doc', file_name: 'x.mp4' } }));
    expect(msg?.kind).toBe('video');
    expect(msg?.attachment?.sourceRef).toBe('anim');
  });

  it('reads a sticker as a sticker without attachment', () => {
    const msg = toConversationMessage(update({ sticker: { file_id: 'st', emoji: '👍', width: 512, height: 512 } }));
    expect(msg?.kind).toBe('sticker');
    expect(msg?.attachment).toBeNull();
  });

  it('reads a shared contact as the phone of the sender', () => {
    const msg = toConversationMessage(update({ contact: { phone_number: '+8613800000000', first_name: '晓东', last_name: '周' } }));
    expect(msg?.kind).toBe('other');
    expect(msg?.contact).toEqual({ phone: '+8613800000000', name: '周晓东' });
  });

  it('keeps the text of forwarded messages, old and new style, and marks them', () => {
    const newStyle = toConversationMessage(update({ text: '转发：河道发黑', forward_origin: { type: 'user', sender_user: { id: 1 }, date: 1 } }));
    const oldStyle = toConversationMessage(update({ text: '转发：河道发黑', forward_from: { id: 1 }, forward_date: 1 }));
    for (const msg of [newStyle, oldStyle]) {
      expect(msg?.text).toBe('转发：河道发黑');
      expect(msg?.forwarded).toBe(true);
    }
    expect(toConversationMessage(update({ text: 'x' }))?.forwarded).toBeUndefined();
  });

  it('reads an edited message at its edit time, same ref, editOf the original', () => {
    const msg = toConversationMessage(update({ text: '补充地址：潞城区', edit_date: DATE + 1200 }, 'edited_message'));
    expect(msg?.ref).toBe('5550001:28');
    expect(msg?.editOf).toBe('5550001:28');
    expect(msg?.at).toBe((DATE + 1200) * 1000);
  });

  it('reads channel posts, speaking as the channel when there is no sender', () => {
    const post = {
      update_id: 5,
      channel_post: { message_id: 7, sender_chat: { id: -1001, title: '环保志愿者', type: 'channel' }, chat: { id: -1001, title: '环保志愿者', type: 'channel' }, date: DATE, text: '河边有人烧垃圾' },
    };
    const msg = toConversationMessage(post);
    expect(msg?.ref).toBe('-1001:7');
    expect(msg?.conversationKey).toBe('-1001');
    expect(msg?.sender).toEqual({ handle: '-1001', name: '环保志愿者' });
    const edited = toConversationMessage({ update_id: 6, edited_channel_post: { ...post.channel_post, edit_date: DATE + 60, text: '河边有人烧轮胎' } });
    expect(edited?.editOf).toBe('-1001:7');
  });

  it('gives each member of a group a conversation of their own in that chat', () => {
    const GROUP = { id: -1002233445566, title: '锁金村业主群', type: 'supergroup' };
    const OTHER = { ...USER, id: 5550002, first_name: '芳', last_name: '王' };
    const mine = toConversationMessage(update({ chat: GROUP, text: '小区门口的餐馆油烟直排' }));
    const theirs = toConversationMessage(update({ chat: GROUP, from: OTHER, message_id: 29, text: '楼下工地夜里打桩' }));
    expect(mine).toMatchObject({ conversationKey: '-1002233445566:5550001', ref: '-1002233445566:28', sender: { handle: '5550001' } });
    expect(theirs).toMatchObject({ conversationKey: '-1002233445566:5550002', ref: '-1002233445566:29', sender: { handle: '5550002' } });
    // An edit in the group stays in its author's conversation.
    const edit = toConversationMessage(update({ chat: GROUP, text: '小区东门的餐馆油烟直排', edit_date: DATE + 60 }, 'edited_message'));
    expect(edit?.conversationKey).toBe('-1002233445566:5550001');
    // Someone writing in the group on behalf of a channel speaks as that channel.
    const asChannel = toConversationMessage(update({ chat: GROUP, sender_chat: { id: -1009, title: '环保志愿者', type: 'channel' }, text: '河边有人烧垃圾' }));
    expect(asChannel?.conversationKey).toBe('-1002233445566:-1009');
  });

  it('ignores unknown fields of a message', () => {
    const msg = toConversationMessage(update({ text: '噪音扰民', rich_message: { blocks: [] }, some_future_field: { a: 1 } }));
    expect(msg?.kind).toBe('text');
    expect(msg?.text).toBe('噪音扰民');
  });

  it('reads a message with no known content as kind other', () => {
    const msg = toConversationMessage(update({ dice: { emoji: '🎲', value: 3 } }));
    expect(msg?.kind).toBe('other');
    expect(msg?.text).toBeNull();
  });
});

describe('updates that are not messages', () => {
  it.each([
    [{ update_id: 1, callback_query: { id: '1', from: USER, data: 'x' } }, 'not_a_message:callback_query'],
    [{ update_id: 1, callback_query: { id: '1', from: USER, message: null, data: 'x' } }, 'not_a_message:callback_query'],
    [{ update_id: 1, inline_query: { id: '1', from: USER, query: 'q' } }, 'not_a_message:inline_query'],
    [{ update_id: 1, my_chat_member: { chat: CHAT } }, 'not_a_message:my_chat_member'],
    [{ update_id: 1, poll: { id: 'p', question: '?' } }, 'not_a_message:poll'],
    [{ update_id: 1, message_reaction: { chat: CHAT, message_id: 1 } }, 'not_a_message:message_reaction'],
    [{ update_id: 1, guest_message: { message_id: 1, chat: CHAT, date: DATE, text: 'hi' } }, 'unknown_update_type:guest_message'],
    [{ update_id: 1 }, 'empty_update'],
    [{ message_id: 1, chat: CHAT, date: DATE, text: 'no envelope' }, 'not_an_update'],
    [null, 'not_an_update'],
    ['text', 'not_an_update'],
    [[1, 2], 'not_an_update'],
    [update({ new_chat_members: [USER] }), 'service_message:new_chat_members'],
    [update({ successful_payment: { currency: 'CNY' } }), 'service_message:successful_payment'],
    [update({ text: 'echo', from: { id: 1, is_bot: true, first_name: 'Bot' } }), 'sent_by_bot'],
    [{ update_id: 1, message: { message_id: 1, date: DATE, text: 'x' } }, 'malformed_message:no_chat'],
    [{ update_id: 1, message: { message_id: 1, chat: CHAT, date: 0 } }, 'malformed_message:no_date'],
    [{ update_id: 1, message: { chat: CHAT, date: DATE, text: 'x' } }, 'malformed_message:no_message_id'],
  ])('%j → %s', (input, reason) => {
    expect(toConversationMessage(input)).toBeNull();
    expect(notAMessageReason(input)).toBe(reason);
  });

  it('gives no reason for a message, and the update id either way', () => {
    expect(notAMessageReason(update({ text: 'x' }))).toBeNull();
    expect(readUpdate(update({ text: 'x' }, 'message', 42))).toMatchObject({ ok: true, updateId: 42 });
    expect(readUpdate({ update_id: 43, poll: {} })).toEqual({ ok: false, updateId: 43, reason: 'not_a_message:poll' });
  });
});

describe('parseBotCommand and displayName', () => {
  it('separates the bot name and lower-cases the command', () => {
    expect(parseBotCommand('/START@Huiliu_bot now')).toEqual({ name: 'start', addressee: 'Huiliu_bot', args: 'now' });
    expect(parseBotCommand('/start@')).toBeNull();
    expect(parseBotCommand('')).toBeNull();
  });

  it('writes Chinese names family name first, others as given', () => {
    expect(displayName('晓东', '周')).toBe('周晓东');
    expect(displayName('Lei', 'Zhang')).toBe('Lei Zhang');
    expect(displayName('平', undefined)).toBe('平');
    expect(displayName(undefined, '  ')).toBeNull();
  });
});
