import { Client } from 'pg';
import { Registry } from 'prom-client';
import { createLogger } from '../libs/platform/src';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { startWorkerInProcess } from './support/apps';
import { startDovecot, type DovecotServer } from './support/dovecot';
import { appendMany, emailSettings, jpeg, mail, newMessageId, passwordOf } from './support/email-fixtures';
import type { WorkerHandle } from '../apps/worker/src/worker';
import { EmailRunner } from '../apps/worker/src/email/email.runner';

/**
 * Crashes at every point of fetch → record → acknowledge, against a real Dovecot: the server restarted in
 * the middle of fetching, the runner stopped between recording and acknowledging, the mailbox rebuilt
 * under a new UIDVALIDITY. Each ends with every message present exactly once.
 */

describe('e-mail channel: nothing lost, nothing doubled', () => {
  let env: TestEnv;
  let server: DovecotServer;
  let worker: WorkerHandle;
  let db: Client;
  const logger = createLogger({ level: 'silent' });

  const count = async (channelId: string): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM submissions WHERE channel_id = $1`, [channelId])).rows[0].n;
  const refsOf = async (channelId: string): Promise<string[]> =>
    (await db.query(`SELECT ref FROM submissions WHERE channel_id = $1 ORDER BY ref`, [channelId])).rows.map((r) => r.ref);

  async function channel(name: string, user: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await db.query(`INSERT INTO channels (type, name, settings, credentials) VALUES ('email', $1, $2, $3) RETURNING id`, [
      name,
      JSON.stringify(emailSettings(server, user, extra)),
      JSON.stringify({ password: passwordOf(server, user) }),
    ]);
    return r.rows[0].id;
  }

  function runner(beforeAck?: (uids: number[]) => Promise<void>): EmailRunner {
    return new EmailRunner({ app: worker.app, config: { ...env.config, EMAIL_RUNNER: true }, logger, metrics: new Registry() }, { beforeAck });
  }

  async function allTaken(user: string): Promise<boolean | undefined> {
    const listed = await server.listMessages(user, 'INBOX');
    return listed.every((m) => m.flags.includes('$HuiliuTaken')) ? true : undefined;
  }

  beforeAll(async () => {
    // The worker's own e-mail runner is off: each test runs its runner with the fault it needs.
    env = await createTestEnv({
      EMAIL_RUNNER: 'false',
      EMAIL_CHANNEL_WATCH_MS: '300',
      EMAIL_BACKOFF_MIN_MS: '100',
      EMAIL_BACKOFF_MAX_MS: '500',
      EMAIL_FETCH_BATCH: '25',
      CHANNEL_STATE_HEARTBEAT_MS: '500',
    });
    server = await startDovecot({ users: ['restart', 'stopped', 'rebuilt', 'oversize'] });
    worker = await startWorkerInProcess(env.config);
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await worker?.close();
    await db?.end();
    await server?.stop();
    await env?.dispose();
  });

  it('survives Dovecot restarted in the middle of fetching: every message once', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => newMessageId(`r${i}`));
    await appendMany(server, 'restart', 'INBOX', ids.map((id, i) => mail({ messageId: id, ...(i % 10 === 0 ? { attachments: [{ filename: `p${i}.jpg`, contentType: 'image/jpeg', content: jpeg(20_000) }] } : {}) })));
    const id = await channel('restart-box', 'restart');
    const r = runner();
    await r.start();
    try {
      // Restart as soon as part of the mailbox is taken.
      const partial = await waitFor(async () => {
        const n = await count(id);
        return n > 0 && n < ids.length ? n : undefined;
      }, { intervalMs: 5, what: 'a partly taken mailbox' });
      await server.restart();
      await waitFor(async () => ((await count(id)) === ids.length ? true : undefined), { timeoutMs: 40000, what: 'all messages after the restart' });
      await waitFor(() => allTaken('restart'), { what: 'all acknowledged' });
      expect(partial).toBeLessThan(ids.length);
      expect(await refsOf(id)).toEqual([...ids].sort());
      const cp = (await db.query(`SELECT last_uid FROM mailbox_checkpoints WHERE channel_id = $1`, [id])).rows[0];
      expect(Number(cp.last_uid)).toBe(ids.length);
    } finally {
      await r.stop();
    }
  });

  it('takes again, and once, what was recorded but not acknowledged when the runner stopped', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => newMessageId(`s${i}`));
    await appendMany(server, 'stopped', 'INBOX', ids.map((id) => mail({ messageId: id })));
    const id = await channel('stopped-box', 'stopped');

    // First runner: recorded the first batch, then stopped (and a second fault: an error thrown) before acknowledging.
    let reached!: () => void;
    const atAck = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const first = runner(async () => {
      reached();
      await released;
    });
    await first.start();
    await atAck;
    const recordedBeforeStop = await count(id);
    expect(recordedBeforeStop).toBeGreaterThanOrEqual(25);
    const stopping = first.stop();
    release();
    await stopping;
    expect((await server.listMessages('stopped', 'INBOX')).filter((m) => m.flags.includes('$HuiliuTaken'))).toHaveLength(0);

    // Second runner: crashes once more between record and ack, then carries on.
    let crashes = 0;
    const second = runner(async () => {
      if (crashes++ === 0) throw new Error('simulated crash between record and acknowledge');
    });
    await second.start();
    try {
      await waitFor(() => allTaken('stopped'), { what: 'all acknowledged' });
      expect(crashes).toBeGreaterThan(1);
      expect(await count(id)).toBe(ids.length);
      expect(await refsOf(id)).toEqual([...ids].sort());
    } finally {
      await second.stop();
    }
  });

  it('reads a mailbox rebuilt under a new UIDVALIDITY again without second submissions', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => newMessageId(`u${i}`));
    await appendMany(server, 'rebuilt', 'INBOX', ids.map((id) => mail({ messageId: id })));
    const id = await channel('rebuilt-box', 'rebuilt');
    const r = runner();
    await r.start();
    try {
      await waitFor(async () => ((await count(id)) === ids.length ? allTaken('rebuilt') : undefined), { what: 'first pass' });
      const before = (await db.query(`SELECT uid_validity FROM mailbox_checkpoints WHERE channel_id = $1`, [id])).rows[0].uid_validity;

      const rebuilt = await server.recreateMailbox('rebuilt', 'INBOX');
      const late = newMessageId('after-rebuild');
      await server.appendMessage('rebuilt', 'INBOX', mail({ messageId: late }));
      const cp = await waitFor(async () => {
        const row = (await db.query(`SELECT uid_validity, last_uid, rescans FROM mailbox_checkpoints WHERE channel_id = $1`, [id])).rows[0];
        return Number(row.uid_validity) === rebuilt.uidValidity && Number(row.last_uid) === ids.length + 1 ? row : undefined;
      }, { what: 'the checkpoint under the new UIDVALIDITY' });
      expect(cp.uid_validity).not.toBe(before);
      expect(cp.rescans).toBe(1);
      expect(await count(id)).toBe(ids.length + 1);
      expect(await refsOf(id)).toEqual([...ids, late].sort());
    } finally {
      await r.stop();
    }
  });

  it('keeps a message over the size cap without holding it: whole original stored, small parts kept, the big one refused', async () => {
    const id = newMessageId('big');
    const big = Buffer.alloc(25 * 1024 * 1024, 0x41);
    const raw = mail({
      messageId: id,
      attachments: [
        { filename: 'photo.jpg', contentType: 'image/jpeg', content: jpeg(10_000) },
        { filename: 'video.pdf', contentType: 'application/pdf', content: big },
      ],
    });
    await server.appendMessage('oversize', 'INBOX', raw);
    const channelId = await channel('oversize-box', 'oversize', { maxMessageBytes: 1024 * 1024 });
    const r = runner();
    await r.start();
    try {
      await waitFor(() => allTaken('oversize'), { timeoutMs: 40000, what: 'the big message acknowledged' });
      const row = (await db.query(`SELECT payload FROM submissions WHERE channel_id = $1`, [channelId])).rows[0];
      expect(row.payload.ref).toBe(id);
      expect(row.payload.flags).toContain('oversize_message');
      expect(row.payload.text).toContain('永丰印染厂');
      const [photo, video] = row.payload.attachments;
      expect(photo).toMatchObject({ filename: 'photo.jpg', refused: null, size: 10_000 });
      expect(photo.blobKey).toBeTruthy();
      expect(video).toMatchObject({ filename: 'video.pdf', refused: 'too_large', blobKey: null });
      expect(Math.abs(video.size - big.length)).toBeLessThan(big.length * 0.01);
      const original = row.payload.extra.rawOriginal;
      expect(original.size).toBe(raw.length);
      const { statSync } = await import('node:fs');
      expect(statSync(`${env.blobRoot}/${original.blobKey}`).size).toBe(raw.length);
    } finally {
      await r.stop();
    }
  });
});
