import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AdapterRecord } from '../../adapter.types';
import { EmailAdapter, notAnEmail } from '../email.adapter';

async function replay(files: Record<string, string | Buffer>): Promise<AdapterRecord[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-replay-'));
  const paths = Object.entries(files).map(([name, content]) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  });
  const out: AdapterRecord[] = [];
  for await (const r of new EmailAdapter().readFiles(paths, { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 1024 * 1024 })) out.push(r);
  return out;
}

describe('EmailAdapter.readFiles: what is not an e-mail message', () => {
  it('refuses an empty file and a file without any e-mail header, with a reason, and reads the messages beside them', async () => {
    const records = await replay({
      'empty.eml': '',
      'blank.eml': '\r\n\r\n  \n',
      'expected.py': "import datetime\n\nDATA = dict(\n    subject='Test',\n    from_='a@example.com',\n    headers={'to': ('b@example.com',)},\n)\n",
      'report.json': '{\n  "html_body": [],\n  "headers": [{"name": "Content-Type", "value": "text/plain"}]\n}\n',
      'complaint.eml': 'From: 张三 <zs@example.com>\r\nSubject: 举报\r\n\r\n化工厂夜里偷排废水，河水发黑。\r\n',
      // An SMTP envelope saved before the header: junk first, then a real message.
      'envelope.eml': 'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDate: Mon, 2 Sep 2024 10:00:00 +0800\r\nSubject: noise\r\n\r\n工地夜间施工噪音扰民。\r\n',
    });
    const byRef = (ref: string) => records.find((r) => (r.ok ? false : r.ref === ref));
    expect(byRef('empty.eml')).toMatchObject({ ok: false, reason: 'empty_message' });
    expect(byRef('blank.eml')).toMatchObject({ ok: false, reason: 'empty_message' });
    expect(byRef('expected.py')).toMatchObject({ ok: false, reason: 'not_an_email' });
    expect(byRef('report.json')).toMatchObject({ ok: false, reason: 'not_an_email' });
    const accepted = records.filter((r): r is Extract<AdapterRecord, { ok: true }> => r.ok);
    expect(accepted.map((a) => a.submission.text)).toEqual([expect.stringContaining('化工厂夜里偷排废水'), expect.stringContaining('工地夜间施工噪音扰民')]);
  });

  it('recognises a header block by any common field, whatever its case and spacing', () => {
    expect(notAnEmail(Buffer.from('content-type : text/plain\n\nhi'))).toBeNull();
    expect(notAnEmail(Buffer.from('X-Mailer: Foxmail\n\nhi'))).toBeNull();
    expect(notAnEmail(Buffer.from('// Not an RFC-822 Document'))).toMatchObject({ reason: 'not_an_email' });
  });
});
