import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import { DovecotStartError, startDovecot, type DovecotServer } from './support/dovecot';

/**
 * The e-mail channel's tests stand on this server: it must serve the exact bytes it was given, keep
 * flags across a restart and change UIDVALIDITY when told to. If this file fails, fix the test
 * server before reading anything into the e-mail tests.
 */

function message(subject: Buffer | string, body: Buffer | string, charset = 'UTF-8'): Buffer {
  return Buffer.concat([
    Buffer.from('From: Resident <resident@example.cn>\r\nTo: intake@example.cn\r\nSubject: '),
    Buffer.from(subject),
    Buffer.from(`\r\nDate: Tue, 05 Mar 2024 08:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
    Buffer.from(body),
    Buffer.from('\r\n'),
  ]);
}

async function connect(server: DovecotServer, user?: string): Promise<ImapFlow> {
  const client = new ImapFlow(server.imapOptions(user));
  client.on('error', () => undefined); // a dropped connection is asserted through `close`, not thrown
  await client.connect();
  return client;
}

async function fetchAll(client: ImapFlow, mailbox = 'INBOX') {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const out: Array<{ uid: number; flags: string[]; source: Buffer }> = [];
    for await (const msg of client.fetch('1:*', { uid: true, flags: true, source: true }, { uid: true })) {
      out.push({ uid: msg.uid, flags: [...(msg.flags ?? [])].sort(), source: msg.source! });
    }
    return out.sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

describe('Dovecot test server', () => {
  let server: DovecotServer;
  const gbk = iconv.encode('关于化工厂夜间偷排废水的投诉', 'gb2312');
  const raws = [
    message('Dust from the quarry', 'The quarry on Route 3 works at night.'),
    message(gbk, iconv.encode('每天晚上十点以后，河里有刺鼻气味。地址：某某县某某镇。', 'gb2312'), 'GB2312'),
    message('=?UTF-8?B?5Zmq6Z+z5omw5rCR?=', '工地凌晨施工噪音扰民。'),
  ];
  let uids: number[] = [];

  beforeAll(async () => {
    server = await startDovecot({ users: ['intake', { user: 'second', password: 'pw-second' }] });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves appended messages by UID with their raw bytes intact', async () => {
    for (const raw of raws) uids.push(await server.appendMessage('intake', 'INBOX', raw));
    expect(uids).toEqual([1, 2, 3]);
    // the GB2312 bytes are really 8-bit, not something that survives only as ASCII
    expect(raws[1].some((b) => b >= 0x80)).toBe(true);

    const client = await connect(server, 'intake');
    try {
      const got = await fetchAll(client);
      expect(got.map((m) => m.uid)).toEqual(uids);
      got.forEach((m, i) => expect(m.source.equals(raws[i])).toBe(true));
      const one = await client.fetchOne(String(uids[1]), { source: true }, { uid: true });
      expect(one && one.source!.equals(raws[1])).toBe(true);
    } finally {
      await client.logout();
    }
    const listed = await server.listMessages('intake', 'INBOX');
    expect(listed.map((m) => [m.uid, m.size])).toEqual(raws.map((r, i) => [uids[i], r.length]));
  });

  it('keeps flags set over IMAP across a restart on the same port', async () => {
    const port = server.port;
    const client = await connect(server, 'intake');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const lock = await client.getMailboxLock('INBOX');
    try {
      await client.messageFlagsAdd(String(uids[0]), ['\\Seen', '$Forwarded'], { uid: true });
    } finally {
      lock.release();
    }

    await server.restart();
    expect(server.port).toBe(port);
    await closed; // the old session was really cut by the stop

    const again = await connect(server, 'intake');
    try {
      const got = await fetchAll(again);
      expect(got.map((m) => m.uid)).toEqual(uids);
      expect(got[0].flags).toEqual(['$Forwarded', '\\Seen']);
      expect(got[1].flags).toEqual([]);
      expect(got[1].source.equals(raws[1])).toBe(true);
    } finally {
      await again.logout();
    }
    expect((await server.listMessages('intake', 'INBOX'))[0].flags.sort()).toEqual(['$Forwarded', '\\Seen']);
  });

  it('changes UIDVALIDITY, keeping UIDs or renumbering them as an index rebuild does', async () => {
    const before = await server.mailboxStatus('intake', 'INBOX');
    const bumped = await server.setUidValidity('intake', 'INBOX');
    expect(bumped).not.toBe(before.uidValidity);

    let client = await connect(server, 'intake');
    try {
      const box = await client.mailboxOpen('INBOX');
      expect(Number(box.uidValidity)).toBe(bumped);
      expect((await fetchAll(client)).map((m) => m.uid)).toEqual(uids);
    } finally {
      await client.logout();
    }

    // Make the UIDs differ from 1..n first, so renumbering is visible.
    const extra = message('extra', 'extra');
    const extraUid = await server.appendMessage('intake', 'INBOX', extra);
    await server.doveadm(['expunge', '-u', 'intake', 'mailbox', 'INBOX', 'uid', String(uids[0])]);
    const rebuilt = await server.recreateMailbox('intake', 'INBOX');
    expect(rebuilt.uidValidity).not.toBe(bumped);
    expect(rebuilt.messages).toBe(3);

    client = await connect(server, 'intake');
    try {
      const box = await client.mailboxOpen('INBOX');
      expect(Number(box.uidValidity)).toBe(rebuilt.uidValidity);
      const got = await fetchAll(client);
      expect(got.map((m) => m.uid)).toEqual([1, 2, 3]);
      const sources = got.map((m) => m.source.toString('latin1')).sort();
      expect(sources).toEqual([raws[1], raws[2], extra].map((b) => b.toString('latin1')).sort());
      expect(extraUid).toBe(4);
    } finally {
      await client.logout();
    }
  });

  it('creates mailboxes and users, and keeps users apart', async () => {
    await server.createMailbox('second', '投诉/2024');
    const uid = await server.appendMessage('second', '投诉/2024', raws[1], ['\\Seen']);
    expect(await server.listMessages('second', '投诉/2024')).toEqual([{ uid, flags: ['\\Seen'], size: raws[1].length }]);
    expect(await server.listMessages('second', 'INBOX')).toEqual([]);

    const late = await server.addUser('late');
    const client = await connect(server, late.user);
    try {
      expect((await client.mailboxOpen('INBOX')).exists).toBe(0);
    } finally {
      await client.logout();
    }
    const wrong = new ImapFlow({ ...server.imapOptions('late'), auth: { user: 'late', pass: 'not-the-password' } });
    wrong.on('error', () => undefined);
    await expect(wrong.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });

  it('runs a second server beside the first and stops it completely', async () => {
    const other = await startDovecot();
    expect(other.port).not.toBe(server.port);
    expect(other.root).not.toBe(server.root);
    await other.appendMessage('intake', 'INBOX', raws[0]);
    expect(await other.listMessages('intake', 'INBOX')).toHaveLength(1);
    expect((await server.mailboxStatus('intake', 'INBOX')).messages).toBe(3);

    await other.stop();
    expect(other.isRunning).toBe(false);
    expect(await refuses(other.port)).toBe(true);
    expect(existsSync(other.root)).toBe(false);
    await expect(other.restart()).rejects.toThrow(/stopped/);
  });

  it('fails fast with the Dovecot log when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const err = await startDovecot({ port }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DovecotStartError);
      expect((err as DovecotStartError).dovecotLog).toMatch(/Address already in use/);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      blocker.close();
    }
  });
});
