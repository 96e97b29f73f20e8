import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdapterRecord } from '../../adapter.types';
import { TelegramAdapter } from '../telegram.adapter';

const fixtures = ['getUpdates_page1.json', 'getUpdates_page2.json'].map((f) => path.join(__dirname, 'fixtures', f));
const ctx = { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 512 * 1024 };

async function all(it: AsyncIterable<AdapterRecord>): Promise<AdapterRecord[]> {
  const out: AdapterRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('TelegramAdapter.readFiles (replay of stored getUpdates pages)', () => {
  it('gathers by message time, reports the overlap as redeliveries, folds a later edit, and closes at the end', async () => {
    const records = await all(new TelegramAdapter().readFiles(fixtures, ctx));
    const accepted = records.filter((r): r is Extract<AdapterRecord, { ok: true }> => r.ok);
    const refused = records.filter((r): r is Extract<AdapterRecord, { ok: false }> => !r.ok);
    expect(refused.filter((r) => r.reason === 'redelivery').map((r) => r.ref)).toEqual(['update:102', 'update:103']);
    // No natural id lands on two submissions.
    const refs = accepted.flatMap((a) => a.submission.refs ?? [a.submission.ref]);
    expect(new Set(refs).size).toBe(refs.length);
    const gathered = accepted.filter((a) => !a.submission.extra?.notGathered);
    expect(gathered.map((a) => a.submission.refs)).toEqual([['7000001:11', '7000001:12'], ['7000002:13']]);
    // The lone /start and the sticker are accounted for as submissions judging will reject.
    expect(accepted.filter((a) => a.submission.extra?.notGathered).map((a) => [a.submission.ref, a.submission.rejectHint])).toEqual([
      ['7000002:10', 'bot_command'],
      ['7000001:14', 'sticker'],
    ]);
    // The edit 25 minutes later amends the closed draft before it leaves: text and raw follow it.
    expect(gathered[0].submission.text).toContain('补充：西安市未央区');
    expect(gathered[0].submission.flags).toContain('edited');
    const raw = JSON.parse(gathered[0].raw.toString('utf8'));
    expect(raw.map((u: { update_id: number }) => u.update_id)).toEqual([101, 102, 105]);
  });

  it('refuses an unreadable file with a reason and goes on with the next', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-replay-'));
    const bad = path.join(dir, 'broken.json');
    fs.writeFileSync(bad, '{"ok":true,"result":[');
    const records = await all(new TelegramAdapter().readFiles([bad, fixtures[0]], ctx));
    expect(records[0]).toMatchObject({ ok: false, ref: 'broken.json', reason: 'unreadable_file' });
    expect(records.filter((r) => r.ok).length).toBeGreaterThan(0);
  });

  it('reads one update or one bare message per file; an id seen again is a redelivery only with the same update', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-replay-'));
    const message = (chat: number, id: number, text: string) => ({ message_id: id, date: 1700000000 + id, chat: { id: chat, type: 'private' }, from: { id: chat, is_bot: false, first_name: 'A' }, text });
    const write = (name: string, body: unknown) => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(body));
      return path.join(dir, name);
    };
    const files = [
      write('a.json', { update_id: 7, message: message(801, 1, '工厂晚上偷排污水，河水发黑') }),
      // The same update id from another capture, with another message: read, not a redelivery.
      write('b.json', { update_id: 7, message: message(802, 1, '楼下烧烤店油烟直排，天天呛人') }),
      // The first update again: a redelivery.
      write('c.json', { update_id: 7, message: message(801, 1, '工厂晚上偷排污水，河水发黑') }),
      write('d.json', message(803, 5, '工地夜里打桩，噪音吵得睡不着')),
      write('e.json', { hello: 'world' }),
    ];
    const records = await all(new TelegramAdapter().readFiles(files, ctx));
    const accepted = records.filter((r): r is Extract<AdapterRecord, { ok: true }> => r.ok);
    expect(accepted.map((a) => a.submission.ref).sort()).toEqual(['801:1', '802:1', '803:5']);
    const refused = records.filter((r): r is Extract<AdapterRecord, { ok: false }> => !r.ok);
    expect(refused.map((r) => [r.ref, r.reason])).toEqual([
      ['update:7', 'redelivery'],
      ['e.json', 'unreadable_file'],
    ]);
  });

  it('accepts settings with defaults and refuses a webhook without its URL or secret', () => {
    const a = new TelegramAdapter();
    expect(a.settingsSchema.parse({})).toMatchObject({ mode: 'polling', quietSeconds: 300, apiRoot: 'https://api.telegram.org' });
    expect(a.settingsSchema.safeParse({ mode: 'webhook' }).success).toBe(false);
    expect(a.checkCredentials({ mode: 'webhook', webhookUrl: 'https://x.example/hook' }, { token: '123:ABCDEFGHIJKLMN' })).toEqual([
      expect.objectContaining({ path: 'credentials.webhookSecret' }),
    ]);
    expect(a.checkCredentials({}, {})).toEqual([expect.objectContaining({ path: 'credentials.token' })]);
  });
});
