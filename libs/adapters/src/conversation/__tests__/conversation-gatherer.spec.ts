import { parseSubmission, sourceKeyOf } from '@huiliu/contracts';
import { ConversationGatherer } from '../conversation-gatherer';
import type { ConversationMessage } from '../conversation.types';
import type { GathererAction } from '../gatherer.types';
import { receiptOf } from '../receipt.util';

const T0 = Date.UTC(2024, 8, 1, 0, 5, 0); // 2024-09-01T08:05:00+08:00
const MIN = 60_000;

let nextId = 1;
function msg(partial: Partial<ConversationMessage> & { at: number }, chat = '1001'): ConversationMessage {
  const id = nextId++;
  return {
    channelType: 'telegram',
    conversationKey: chat,
    ref: `${chat}:${id}`,
    kind: 'text',
    text: null,
    command: null,
    location: null,
    attachment: null,
    sender: { handle: chat, name: '周晓东' },
    editOf: null,
    event: null,
    ...partial,
  };
}
const text = (at: number, t: string, chat?: string) => msg({ at, kind: 'text', text: t }, chat);
const command = (at: number, name: string, args = '', chat?: string) => msg({ at, kind: 'command', text: `/${name} ${args}`.trim(), command: { name, args } }, chat);
const location = (at: number, lat: number, lng: number, label: string | null = null, chat?: string) => msg({ at, kind: 'location', location: { lat, lng, label } }, chat);
const photo = (at: number, caption: string | null, fileId = 'AgAC-photo', chat?: string) =>
  msg({ at, kind: 'photo', text: caption, attachment: { sourceRef: fileId, filename: null, contentType: 'image/jpeg', size: 44095 } }, chat);
const editOf = (original: ConversationMessage, at: number, newText: string) =>
  ({ ...original, at, text: newText, editOf: original.ref }) as ConversationMessage;

type Submit = Extract<GathererAction, { type: 'submit' }>;
const submits = (actions: GathererAction[]) => actions.filter((a): a is Submit => a.type === 'submit');
const ofType = <T extends GathererAction['type']>(actions: GathererAction[], type: T) =>
  actions.filter((a): a is Extract<GathererAction, { type: T }> => a.type === type);

/** Replays messages the way a poller does: tick to each message's time, then accept; close at the end. */
function replay(g: ConversationGatherer, messages: ConversationMessage[]): GathererAction[] {
  const out: GathererAction[] = [];
  for (const m of messages) out.push(...g.tick(m.at), ...g.accept(m));
  out.push(...g.closeAll());
  return out;
}

describe('ConversationGatherer: gathering', () => {
  it('gathers a location and the text about it into one submission', () => {
    const g = new ConversationGatherer();
    const loc = location(T0, 31.223449, 107.490589);
    const words = text(T0 + 1 * MIN, '位置发你们了，混凝土厂扬尘污染');
    const actions = replay(g, [loc, words]);
    const [s] = submits(actions);
    expect(submits(actions)).toHaveLength(1);
    expect(s.draft).toMatchObject({
      channelType: 'telegram',
      ref: loc.ref,
      refs: [loc.ref, words.ref],
      text: '位置发你们了，混凝土厂扬尘污染',
      submittedAt: '2024-09-01T08:05:00+08:00',
      complainant: { handle: '1001', name: '周晓东' },
      location: { lat: 31.223449, lng: 107.490589, label: null },
    });
    expect(s.messageRefs).toEqual([loc.ref, words.ref]);
    expect(s.receipt).toBe(receiptOf(sourceKeyOf('telegram', loc.ref)));
    expect(() => parseSubmission(s.draft)).not.toThrow();
  });

  it('gathers a photo sent before the text, and a photo sent after it', () => {
    for (const order of ['before', 'after'] as const) {
      const g = new ConversationGatherer();
      const p = photo(order === 'before' ? T0 : T0 + 2 * MIN, null, `file-${order}`);
      const t = text(order === 'before' ? T0 + 1 * MIN : T0, '鸿运化工排放大量黑烟');
      const [s, ...rest] = submits(replay(g, order === 'before' ? [p, t] : [t, p]));
      expect(rest).toHaveLength(0);
      expect(s.draft.text).toBe('鸿运化工排放大量黑烟');
      expect(s.draft.attachments).toEqual([{ filename: null, contentType: 'image/jpeg', size: 44095, blobKey: null, sourceRef: `file-${order}` }]);
      expect(s.draft.refs).toHaveLength(2);
    }
  });

  it('keeps a photo caption as text', () => {
    const g = new ConversationGatherer();
    const [s] = submits(replay(g, [photo(T0, '金樽KTV音响开得很大，现场照片')]));
    expect(s.draft.text).toBe('金樽KTV音响开得很大，现场照片');
    expect(s.draft.attachments).toHaveLength(1);
  });

  it('makes two submissions of two complaints far apart in time from the same person', () => {
    const g = new ConversationGatherer();
    const first = text(T0, '河水发黑发臭');
    const second = text(T0 + 14 * 24 * 60 * MIN, 'LED大屏晚上太亮');
    const found = submits(replay(g, [first, second]));
    expect(found.map((s) => s.draft.refs)).toEqual([[first.ref], [second.ref]]);
  });

  it('closes a draft after the quiet period, by tick', () => {
    const g = new ConversationGatherer({ quietMs: 5 * MIN });
    const m = text(T0, '工地夜间施工噪声');
    g.accept(m);
    expect(submits(g.tick(T0 + 4 * MIN + 59_000))).toHaveLength(0);
    const closed = submits(g.tick(T0 + 5 * MIN));
    expect(closed).toHaveLength(1);
    expect(closed[0].closedBy).toBe('quiet');
    expect(g.openConversations()).toEqual([]);
  });

  it('starts a new draft for a message after the quiet period even without a tick', () => {
    const g = new ConversationGatherer({ quietMs: 5 * MIN });
    const a = text(T0, '第一件事：烧垃圾');
    const b = text(T0 + 6 * MIN, '第二件事：排污');
    g.accept(a);
    const actions = g.accept(b);
    expect(submits(actions).map((s) => s.draft.refs)).toEqual([[a.ref]]);
    expect(submits(g.closeAll()).map((s) => s.draft.refs)).toEqual([[b.ref]]);
  });

  it('uses the configured quiet period', () => {
    const g = new ConversationGatherer({ quietMs: 30 * MIN });
    const found = submits(replay(g, [text(T0, '一'), text(T0 + 20 * MIN, '二')]));
    expect(found).toHaveLength(1);
    expect(found[0].draft.text).toBe('一\n二');
  });

  it('keeps conversations apart', () => {
    const g = new ConversationGatherer();
    const found = submits(replay(g, [text(T0, '甲', 'A'), text(T0 + MIN, '乙', 'B'), text(T0 + 2 * MIN, '甲2', 'A')]));
    expect(found.map((s) => [s.conversationKey, s.draft.text])).toEqual([
      ['A', '甲\n甲2'],
      ['B', '乙'],
    ]);
  });

  it('orders a draft by the times the messages carry, not by arrival', () => {
    const g = new ConversationGatherer();
    const late = text(T0 + 2 * MIN, '第二句');
    const early = text(T0, '第一句');
    g.accept(late);
    g.accept(early);
    const [s] = submits(g.closeAll());
    expect(s.draft.text).toBe('第一句\n第二句');
    expect(s.draft.ref).toBe(early.ref);
    expect(s.draft.submittedAt).toBe('2024-09-01T08:05:00+08:00');
  });

  it('gathers by message time and ignores a tick that goes backwards', () => {
    const g = new ConversationGatherer({ quietMs: 5 * MIN });
    g.accept(text(T0 + 60 * MIN, '晚到的钟'));
    expect(submits(g.tick(T0))).toHaveLength(0); // earlier than the clock: nothing closes, nothing breaks
    expect(submits(g.tick(T0 + 65 * MIN))).toHaveLength(1);
  });

  it('writes submittedAt in UTC when asked', () => {
    const g = new ConversationGatherer({ utcOffsetMinutes: 0 });
    const [s] = submits(replay(g, [text(T0, '臭味')]));
    expect(s.draft.submittedAt).toBe('2024-09-01T00:05:00Z');
  });

  it('closes a draft at maxMessages and before maxChars would be exceeded', () => {
    const byCount = new ConversationGatherer({ maxMessages: 3 });
    const countActions = replay(byCount, [text(T0, '1'), text(T0 + 1, '2'), text(T0 + 2, '3'), text(T0 + 3, '4')]);
    expect(submits(countActions).map((s) => [s.draft.text, s.closedBy])).toEqual([
      ['1\n2\n3', 'limit'],
      ['4', 'end_of_input'],
    ]);
    const byChars = new ConversationGatherer({ maxChars: 10 });
    const charActions = replay(byChars, [text(T0, '一二三四五六'), text(T0 + 1, '七八九十')]);
    expect(submits(charActions).map((s) => s.draft.text)).toEqual(['一二三四五六', '七八九十']);
  });

  it('takes a shared contact as the complainant phone, and a venue label with the location', () => {
    const g = new ConversationGatherer();
    const contact = msg({ at: T0 + MIN, kind: 'other', contact: { phone: '+8613800000000', name: '周晓东' } });
    const [s] = submits(replay(g, [location(T0, 30.1, 120.2, '华泰混凝土厂 环城路'), contact, text(T0 + 2 * MIN, '粉尘大')]));
    expect(s.draft.complainant?.phone).toBe('+8613800000000');
    expect(s.draft.location).toMatchObject({ lat: 30.1, lng: 120.2, label: '华泰混凝土厂 环城路' });
    expect(s.draft.text).toBe('粉尘大');
  });

  it('flags forwarded text and gathers voice recognition text', () => {
    const g = new ConversationGatherer();
    const fwd = msg({ at: T0, kind: 'text', text: '转：河边烧轮胎', forwarded: true });
    const voice = msg({ at: T0 + MIN, kind: 'voice', text: '味道很大', attachment: { sourceRef: 'media-1', filename: null, contentType: 'audio/amr', size: null } });
    const [s] = submits(replay(g, [fwd, voice]));
    expect(s.draft.text).toBe('转：河边烧轮胎\n味道很大');
    expect(s.draft.flags).toContain('forwarded');
    expect(s.draft.attachments?.[0]).toMatchObject({ sourceRef: 'media-1', size: 0, contentType: 'audio/amr' });
  });
});

describe('ConversationGatherer: the conversation', () => {
  it('answers /start with what to send, and accounts for the command', () => {
    const g = new ConversationGatherer();
    const start = command(T0, 'start');
    const actions = g.accept(start);
    expect(ofType(actions, 'reply')[0].text).toContain('位置');
    expect(ofType(actions, 'ignored')).toEqual([{ type: 'ignored', conversationKey: '1001', ref: start.ref, reason: 'command:start' }]);
    expect(g.openConversations()).toEqual([]);
  });

  it('answers a WeChat subscribe event with the same welcome', () => {
    const g = new ConversationGatherer();
    const sub = msg({ at: T0, channelType: 'wechat', kind: 'event', event: 'subscribe' }, 'oVf3ao');
    const actions = g.accept(sub);
    expect(ofType(actions, 'reply')).toHaveLength(1);
    expect(ofType(actions, 'ignored')[0].reason).toBe('event:subscribe');
    expect(ofType(g.accept(msg({ at: T0, kind: 'event', event: 'CLICK' }, 'oVf3ao')), 'ignored')[0].reason).toBe('event:CLICK');
  });

  it('submits on /done, with a receipt in the reply', () => {
    const g = new ConversationGatherer();
    const t = text(T0, '化工厂排放黑烟');
    const opened = g.accept(t);
    expect(ofType(opened, 'reply')).toHaveLength(1);
    const actions = g.accept(command(T0 + MIN, 'done'));
    const [s] = submits(actions);
    expect(s.closedBy).toBe('confirmed');
    expect(s.draft.refs).toEqual([t.ref]);
    const replyText = ofType(actions, 'reply')[0].text;
    expect(replyText).toContain(`${s.receipt.slice(0, 4)}-${s.receipt.slice(4)}`);
    expect(ofType(actions, 'ignored')[0].reason).toBe('command:done');
  });

  it.each(['确认', '提交', '好了', '好的。', ' OK '])('submits on the confirmation word %j', (word) => {
    const g = new ConversationGatherer();
    g.accept(text(T0, '河道发黑'));
    const confirm = text(T0 + MIN, word);
    const actions = g.accept(confirm);
    expect(submits(actions)).toHaveLength(1);
    expect(submits(actions)[0].draft.refs).not.toContain(confirm.ref);
    expect(ofType(actions, 'ignored')[0]).toMatchObject({ ref: confirm.ref, reason: 'confirmation' });
  });

  it('keeps a longer text with a confirmation word in it as complaint text', () => {
    const g = new ConversationGatherer();
    g.accept(text(T0, '河道发黑'));
    expect(submits(g.accept(text(T0 + MIN, '确认一下，河边那个厂还在排')))).toHaveLength(0);
    expect(submits(g.closeAll())[0].draft.text).toBe('河道发黑\n确认一下，河边那个厂还在排');
  });

  it('ignores a confirmation word when nothing is pending', () => {
    const g = new ConversationGatherer();
    const ok = text(T0, '好的');
    expect(g.accept(ok)).toEqual([{ type: 'ignored', conversationKey: '1001', ref: ok.ref, reason: 'confirmation_without_draft' }]);
  });

  it('drops the draft on /cancel or 取消', () => {
    for (const cancel of [command(T0 + MIN, 'cancel'), text(T0 + MIN, '取消')]) {
      const g = new ConversationGatherer();
      const a = text(T0, '算了不说了');
      g.accept(a);
      const actions = g.accept(cancel);
      expect(ofType(actions, 'cancelled')).toEqual([{ type: 'cancelled', conversationKey: '1001', refs: [a.ref] }]);
      expect(ofType(actions, 'reply')).toHaveLength(1);
      expect(submits([...actions, ...g.closeAll()])).toHaveLength(0);
    }
  });

  it('answers /cancel without a draft', () => {
    const g = new ConversationGatherer();
    const actions = g.accept(command(T0, 'cancel'));
    expect(ofType(actions, 'reply')).toHaveLength(1);
    expect(ofType(actions, 'ignored')[0].reason).toBe('command:cancel');
  });

  it('turns /status <receipt> into a status query, reading a sloppily typed receipt', () => {
    const g = new ConversationGatherer();
    const q = command(T0, 'status', 'abcd-efgh');
    const actions = g.accept(q);
    expect(ofType(actions, 'status_query')).toEqual([{ type: 'status_query', conversationKey: '1001', receipt: 'ABCDEFGH', ref: q.ref }]);
    expect(ofType(g.accept(command(T0, 'status', 'o1l2-3456')), 'status_query')[0].receipt).toBe('01123456');
    expect(ofType(g.accept(text(T0, '查询 ABCD EFGH')), 'status_query')[0].receipt).toBe('ABCDEFGH');
  });

  it('answers /status with a bad receipt, and /status alone with the latest submission or the usage', () => {
    const g = new ConversationGatherer();
    expect(ofType(g.accept(command(T0, 'status', 'XYZ')), 'reply')).toHaveLength(1);
    expect(ofType(g.accept(command(T0, 'status')), 'status_query')).toHaveLength(0);
    g.accept(text(T0, '噪声'));
    const [s] = submits(g.accept(command(T0 + MIN, 'done')));
    expect(ofType(g.accept(command(T0 + 2 * MIN, 'status')), 'status_query')[0].receipt).toBe(s.receipt);
  });

  it('does not let a status question or a command end or join the draft', () => {
    const g = new ConversationGatherer();
    const a = text(T0, '工厂排污');
    g.accept(a);
    g.accept(command(T0 + MIN, 'status', 'ABCDEFGH'));
    g.accept(command(T0 + MIN, 'start'));
    const [s] = submits(g.closeAll());
    expect(s.draft.refs).toEqual([a.ref]);
  });

  it('ignores stickers alone and inside a draft, and messages without content', () => {
    const g = new ConversationGatherer();
    const sticker = msg({ at: T0, kind: 'sticker' });
    expect(g.accept(sticker)).toEqual([{ type: 'ignored', conversationKey: '1001', ref: sticker.ref, reason: 'sticker' }]);
    const a = text(T0 + MIN, '烧垃圾');
    g.accept(a);
    expect(ofType(g.accept(msg({ at: T0 + 2 * MIN, kind: 'sticker' })), 'ignored')[0].reason).toBe('sticker');
    expect(ofType(g.accept(msg({ at: T0 + 2 * MIN, kind: 'other' })), 'ignored')[0].reason).toBe('no_content');
    expect(submits(g.closeAll())[0].draft.refs).toEqual([a.ref]);
  });

  it('answers an unknown command', () => {
    const g = new ConversationGatherer();
    const actions = g.accept(command(T0, 'register', 'HR'));
    expect(ofType(actions, 'reply')).toHaveLength(1);
    expect(ofType(actions, 'ignored')[0].reason).toBe('command:register');
  });

  it('does not gather a redelivered message twice, open or already submitted', () => {
    const g = new ConversationGatherer();
    const a = text(T0, '偷倒淤泥');
    g.accept(a);
    expect(ofType(g.accept({ ...a }), 'ignored')[0].reason).toBe('duplicate');
    expect(submits(g.tick(T0 + 10 * MIN))).toHaveLength(1);
    const again = g.accept({ ...a });
    expect(again).toEqual([{ type: 'ignored', conversationKey: '1001', ref: a.ref, reason: 'duplicate' }]);
    expect(submits(g.closeAll())).toHaveLength(0);
    const start = command(T0, 'start');
    g.accept(start);
    expect(ofType(g.accept({ ...start }), 'reply')).toHaveLength(0);
  });

  it('refuses a message without a conversation or time', () => {
    const g = new ConversationGatherer();
    expect(g.accept({ ...text(T0, 'x'), conversationKey: '' })[0]).toMatchObject({ type: 'ignored', reason: 'malformed_message' });
    expect(g.accept({ ...text(T0, 'x'), at: Number.NaN })[0]).toMatchObject({ type: 'ignored', reason: 'malformed_message' });
  });

  it('refuses options that are not positive numbers', () => {
    expect(() => new ConversationGatherer({ quietMs: 0 })).toThrow(RangeError);
    expect(() => new ConversationGatherer({ maxMessages: Number.NaN })).toThrow(RangeError);
  });
});

describe('ConversationGatherer: edits', () => {
  it('replaces the text of a message in the open draft', () => {
    const g = new ConversationGatherer();
    const a = text(T0, '铁桶堆在院子里。地址：单位旁边。');
    const b = photo(T0 + MIN, null);
    g.accept(a);
    g.accept(b);
    expect(g.accept(editOf(a, T0 + 2 * MIN, '铁桶堆在院子里。地址：潞城区体育馆附近'))).toEqual([]);
    const [s] = submits(g.closeAll());
    expect(s.draft.text).toBe('铁桶堆在院子里。地址：潞城区体育馆附近');
    expect(s.draft.refs).toEqual([a.ref, b.ref]);
    expect(s.draft.flags).toContain('edited');
  });

  it('amends the submission when the draft was already closed', () => {
    const g = new ConversationGatherer();
    const loc = location(T0, 34.2, 108.9);
    const a = text(T0 + MIN, '酒吧音响开得很大');
    const closed = submits(replay(g, [loc, a]));
    const edit = editOf(a, T0 + 28 * MIN, '酒吧音响开得很大（补充地址：官渡区老火车站旁边）');
    const actions = [...g.tick(edit.at), ...g.accept(edit)];
    expect(submits(actions)).toHaveLength(0);
    expect(ofType(actions, 'amend')).toEqual([
      {
        type: 'amend',
        conversationKey: '1001',
        ref: loc.ref,
        refs: [loc.ref, a.ref],
        receipt: closed[0].receipt,
        editedRef: a.ref,
        newText: '酒吧音响开得很大（补充地址：官渡区老火车站旁边）',
        location: { lat: 34.2, lng: 108.9, label: null },
      },
    ]);
    expect(ofType(actions, 'reply')).toHaveLength(1);
    // The same edit delivered again changes nothing.
    expect(ofType(g.accept(edit), 'ignored')[0].reason).toBe('edit_without_change');
  });

  it('closes a quiet draft before applying a late edit, so the edit amends it', () => {
    const g = new ConversationGatherer();
    const a = text(T0, '河边烧轮胎');
    g.accept(a);
    const actions = g.accept(editOf(a, T0 + 20 * MIN, '河边烧轮胎，天天烧'));
    expect(actions.map((x) => x.type)).toEqual(['submit', 'reply', 'amend', 'reply']);
    expect(submits(actions)[0].draft.text).toBe('河边烧轮胎');
  });

  it('gathers an edit whose original it never saw, and ignores an edited command', () => {
    const g = new ConversationGatherer();
    const unseen = text(T0, '原消息');
    const actions = g.accept(editOf(unseen, T0 + MIN, '修改后的举报内容'));
    expect(ofType(actions, 'ignored')).toHaveLength(0);
    expect(submits(g.closeAll())[0].draft).toMatchObject({ ref: unseen.ref, text: '修改后的举报内容' });
    const start = command(T0 + 10 * MIN, 'start');
    g.accept(start);
    expect(ofType(g.accept({ ...start, editOf: start.ref, at: T0 + 11 * MIN }), 'ignored')[0].reason).toBe('edit_of_ignored_message');
  });
});

describe('ConversationGatherer: snapshot and restore', () => {
  it('continues a conversation after a restart in the middle of it', () => {
    const before = new ConversationGatherer();
    const loc = location(T0, 31.2, 107.5);
    before.accept(loc);
    const saved = JSON.stringify(before.snapshot());

    const after = new ConversationGatherer();
    after.restore(JSON.parse(saved));
    const words = text(T0 + 2 * MIN, '就是这个位置，无证开采石料');
    after.accept(words);
    const [s] = submits(after.tick(T0 + 10 * MIN));
    expect(s.draft.refs).toEqual([loc.ref, words.ref]);
    expect(s.draft.location).toMatchObject({ lat: 31.2, lng: 107.5 });
  });

  it('remembers submitted drafts across a restart, for amendments and redeliveries', () => {
    const before = new ConversationGatherer();
    const a = text(T0, '养殖废水直排');
    before.accept(a);
    before.tick(T0 + 10 * MIN);
    const after = new ConversationGatherer();
    after.restore(before.snapshot());
    expect(ofType(after.accept({ ...a }), 'ignored')[0].reason).toBe('duplicate');
    expect(ofType(after.accept(editOf(a, T0 + 30 * MIN, '养殖废水直排进河')), 'amend')).toHaveLength(1);
  });

  it('gives a snapshot that is a copy, and refuses something that is not one', () => {
    const g = new ConversationGatherer();
    g.accept(text(T0, '油漆味'));
    const snap = g.snapshot();
    snap.drafts = {};
    expect(g.openConversations()).toEqual(['1001']);
    expect(() => g.restore({ version: 2 } as never)).toThrow(TypeError);
  });

  it('adopts a restored state and hands out the live one when asked not to copy, gathering as a copied one does', () => {
    const before = new ConversationGatherer();
    const loc = location(T0, 31.2, 107.5);
    before.accept(loc);
    const stored = JSON.parse(JSON.stringify(before.snapshot()));

    const copied = new ConversationGatherer();
    copied.restore(JSON.parse(JSON.stringify(stored)));
    const adopted = new ConversationGatherer();
    adopted.restore(stored, { copy: false });
    const words = text(T0 + 2 * MIN, '就是这个位置，无证开采石料');
    expect(adopted.accept(words)).toEqual(copied.accept(words));
    expect(adopted.snapshot({ copy: false })).toBe(stored);
    expect(stored).toEqual(copied.snapshot());
    expect(() => adopted.restore({ version: 2 } as never, { copy: false })).toThrow(TypeError);
  });

  it('forgets submitted drafts after the amend window', () => {
    const g = new ConversationGatherer({ amendWindowMs: 60 * MIN });
    const a = text(T0, '烟囱冒黑烟');
    g.accept(a);
    g.tick(T0 + 10 * MIN);
    g.tick(T0 + 3 * 60 * MIN);
    expect(g.snapshot().closed).toEqual({});
    // Too late to amend: the edit is taken as what it says, a new message under the old ref.
    expect(ofType(g.accept(editOf(a, T0 + 3 * 60 * MIN, '烟囱冒黑烟，很多天了')), 'amend')).toHaveLength(0);
  });
});
