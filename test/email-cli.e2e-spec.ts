import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestEnv, type TestEnv } from './support/env';
import { exited, spawnApp } from './support/apps';
import { autoReply, bounce, jpeg, mail, newMessageId, poison } from './support/email-fixtures';

/** Backfill: `.eml` files, directories of them and mbox files through the same parsing path as IMAP. */
describe('cli ingest --channel email', () => {
  let env: TestEnv;
  let db: Client;
  let dir: string;

  async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
    const child = spawnApp('cli', { ...env.env, LOG_LEVEL: 'warn' }, args);
    const code = await exited(child, 60000);
    return { code, out: child.output() };
  }

  beforeAll(async () => {
    env = await createTestEnv();
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
    dir = mkdtempSync(path.join(tmpdir(), 'huiliu-email-cli-'));
  });
  afterAll(async () => {
    await db?.end();
    await env?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accounts for every message of .eml files, a directory and an mbox, folding redeliveries', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => newMessageId(`cli${i}`));
    // A directory of .eml files: GBK, an attachment, an auto-reply, a bounce, a poison message.
    const emlDir = path.join(dir, 'eml');
    mkdirSync(emlDir);
    writeFileSync(path.join(emlDir, 'a.eml'), mail({ messageId: ids[0], charset: 'GBK', body: '河西区的造纸厂排放黑烟，气味刺鼻。' }));
    writeFileSync(path.join(emlDir, 'b.eml'), mail({ messageId: ids[1], attachments: [{ filename: 'x.jpg', contentType: 'image/jpeg', content: jpeg(3000) }] }));
    writeFileSync(path.join(emlDir, 'c.eml'), autoReply());
    writeFileSync(path.join(emlDir, 'd.eml'), bounce());
    writeFileSync(path.join(emlDir, 'e.eml'), poison());
    // A single file given by name, also a redelivery of a.eml with an extra Received header.
    const single = path.join(dir, 'again.eml');
    writeFileSync(single, Buffer.concat([Buffer.from('Received: from mx2.example.cn\r\n'), mail({ messageId: ids[0], charset: 'GBK', body: '河西区的造纸厂排放黑烟，气味刺鼻。' })]));
    // An mbox (LF line ends, mboxrd escaping) with three messages, one of them a message without Message-ID.
    const toMbox = (raw: Buffer) => raw.toString('latin1').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
    const mbox = [
      `From resident@example.cn Tue Sep  3 20:26:02 2024\n${toMbox(mail({ messageId: ids[2] }))}\n`,
      `From resident@example.cn Tue Sep  3 20:27:02 2024\n${toMbox(mail({ messageId: ids[3], body: 'From the window I see smoke. 工厂冒黑烟。' }))}\n`,
      `From resident@example.cn Tue Sep  3 20:28:02 2024\n${toMbox(mail({ messageId: null, body: '没有 Message-ID 的投诉：垃圾焚烧厂夜间焚烧。' }))}\n`,
    ].join('');
    const mboxFile = path.join(dir, 'archive.mbox');
    writeFileSync(mboxFile, Buffer.from(mbox, 'latin1'));

    const r = await cli(['ingest', '--channel', 'email', emlDir, single, mboxFile]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ channel: 'email', read: 9, recorded: 7, duplicates: 1, rejected: 1 });
    expect(summary.rejections).toEqual([expect.objectContaining({ ref: 'e.eml', reason: 'unparseable' })]);

    const rows = (await db.query(`SELECT ref, payload FROM submissions WHERE channel_type = 'email'`)).rows;
    const byRef = new Map(rows.map((x) => [x.ref, x.payload]));
    expect(byRef.get(ids[0]).text).toContain('造纸厂');
    expect(byRef.get(ids[0]).text).not.toContain('\ufffd');
    expect(byRef.get(ids[1]).attachments[0].blobKey).toBeTruthy();
    expect(byRef.get(ids[3]).text).toContain('From the window');
    expect(rows.filter((x) => x.payload.rejectHint).map((x) => x.payload.rejectHint).sort()).toEqual(['auto_reply', 'bounce']);
    expect(rows.some((x) => x.ref.startsWith('sha256:'))).toBe(true);

    // Ingesting the same mbox again: all duplicates, nothing new (the hash ref is stable).
    const again = await cli(['ingest', '--channel', 'email', mboxFile]);
    expect(JSON.parse(again.out.trim().split('\n').pop()!)).toMatchObject({ read: 3, recorded: 0, duplicates: 3 });
  });
});
