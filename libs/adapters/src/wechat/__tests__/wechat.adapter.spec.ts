import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdapterRecord } from '../../adapter.types';
import { encryptMessage } from '../wechat-crypto.util';
import { WechatAdapter } from '../wechat.adapter';

const ctx = { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 512 * 1024 };
const push = (from: string, time: number, body: string) =>
  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${time}</CreateTime>${body}</xml>`;

async function replay(files: string[], channel?: { settings: Record<string, unknown>; credentials?: Record<string, unknown> }): Promise<AdapterRecord[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-replay-'));
  const paths = files.map((content, i) => {
    const p = path.join(dir, `msg_${String(i + 1).padStart(4, '0')}.xml`);
    fs.writeFileSync(p, content);
    return p;
  });
  const out: AdapterRecord[] = [];
  const c = channel ? { ...ctx, channel: { id: 'c1', name: 'wx', ...channel } } : ctx;
  for await (const r of new WechatAdapter().readFiles(paths, c)) out.push(r);
  return out;
}

describe('WechatAdapter.readFiles (replay of stored pushes)', () => {
  it('gathers a picture and the words next to it by CreateTime, folds a retry, and records a subscribe event as such', async () => {
    const t = 1_725_180_000;
    const text = push('oA', t + 60, '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[图片是我拍的，化工厂偷排废水]]></Content><MsgId>2001</MsgId>');
    const records = await replay([
      push('oS', t, '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>'),
      push('oA', t + 10, '<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>2000</MsgId>'),
      text,
      text,
      // An hour later: a new complaint from the same follower.
      push('oA', t + 3600, '<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[工地夜里还在施工]]></Recognition><MsgId>2002</MsgId>'),
      '<xml><FromUserName>broken',
    ]);
    const accepted = records.filter((r): r is Extract<AdapterRecord, { ok: true }> => r.ok);
    expect(accepted.map((a) => [a.submission.ref, a.submission.refs])).toEqual([
      [`oS:${t}`, [`oS:${t}`]],
      ['2000', ['2000', '2001']],
      ['2002', ['2002']],
    ]);
    expect(accepted[0].submission.rejectHint).toBe('event_subscribe');
    expect(accepted[1].submission.attachments?.[0]).toMatchObject({ contentType: 'image/jpeg', sourceRef: 'm1' });
    expect(accepted[2].submission.text).toBe('工地夜里还在施工');
    expect(accepted[1].raw.toString('utf8')).toContain('<MsgId>2001</MsgId>');
    const refused = records.filter((r): r is Extract<AdapterRecord, { ok: false }> => !r.ok);
    expect(refused.map((r) => [r.ref, r.reason])).toEqual([
      ['2001', 'redelivery'],
      ['msg_0006.xml', 'malformed_xml'],
    ]);
  });

  it('opens a stored safe-mode push with the channel key, and refuses it with a reason without one', async () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const inner = push('oE', 1_725_190_000, '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[河边的养殖场把粪水直接排进河里]]></Content><MsgId>3001</MsgId>');
    const envelope = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encryptMessage(inner, { encodingAesKey: key, appId: 'wx0001' })}]]></Encrypt></xml>`;

    const opened = await replay([envelope], { settings: { appId: 'wx0001' }, credentials: { encodingAesKey: key } });
    expect(opened).toHaveLength(1);
    const [rec] = opened as Extract<AdapterRecord, { ok: true }>[];
    expect(rec.submission.ref).toBe('3001');
    expect(rec.submission.text).toContain('粪水直接排进河里');
    // The raw original is the decrypted push, as a live one is kept.
    expect(rec.raw.toString('utf8')).toContain('<MsgId>3001</MsgId>');

    expect(await replay([envelope])).toEqual([expect.objectContaining({ ok: false, reason: 'encrypted' })]);
    expect(await replay([envelope], { settings: { appId: 'wx0002' }, credentials: { encodingAesKey: key } })).toEqual([
      expect.objectContaining({ ok: false, reason: 'app_id_mismatch' }),
    ]);
  });
});
