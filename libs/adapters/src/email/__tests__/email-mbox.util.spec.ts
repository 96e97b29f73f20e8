import { splitMbox } from '../email-mbox.util';

async function collect(chunks: (string | Buffer)[]): Promise<string[]> {
  async function* source() {
    for (const c of chunks) yield c;
  }
  const out: string[] = [];
  for await (const m of splitMbox(source())) out.push(m.toString('utf8'));
  return out;
}

const MBOX = [
  'From alice@example.com Tue Sep  3 20:26:02 2024',
  'From: alice@example.com',
  'Subject: one',
  '',
  '工厂排污',
  '>From the window I can see the smoke.',
  '>>From here too.',
  '',
  'From bob@example.com Wed Sep  4 08:00:00 2024',
  'From: bob@example.com',
  'Subject: two',
  '',
  'From now on it is worse.',
  '',
  'From carol@example.com Thu Sep  5 09:00:00 2024',
  'From: carol@example.com',
  'Subject: three',
  '',
  'third body',
  '',
].join('\n');

describe('splitMbox', () => {
  it('splits three messages, drops From_ lines and separators, unescapes >From', async () => {
    const msgs = await collect([MBOX]);
    expect(msgs).toHaveLength(3);
    expect(msgs[0]).toBe('From: alice@example.com\nSubject: one\n\n工厂排污\nFrom the window I can see the smoke.\n>From here too.\n');
    // A body line "From now on" after a non-blank line is content, not a new message.
    expect(msgs[1]).toContain('From now on it is worse.');
    expect(msgs[2]).toBe('From: carol@example.com\nSubject: three\n\nthird body\n');
  });

  it('gives the same messages whatever the chunking, including splits inside UTF-8 characters', async () => {
    const bytes = Buffer.from(MBOX.replace(/\n/g, '\r\n'));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const msgs = await collect(chunks);
    expect(msgs).toHaveLength(3);
    expect(msgs[0]).toContain('工厂排污\r\nFrom the window');
    expect(msgs[2].endsWith('third body\r\n')).toBe(true);
  });

  it('yields nothing for an empty stream and a message without trailing newline', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect(['From a@b Tue Sep  3 20:26:02 2024\nSubject: x\n\nbody'])).toEqual(['Subject: x\n\nbody']);
  });
});
