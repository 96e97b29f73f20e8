import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createBenchEnv } from './bench-env';

/**
 * E-mail over IMAP: a Dovecot mailbox holding N mixed messages (plain, GBK, HTML, with photo and PDF
 * attachments) taken into the inbox — fetch → record → acknowledge, judging not running — in messages/s;
 * and the peak memory of the fetching process with a 25 MB (and a 50 MB) attachment in a mix of 500,
 * against the same mix without it. Needs Dovecot (`scripts/services/dovecot.sh install`).
 */
export interface EmailImapResult {
  messages: number;
  perSec: number;
  seconds: number;
  peakRssMb: number;
  memory: { maxMessageBytes: number; baselineMb: number; with25MbMb: number; with50MbMb: number };
}

type DovecotSupport = typeof import('../../test/support/dovecot');

/** The test suite's Dovecot harness, compiled on the fly (test/ is not part of dist/). */
function loadDovecotSupport(): DovecotSupport {
  const root = path.resolve(__dirname, '../../..');
  const source = path.join(root, 'test/support/dovecot.ts');
  if (!existsSync(source)) throw new Error(`${source} not found: the e-mail benchmark runs from a checkout`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require('@swc/core') as typeof import('@swc/core');
  const out = swc.transformSync(readFileSync(source, 'utf8'), { filename: source, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  const dir = path.join(root, 'dist/bench/test-support');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'dovecot.js');
  writeFileSync(file, out.code);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as DovecotSupport;
}

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

function mixedMessage(i: number, big?: number): Buffer {
  const id = `bench-${i}-${randomBytes(4).toString('hex')}@bench.example.cn`;
  const head = `From: =?UTF-8?B?${Buffer.from('居民' + i).toString('base64')}?= <r${i}@example.cn>\r\nTo: jubao@sthjj.example.gov.cn\r\nSubject: =?UTF-8?B?${Buffer.from(`投诉 ${i}: 工厂夜间排污`).toString('base64')}?=\r\nDate: Tue, 3 Sep 2024 20:26:02 +0800\r\nMessage-ID: <${id}>\r\nMIME-Version: 1.0\r\n`;
  const text = Buffer.from(`南京市玄武区北京东路${i}号附近的化工厂每天夜里偷排废水，河水发黑发臭，请尽快查处。\r\n`.repeat(1 + (i % 5)));
  const kind = big ? 3 : i % 4;
  if (kind === 0) return Buffer.from(`${head}Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(text)}\r\n`);
  if (kind === 1) return Buffer.from(`${head}Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(Buffer.from(`<html><body><p>${text.toString()}</p></body></html>`))}\r\n`);
  const boundary = `b${i}`;
  const att = (name: string, type: string, content: Buffer) =>
    `--${boundary}\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(content)}\r\n`;
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(kind === 2 ? 30_000 : 8_000)]);
  const parts = [`--${boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(text)}\r\n`, att('photo.jpg', 'image/jpeg', photo)];
  if (kind === 3) parts.push(att('report.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), big ? Buffer.alloc(big, 0x41) : randomBytes(12_000)])));
  return Buffer.from(`${head}Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`);
}

async function appendAll(support: DovecotSupport, server: InstanceType<DovecotSupport['DovecotServer']>, user: string, raws: Iterable<Buffer>): Promise<number> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow(server.imapOptions(user));
  client.on('error', () => undefined);
  await client.connect();
  let n = 0;
  try {
    for (const raw of raws) {
      await client.append('INBOX', raw);
      n++;
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  void support;
  return n;
}

async function runChild(env: Awaited<ReturnType<typeof createBenchEnv>>, server: { host: string; port: number }, user: string, password: string, expected: number, extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(__dirname, 'email-imap.child.js'), server.host, String(server.port), user, password, String(expected)], {
    env: { ...env.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`e-mail bench child failed (${code}): ${err.slice(-2000)}`);
  const r = JSON.parse(out.trim().split('\n').pop()!);
  if (r.messages < expected || r.submissions !== expected) throw new Error(`e-mail bench incomplete: ${out}`);
  return r as { messages: number; submissions: number; seconds: number; peakRssMb: number };
}

export async function emailImapBench(messages: number): Promise<EmailImapResult> {
  const support = loadDovecotSupport();
  const server = await support.startDovecot({ users: ['bulk', 'mem0', 'mem25', 'mem50'] });
  const env = await createBenchEnv('email');
  const pw = (u: string) => server.users.find((x) => x.user === u)!.password;
  try {
    const gen = function* (n: number, big?: number) {
      for (let i = 0; i < n; i++) yield mixedMessage(i, big && i === Math.floor(n / 2) ? big : undefined);
    };
    await appendAll(support, server, 'bulk', gen(messages));
    const bulk = await runChild(env, server, 'bulk', pw('bulk'), messages);

    // Memory: the same 500-message mix, without and with one huge attachment; the message cap decides
    // what is held, not the attachment.
    const cap = 8 * 1024 * 1024;
    const mix = 500;
    await appendAll(support, server, 'mem0', gen(mix));
    await appendAll(support, server, 'mem25', gen(mix, 25 * 1024 * 1024));
    await appendAll(support, server, 'mem50', gen(mix, 50 * 1024 * 1024));
    const capEnv = { EMAIL_MAX_MESSAGE_BYTES: String(cap) };
    const m0 = await runChild(env, server, 'mem0', pw('mem0'), mix, capEnv);
    const m25 = await runChild(env, server, 'mem25', pw('mem25'), mix, capEnv);
    const m50 = await runChild(env, server, 'mem50', pw('mem50'), mix, capEnv);
    return {
      messages,
      perSec: messages / bulk.seconds,
      seconds: bulk.seconds,
      peakRssMb: bulk.peakRssMb,
      memory: { maxMessageBytes: cap, baselineMb: m0.peakRssMb, with25MbMb: m25.peakRssMb, with50MbMb: m50.peakRssMb },
    };
  } finally {
    await env.dispose();
    await server.stop();
  }
}
