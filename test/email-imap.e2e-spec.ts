import { Client } from 'pg';
import { ImapFlow } from 'imapflow';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { getJson, LogCapture, postJson, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { startDovecot, type DovecotServer } from './support/dovecot';
import { autoReply, bounce, emailSettings, jpeg, mail, newMessageId, passwordOf, poison } from './support/email-fixtures';
import type { WorkerHandle } from '../apps/worker/src/worker';

/**
 * The e-mail channel end to end against a real Dovecot: channels configured through the admin API,
 * messages appended over IMAP, fetched by the worker's runner, recorded, acknowledged on the server.
 */

const ADMIN = { authorization: 'Bearer test-admin-token' };

async function patchJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json', ...ADMIN }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('e-mail channel over IMAP', () => {
  let env: TestEnv;
  let server: DovecotServer;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;
  const logs = new LogCapture();

  const refs = async (channelName?: string): Promise<string[]> =>
    (
      await db.query(
        `SELECT s.ref FROM submissions s JOIN channels c ON c.id = s.channel_id WHERE s.channel_type = 'email' ${channelName ? 'AND c.name = $1' : ''} ORDER BY s.seq`,
        channelName ? [channelName] : [],
      )
    ).rows.map((r) => r.ref);
  const submission = async (ref: string) => (await db.query(`SELECT * FROM submissions WHERE source_key = $1`, [`email:${ref}`])).rows[0];

  async function createChannel(name: string, user: string, extra: Record<string, unknown> = {}, password = passwordOf(server, user)) {
    const res = await postJson(`${gw.url}/v1/admin/channels`, { type: 'email', name, settings: emailSettings(server, user, extra), credentials: { password } }, ADMIN);
    expect(res.status).toBe(201);
    return res.json as { id: string; name: string };
  }

  const stateOf = async (id: string) => (await getJson(`${gw.url}/v1/admin/channels/${id}`, ADMIN)).json.state;

  beforeAll(async () => {
    env = await createTestEnv({ EMAIL_CHANNEL_WATCH_MS: '300', EMAIL_BACKOFF_MIN_MS: '100', EMAIL_BACKOFF_MAX_MS: '1000', CHANNEL_STATE_HEARTBEAT_MS: '500' });
    server = await startDovecot({ users: ['bureau', 'county', 'moving', 'nomove', 'late'] });
    gw = await startGateway(env.config);
    worker = await startWorkerInProcess(env.config, logs.logger('debug'));
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await db?.end();
    await server?.stop();
    await env?.dispose();
  });

  it('takes new mail from a channel added through the admin API, records it once and flags it on the server', async () => {
    const ids = [newMessageId(), newMessageId(), newMessageId()];
    for (const id of ids.slice(0, 2)) await server.appendMessage('bureau', 'INBOX', mail({ messageId: id }));
    const ch = await createChannel('bureau-mailbox', 'bureau');

    await waitFor(async () => ((await refs('bureau-mailbox')).length === 2 ? true : undefined), { what: 'the two waiting messages' });
    await waitFor(async () => ((await stateOf(ch.id)) === 'connected' ? true : undefined), { what: 'the channel to report connected' });

    // New mail while the runner watches the folder (IDLE, or the poll).
    await server.appendMessage('bureau', 'INBOX', mail({ messageId: ids[2], attachments: [{ filename: '现场照片.jpg', contentType: 'image/jpeg', content: jpeg(4096) }] }));
    await waitFor(async () => ((await refs('bureau-mailbox')).length === 3 ? true : undefined), { what: 'the new message' });
    expect((await refs('bureau-mailbox')).sort()).toEqual([...ids].sort());

    // Acknowledged only after recording: every message carries \Seen and the channel's keyword.
    await waitFor(async () => {
      const listed = await server.listMessages('bureau', 'INBOX');
      return listed.length === 3 && listed.every((m) => m.flags.includes('\\Seen') && m.flags.includes('$HuiliuTaken')) ? true : undefined;
    }, { what: 'flags on the server' });

    // The raw .eml and the attachment are in the blob store.
    const row = await submission(ids[2]);
    expect(row.raw.contentType).toBe('message/rfc822');
    const att = row.payload.attachments[0];
    expect(att).toMatchObject({ filename: '现场照片.jpg', contentType: 'image/jpeg', size: 4096, refused: null });
    expect(att.blobKey).toMatch(/^sha256\//);
    expect(row.payload.title).toBe('城东化工厂夜间偷排废水');

    // The state is on /health, /metrics and the admin API.
    const health = await getJson(`${gw.url}/health`);
    expect(health.json.channels['bureau-mailbox']).toMatchObject({ state: 'connected', type: 'email', stale: false });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/huiliu_channel_up\{[^}]*channel="bureau-mailbox"[^}]*state="connected"[^}]*\} 1/);
    const shown = await getJson(`${gw.url}/v1/admin/channels/${ch.id}`, ADMIN);
    expect(shown.json).toMatchObject({ state: 'connected', stateStale: false, credentials: { password: '***' } });

    // The password is never logged.
    expect(logs.lines.join('\n')).not.toContain(passwordOf(server, 'bureau'));
  });

  it('records auto-replies and bounces as rejections, dead-letters a poison message once and acknowledges all three', async () => {
    const before = (await refs('bureau-mailbox')).length;
    const auto = autoReply();
    const dsn = bounce();
    const bad = poison();
    for (const raw of [auto, dsn, bad]) await server.appendMessage('bureau', 'INBOX', raw);

    await waitFor(async () => ((await refs('bureau-mailbox')).length === before + 2 ? true : undefined), { what: 'the auto-reply and the bounce' });
    const rows = (await db.query(`SELECT payload, status, reason FROM submissions WHERE channel_type = 'email' AND payload->>'rejectHint' IS NOT NULL`)).rows;
    expect(rows.map((r) => r.payload.rejectHint).sort()).toEqual(['auto_reply', 'bounce']);
    // The pipeline turns the hint into a rejection: never a case, never answered.
    await waitFor(async () => {
      const r = (await db.query(`SELECT status, case_id FROM submissions WHERE payload->>'rejectHint' IS NOT NULL`)).rows;
      return r.every((x) => x.status === 'rejected' && x.case_id === null) ? r : undefined;
    }, { what: 'rejections' });

    const dead = await waitFor(async () => {
      const res = await getJson(`${gw.url}/v1/admin/dead-letters`, ADMIN);
      return res.json.items?.length === 1 ? res.json.items[0] : undefined;
    }, { what: 'the dead letter' });
    expect(dead).toMatchObject({ channelType: 'email', reason: 'unparseable', seenCount: 1 });
    expect(dead.detail).toMatch(/nesting/i);
    const raw = await fetch(`${gw.url}${dead.raw}`, { headers: ADMIN });
    expect(Buffer.from(await raw.arrayBuffer()).equals(bad.subarray(0))).toBe(true);

    // Acknowledged, so it is not fetched again: after more polls it is still seen once.
    await waitFor(async () => {
      const listed = await server.listMessages('bureau', 'INBOX');
      return listed.every((m) => m.flags.includes('$HuiliuTaken')) ? true : undefined;
    }, { what: 'all acknowledged' });
    await server.appendMessage('bureau', 'INBOX', mail());
    await waitFor(async () => ((await refs('bureau-mailbox')).length === before + 3 ? true : undefined), { what: 'a later message' });
    expect((await db.query(`SELECT seen_count FROM dead_letters`)).rows).toEqual([{ seen_count: 1 }]);
  });

  it('makes the same message in two mailboxes one submission', async () => {
    const id = newMessageId('both');
    const raw = mail({ messageId: id });
    await createChannel('county-mailbox', 'county');
    await server.appendMessage('county', 'INBOX', raw);
    await server.appendMessage('bureau', 'INBOX', Buffer.concat([Buffer.from('Received: from relay.example.cn by mx\r\n'), raw]));
    await waitFor(async () => {
      const listed = [...(await server.listMessages('county', 'INBOX')), ...(await server.listMessages('bureau', 'INBOX'))];
      return listed.every((m) => m.flags.includes('$HuiliuTaken')) ? true : undefined;
    }, { what: 'both copies acknowledged' });
    expect((await db.query(`SELECT count(*)::int AS n FROM submissions WHERE source_key = $1`, [`email:${id}`])).rows[0].n).toBe(1);
  });

  it('follows channels disabled, enabled and changed through the admin API without a restart', async () => {
    const ch = await createChannel('late-mailbox', 'late');
    await waitFor(async () => ((await stateOf(ch.id)) === 'connected' ? true : undefined), { what: 'connected' });

    expect((await postJson(`${gw.url}/v1/admin/channels/${ch.id}/disable`, {}, ADMIN)).status).toBe(200);
    await waitFor(async () => ((await stateOf(ch.id)) === 'disabled' ? true : undefined), { what: 'disabled' });
    const id = newMessageId('while-disabled');
    await server.appendMessage('late', 'INBOX', mail({ messageId: id }));
    // Several watch and poll intervals pass: nothing is taken while disabled.
    await waitFor(async () => ((await getJson(`${gw.url}/health`)).json.channels['late-mailbox']?.state === 'disabled' ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await refs('late-mailbox')).toEqual([]);
    expect((await server.listMessages('late', 'INBOX'))[0].flags).not.toContain('$HuiliuTaken');

    await postJson(`${gw.url}/v1/admin/channels/${ch.id}/enable`, {}, ADMIN);
    await waitFor(async () => ((await refs('late-mailbox')).length === 1 ? true : undefined), { what: 'the message after enabling' });

    // A wrong password: auth_failed, said once, no reconnect loop.
    const wrong = await patchJson(`${gw.url}/v1/admin/channels/${ch.id}`, { credentials: { password: 'not-the-password' } });
    expect(wrong.status).toBe(200);
    const failed = await waitFor(async () => {
      const res = await getJson(`${gw.url}/v1/admin/channels/${ch.id}`, ADMIN);
      return res.json.state === 'auth_failed' ? res.json : undefined;
    }, { what: 'auth_failed' });
    expect(failed.stateDetail).toMatch(/auth/i);
    const logins = () => (server.log().match(/imap-login: .*user=<late>.*(auth failed|Disconnected)/gi) ?? []).length;
    const n = logins();
    await new Promise((r) => setTimeout(r, 1500));
    expect(logins()).toBe(n);
    expect(await stateOf(ch.id)).toBe('auth_failed');

    // Fixing the password brings it back.
    await patchJson(`${gw.url}/v1/admin/channels/${ch.id}`, { credentials: { password: passwordOf(server, 'late') } });
    await waitFor(async () => ((await stateOf(ch.id)) === 'connected' ? true : undefined), { what: 'connected again' });
  });

  it('acknowledges by moving to a folder, checking the move, also on a server without MOVE (copy + expunge)', async () => {
    await createChannel('moving-mailbox', 'moving', { ackMode: 'move', moveTo: 'Taken' });
    const ids = [newMessageId('mv'), newMessageId('mv')];
    for (const id of ids) await server.appendMessage('moving', 'INBOX', mail({ messageId: id }));
    await waitFor(async () => ((await server.listMessages('moving', 'INBOX')).length === 0 ? true : undefined), { what: 'the inbox emptied' });
    expect(await server.listMessages('moving', 'Taken')).toHaveLength(2);
    expect((await refs('moving-mailbox')).sort()).toEqual([...ids].sort());

    // A server without MOVE: imapflow copies, flags \Deleted and expunges; the result is checked all the same.
    const probe = new ImapFlow(server.imapOptions('nomove'));
    await probe.connect();
    const caps = [...probe.capabilities.keys()].filter((c) => c !== 'MOVE' && !/^AUTH=|^SASL-IR$|^LOGINDISABLED$|^STARTTLS$/i.test(c));
    await probe.logout();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(server.configPath, `\nprotocol imap {\n  imap_capability = ${caps.join(' ')}\n}\n`);
    await server.restart();
    const check = new ImapFlow(server.imapOptions('nomove'));
    await check.connect();
    expect(check.capabilities.has('MOVE')).toBe(false);
    await check.logout();

    await createChannel('nomove-mailbox', 'nomove', { ackMode: 'move', moveTo: 'Archive/Taken' });
    const more = [newMessageId('cp'), newMessageId('cp'), newMessageId('cp')];
    for (const id of more) await server.appendMessage('nomove', 'INBOX', mail({ messageId: id }));
    await waitFor(async () => ((await server.listMessages('nomove', 'INBOX')).length === 0 ? true : undefined), { what: 'copy + expunge' });
    expect(await server.listMessages('nomove', 'Archive/Taken')).toHaveLength(3);
    expect((await refs('nomove-mailbox')).sort()).toEqual([...more].sort());
  });
});
