import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestEnv, type TestEnv } from './support/env';
import { exited, spawnApp, startWorkerInProcess } from './support/apps';
import type { WorkerHandle } from '../apps/worker/src/worker';

// The workplace's labelled corpus beside the checkout; a clone without it skips this file (the chat
// channels' own tests use fixtures this project writes itself).
const SAMPLES = path.resolve(__dirname, '../../shared/samples');
const describeWithSamples = existsSync(path.join(SAMPLES, 'telegram')) && existsSync(path.join(SAMPLES, 'wechat')) ? describe : describe.skip;

async function cli(env: TestEnv, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnApp('cli', { ...env.env, LOG_LEVEL: 'warn' }, args);
  const code = await exited(child, 120000);
  return { code, out: child.output() };
}

describeWithSamples('replaying recorded chat traffic (../shared/samples)', () => {
  let env: TestEnv;
  let worker: WorkerHandle;
  let db: Client;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await startWorkerInProcess(env.config);
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await env?.dispose();
  });

  /** Every message of the input is in a recorded submission's refs, or reported as a rejection. */
  async function accountFor(channel: string, refs: string[], summary: { rejections: { ref: string }[] }, rejectedRef: (r: string) => string[]) {
    const { rows } = await db.query(`SELECT refs FROM submissions WHERE channel_type = $1`, [channel]);
    const recorded = new Set(rows.flatMap((r: { refs: string[] }) => r.refs));
    const rejected = new Set(summary.rejections.flatMap((r) => rejectedRef(r.ref)));
    expect(refs.filter((r) => !recorded.has(r) && !rejected.has(r))).toEqual([]);
  }

  it('ingests the Telegram samples (getUpdates pages) with every update accounted for, fetching no file, and drain finishes', async () => {
    const dir = path.join(SAMPLES, 'telegram');
    const ingest = await cli(env, ['ingest', '--channel', 'telegram', dir]);
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.out.trim().split('\n').pop()!);
    expect(summary.read).toBe(summary.recorded + summary.duplicates + summary.rejected);
    const updates: { update_id: number; message?: { chat: { id: number }; message_id: number }; edited_message?: unknown }[] = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')).result);
    const byUpdate = new Map(updates.map((u) => [`update:${u.update_id}`, u]));
    const refs = updates.filter((u) => u.message).map((u) => `${u.message!.chat.id}:${u.message!.message_id}`);
    await accountFor('telegram', refs, summary, (r) => {
      const u = byUpdate.get(r);
      return u?.message ? [`${u.message.chat.id}:${u.message.message_id}`] : [r];
    });
    // (A draft left open at the end of the input would leave its messages unaccounted for above.)
    // Photos and documents are kept by file id for a later download: a replay has no Bot API to ask.
    const files = await db.query(`SELECT a FROM submissions, jsonb_array_elements(payload->'attachments') a WHERE channel_type = 'telegram'`);
    expect(files.rows.length).toBeGreaterThan(0);
    for (const { a } of files.rows) expect(a).toMatchObject({ sourceRef: expect.any(String), blobKey: null });
    expect((await cli(env, ['drain', '--timeout', '90'])).code).toBe(0);
  });

  it('ingests the WeChat samples (XML pushes) with every push accounted for, and drain finishes', async () => {
    const dir = path.join(SAMPLES, 'wechat');
    const ingest = await cli(env, ['ingest', '--channel', 'wechat', dir]);
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.out.trim().split('\n').pop()!);
    expect(summary.read).toBe(summary.recorded + summary.duplicates + summary.rejected);
    const field = (xml: string, name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(xml)?.[1] ?? null;
    const refs = readdirSync(dir)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .map((xml) => (field(xml, 'MsgType') !== 'event' && field(xml, 'MsgId') ? field(xml, 'MsgId')! : `${field(xml, 'FromUserName')}:${field(xml, 'CreateTime')}`));
    expect(refs.length).toBeGreaterThan(100);
    await accountFor('wechat', refs, summary, (r) => [r]);
    expect((await cli(env, ['drain', '--timeout', '90'])).code).toBe(0);
  });
});
