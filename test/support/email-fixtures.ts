import { randomBytes } from 'node:crypto';
import * as iconv from 'iconv-lite';
import type { DovecotServer } from './dovecot';

/** Messages the e-mail tests append to their Dovecot: CRLF, raw bytes, in the shapes Chinese mail comes in. */

export interface MailSpec {
  messageId?: string | null;
  subject?: string;
  from?: string;
  body?: string;
  charset?: string;
  headers?: string[];
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

export function newMessageId(tag = 'm'): string {
  return `${tag}.${randomBytes(6).toString('hex')}@test.example.cn`;
}

export function mail(spec: MailSpec = {}): Buffer {
  const charset = spec.charset ?? 'UTF-8';
  const subject = spec.subject ?? '城东化工厂夜间偷排废水';
  const head = [
    `From: ${spec.from ?? '=?UTF-8?B?5byg5Lyf?= <zhangwei@example.com>'}`,
    'To: jubao@sthjj.example.gov.cn',
    `Subject: =?${charset}?B?${iconv.encode(subject, charset).toString('base64')}?=`,
    'Date: Tue, 3 Sep 2024 20:26:02 +0800',
    ...(spec.messageId === null ? [] : [`Message-ID: <${spec.messageId ?? newMessageId()}>`]),
    'MIME-Version: 1.0',
    ...(spec.headers ?? []),
  ];
  const text = iconv.encode(spec.body ?? '南京市玄武区北京东路永丰印染厂每天夜里偷排废水，河水发黑发臭，请尽快查处。', charset);
  if (!spec.attachments?.length) {
    head.push(`Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: base64');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${b64(text)}\r\n`, 'latin1');
  }
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  head.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
  const parts = [`--${boundary}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(text)}\r\n`];
  for (const a of spec.attachments) {
    parts.push(
      `--${boundary}\r\nContent-Type: ${a.contentType}\r\nContent-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(a.content)}\r\n`,
    );
  }
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${parts.join('')}--${boundary}--\r\n`, 'latin1');
}

/** A small valid-looking JPEG (magic bytes, then noise). */
export function jpeg(bytes = 2048): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(Math.max(0, bytes - 4))]);
}

export function autoReply(): Buffer {
  return mail({ subject: '自动回复: 您的来信已收到', headers: ['Auto-Submitted: auto-replied'], body: '我现在休假，回来后回复。' });
}

export function bounce(): Buffer {
  const boundary = 'dsn-boundary';
  return Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.cn>',
      'To: jubao@sthjj.example.gov.cn',
      'Subject: Undelivered Mail Returned to Sender',
      'Date: Tue, 3 Sep 2024 20:30:00 +0800',
      `Message-ID: <${newMessageId('dsn')}>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system. Your message could not be delivered.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; nobody@example.cn',
      'Action: failed',
      'Status: 5.1.1',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** A message the parser refuses (MIME nested past its limit): a poison message. */
export function poison(): Buffer {
  const depth = 40;
  const lines = ['From: x@example.cn', 'Subject: nested', `Message-ID: <${newMessageId('poison')}>`, 'MIME-Version: 1.0'];
  let body = 'deep\r\n';
  for (let i = depth; i > 0; i--) {
    body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n${body}`);
}

export function emailSettings(server: DovecotServer, user: string, extra: Record<string, unknown> = {}) {
  return { host: server.host, port: server.port, security: 'none', user, folder: 'INBOX', pollIntervalSeconds: 1, ...extra };
}

export function passwordOf(server: DovecotServer, user: string): string {
  const u = server.users.find((x) => x.user === user);
  if (!u) throw new Error(`no test user ${user}`);
  return u.password;
}

/** Appends many messages over one IMAP connection; answers with their UIDs. */
export async function appendMany(server: DovecotServer, user: string, mailbox: string, raws: Buffer[]): Promise<number[]> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow(server.imapOptions(user));
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (mailbox.toUpperCase() !== 'INBOX') await client.mailboxCreate(mailbox).catch(() => undefined);
    const uids: number[] = [];
    for (const raw of raws) {
      const res = await client.append(mailbox, raw);
      if (!res || typeof res.uid !== 'number') throw new Error('APPEND returned no UID');
      uids.push(res.uid);
    }
    return uids;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
