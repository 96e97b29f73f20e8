import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetUpdatesFormatError, dedupeUpdates, nextOffset, parseGetUpdatesFile, updatesFromOffset } from '../get-updates.parser';
import { toConversationMessage } from '../telegram-update.parser';

const PAGE_1 = fs.readFileSync(path.join(__dirname, 'fixtures/getUpdates_page1.json'), 'utf8');
const PAGE_2 = fs.readFileSync(path.join(__dirname, 'fixtures/getUpdates_page2.json'), 'utf8');

describe('parseGetUpdatesFile', () => {
  it('returns the updates of a page in order', () => {
    const updates = parseGetUpdatesFile(PAGE_1);
    expect(updates.map((u) => u.update_id)).toEqual([100, 101, 102, 103]);
  });

  it('keeps one copy of an update repeated inside a page', () => {
    const body = { ok: true, result: [{ update_id: 1, message: {} }, { update_id: 2 }, { update_id: 1, message: {} }] };
    expect(parseGetUpdatesFile(body).map((u) => u.update_id)).toEqual([1, 2]);
  });

  it('drops the updates of the previous page delivered again at the start of the next', () => {
    const seen = new Set<number>();
    const first = dedupeUpdates(parseGetUpdatesFile(PAGE_1), seen);
    const second = dedupeUpdates(parseGetUpdatesFile(PAGE_2), seen);
    expect(first.map((u) => u.update_id)).toEqual([100, 101, 102, 103]);
    expect(second.map((u) => u.update_id)).toEqual([104, 105]);
    // The same by offset, as a poller acknowledges.
    const offset = nextOffset(parseGetUpdatesFile(PAGE_1));
    expect(offset).toBe(104);
    expect(updatesFromOffset(parseGetUpdatesFile(PAGE_2), offset).map((u) => u.update_id)).toEqual([104, 105]);
  });

  it('reads a body with a byte order mark', () => {
    expect(parseGetUpdatesFile(`\uFEFF${PAGE_2}`)).toHaveLength(4);
  });

  it('keeps entries without an update id for the caller to report', () => {
    const updates = parseGetUpdatesFile({ ok: true, result: [{ message: { message_id: 1 } }, { message: { message_id: 1 } }] });
    expect(updates).toHaveLength(2);
    expect(toConversationMessage(updates[0])).toBeNull();
  });

  it.each([
    ['not json', 'is not JSON'],
    ['[]', 'ok=undefined'],
    ['{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}', 'Conflict'],
    ['{"ok":true,"result":{}}', 'not an array'],
    ['null', 'not an object'],
  ])('refuses %s', (body, message) => {
    expect(() => parseGetUpdatesFile(body)).toThrow(GetUpdatesFormatError);
    expect(() => parseGetUpdatesFile(body)).toThrow(message);
  });

  it('nextOffset keeps the current offset when a page is empty', () => {
    expect(nextOffset([], 77)).toBe(77);
  });
});
