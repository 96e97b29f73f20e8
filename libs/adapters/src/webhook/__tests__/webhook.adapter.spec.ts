import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AdapterRecord } from '../../adapter.types';
import { decodeWebhookBody, WebhookAdapter } from '../webhook.adapter';

const dir = mkdtempSync(path.join(tmpdir(), 'webhook-adapter-'));
const settings = {
  auth: { kind: 'api_key', header: 'X-Api-Key' },
  mapping: { items: '$.list[*]', fields: { ref: { template: 'vendor-{$.id}' }, text: '$.text' } },
};

async function collect(files: string[], channelSettings: Record<string, unknown> = settings, maxRecordBytes = 10_000): Promise<AdapterRecord[]> {
  const out: AdapterRecord[] = [];
  for await (const r of new WebhookAdapter().readFiles(files, { maxRecordBytes, maxAttachmentBytes: 1000, channel: { id: 'c1', name: 'vendor', settings: channelSettings } })) out.push(r);
  return out;
}

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('WebhookAdapter.readFiles', () => {
  it('replays batch payloads through the channel mapping, item by item, in order', async () => {
    const a = file('a.json', JSON.stringify({ list: [{ id: 1, text: '河水发黑' }, { text: '没有编号' }, { id: 3, text: '噪音扰民' }] }));
    const records = await collect([a]);
    expect(records.map((r) => (r.ok ? r.submission.ref : `refused ${r.ref} ${r.reason}`))).toEqual(['vendor-1', 'refused a.json#1 unmappable_item', 'vendor-3']);
    const first = records[0];
    if (!first.ok) throw new Error('expected a submission');
    expect(JSON.parse(first.raw.toString('utf8'))).toEqual({ id: 1, text: '河水发黑' });
    expect(first.submission.extra).toEqual({ webhook: { file: 'a.json', item: 0, of: 3 } });
    const refused = records[1];
    expect(refused.ok ? null : refused.fields).toEqual([{ field: 'ref', message: '$.id is missing' }]);
  });

  it('keeps a single payload with its exact bytes, and refuses what is not JSON, too large or not a list', async () => {
    const single = { auth: settings.auth, mapping: { fields: { ref: { template: 'vendor-{$.id}' }, text: '$.text' } } };
    const body = '\ufeff{"id": "x1",  "text": "烟尘"}';
    const records = await collect([file('s.json', body), file('bad.json', '{"id":'), file('big.json', JSON.stringify({ id: 'x', text: 'x'.repeat(200) }))], single, 100);
    expect(records[0]).toMatchObject({ ok: true, submission: { ref: 'vendor-x1', text: '烟尘' } });
    expect(records[0].ok && records[0].raw.toString('utf8')).toBe(body);
    expect(records[1]).toMatchObject({ ok: false, ref: 'bad.json', reason: 'not_json' });
    expect(records[2]).toMatchObject({ ok: false, ref: 'big.json', reason: 'oversized_payload' });
    const notList = await collect([file('nl.json', JSON.stringify({ list: {} }))]);
    expect(notList).toEqual([expect.objectContaining({ ok: false, ref: 'nl.json', reason: 'unmappable_payload' })]);
  });

  it('needs the channel whose mapping to use, and a valid one', async () => {
    const it = new WebhookAdapter().readFiles([], { maxRecordBytes: 1, maxAttachmentBytes: 1 })[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/--channel <webhook channel name>/);
    await expect(collect([], { auth: settings.auth, mapping: { fields: { ref: '$.id' } } })).rejects.toThrow(/cannot map payloads: .*source prefix/);
  });
});

describe('decodeWebhookBody', () => {
  it('reads UTF-8, a declared GBK charset, and refuses undecodable bytes', () => {
    expect(decodeWebhookBody(Buffer.from('{"a":"水"}'))).toEqual({ ok: true, payload: { a: '水' } });
    const gbk = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xba, 0xd3, 0x22, 0x7d]); // {"a":"河"} in GBK
    expect(decodeWebhookBody(gbk, 'GBK')).toEqual({ ok: true, payload: { a: '河' } });
    expect(decodeWebhookBody(gbk, '"gbk"')).toEqual({ ok: true, payload: { a: '河' } });
    expect(decodeWebhookBody(gbk)).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(decodeWebhookBody(gbk, 'x-unknown')).toMatchObject({ ok: false, reason: 'undecodable' });
  });
});
