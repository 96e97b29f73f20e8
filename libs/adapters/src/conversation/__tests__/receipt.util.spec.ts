import { formatReceipt, normalizeReceipt, receiptOf } from '../receipt.util';
import { textIntent } from '../conversation-intent.util';
import { isoWithOffset } from '../draft-submission.util';

describe('receiptOf', () => {
  it('is 8 unambiguous characters, the same for the same input', () => {
    const r = receiptOf('telegram:2291688575:28');
    expect(r).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(receiptOf('telegram:2291688575:28')).toBe(r);
    expect(receiptOf('telegram:2291688575:29')).not.toBe(r);
  });

  it('spreads over many inputs without collisions at this scale', () => {
    const receipts = new Set(Array.from({ length: 5000 }, (_, i) => receiptOf(`telegram:${i}:1`)));
    expect(receipts.size).toBe(5000);
  });

  it('reads back what it formats, and what people mistype', () => {
    const r = receiptOf('wechat:24613596752918599');
    expect(normalizeReceipt(formatReceipt(r))).toBe(r);
    expect(normalizeReceipt(` ${formatReceipt(r).toLowerCase()} `)).toBe(r);
    expect(normalizeReceipt('ＡＢＣＤ－ＥＦＧＨ')).toBe('ABCDEFGH');
    expect(normalizeReceipt('oil1-2345')).toBe('01112345');
    expect(normalizeReceipt('ABCDEFG')).toBeNull();
    expect(normalizeReceipt('ABCDEFGU')).toBeNull();
    expect(normalizeReceipt(null)).toBeNull();
  });
});

describe('textIntent', () => {
  it.each([
    ['确认', 'confirm'],
    ['提交！', 'confirm'],
    ['好了', 'confirm'],
    ['Done', 'confirm'],
    ['取消', 'cancel'],
    ['不举报了', 'cancel'],
  ])('%s → %s', (input, type) => {
    expect(textIntent(input)?.type).toBe(type);
  });

  it('reads status questions with and without a receipt', () => {
    expect(textIntent('查询 ABCD-EFGH')).toEqual({ type: 'status', receipt: 'ABCD-EFGH' });
    expect(textIntent('进度')).toEqual({ type: 'status', receipt: null });
  });

  it('leaves complaint text alone', () => {
    for (const t of ['确认一下河边那个厂', '好的，我再补充一下：晚上十点以后还在施工', '查询一下为什么河水发黑了好几天', '', null]) {
      expect(textIntent(t)).toBeNull();
    }
  });
});

describe('isoWithOffset', () => {
  it('writes Beijing time and UTC', () => {
    const ms = Date.UTC(2024, 8, 30, 17, 30, 5);
    expect(isoWithOffset(ms, 480)).toBe('2024-10-01T01:30:05+08:00');
    expect(isoWithOffset(ms, 0)).toBe('2024-09-30T17:30:05Z');
    expect(isoWithOffset(ms + 250, -300)).toBe('2024-09-30T12:30:05.250-05:00');
  });
});
