import { Client } from 'pg';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { getJson, postJson, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { startDovecot, type DovecotServer } from './support/dovecot';
import { emailSettings, mail, newMessageId, passwordOf } from './support/email-fixtures';
import type { WorkerHandle } from '../apps/worker/src/worker';

/**
 * The e-mail channel over TLS against a Dovecot serving a throwaway self-signed certificate: implicit TLS
 * (IMAPS) and STARTTLS connect, fetch and record when the channel trusts the certificate; a certificate the
 * channel does not trust stops the channel with a clear state instead of reconnecting over and over.
 */

const ADMIN = { authorization: 'Bearer test-admin-token' };

describe('e-mail channel over TLS and STARTTLS', () => {
  let env: TestEnv;
  let server: DovecotServer;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;

  const refs = async (channelName: string): Promise<string[]> =>
    (await db.query(`SELECT s.ref FROM submissions s JOIN channels c ON c.id = s.channel_id WHERE c.name = $1 ORDER BY s.seq`, [channelName])).rows.map((r) => r.ref);
  const channel = async (id: string) => (await getJson(`${gw.url}/v1/admin/channels/${id}`, ADMIN)).json;
  async function createChannel(name: string, user: string, settings: Record<string, unknown>) {
    const res = await postJson(`${gw.url}/v1/admin/channels`, { type: 'email', name, settings: emailSettings(server, user, settings), credentials: { password: passwordOf(server, user) } }, ADMIN);
    expect(res.status).toBe(201);
    return res.json as { id: string; name: string };
  }
  async function patchSettings(id: string, settings: Record<string, unknown>) {
    const current = await channel(id);
    const res = await fetch(`${gw.url}/v1/admin/channels/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...ADMIN },
      body: JSON.stringify({ settings: { ...current.settings, ...settings } }),
    });
    expect(res.status).toBe(200);
  }
  /** Logins Dovecot saw for a user (the tests' own APPENDs too), each line telling whether the session was encrypted. */
  const logins = (user: string) => server.log().split('\n').filter((l) => /imap-login: (Info: )?Login: /.test(l) && l.includes(`user=<${user}>,`));
  /** Connections that ended before any login: here, the client giving up on the server's certificate. */
  const abandoned = () => server.log().split('\n').filter((l) => /imap-login: (Info: )?Disconnected.*no auth attempts/.test(l)).length;

  beforeAll(async () => {
    env = await createTestEnv({ EMAIL_CHANNEL_WATCH_MS: '300', EMAIL_BACKOFF_MIN_MS: '100', EMAIL_BACKOFF_MAX_MS: '1000', CHANNEL_STATE_HEARTBEAT_MS: '500' });
    server = await startDovecot({ users: ['imaps', 'starttls', 'untrusted', 'untrusted-starttls', 'noverify'], tls: true });
    gw = await startGateway(env.config);
    worker = await startWorkerInProcess(env.config);
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

  it.each([
    ['implicit TLS', 'imaps', () => ({ security: 'tls', port: server.tlsPort })],
    ['STARTTLS', 'starttls', () => ({ security: 'starttls', port: server.port })],
  ])('connects with %s to a server whose certificate the channel pins, fetches, records and acknowledges', async (_kind, user, settings) => {
    const ids = [newMessageId(user), newMessageId(user)];
    await server.appendMessage(user, 'INBOX', mail({ messageId: ids[0] }));
    const before = logins(user).length;
    const ch = await createChannel(`${user}-mailbox`, user, { ...settings(), tlsCa: server.certificatePem() });

    await waitFor(async () => ((await refs(ch.name)).length === 1 ? true : undefined), { what: `the waiting message over ${user}` });
    await waitFor(async () => ((await channel(ch.id)).state === 'connected' ? true : undefined), { what: 'connected' });
    await server.appendMessage(user, 'INBOX', mail({ messageId: ids[1] }));
    await waitFor(async () => ((await refs(ch.name)).length === 2 ? true : undefined), { what: 'the new message' });
    expect((await refs(ch.name)).sort()).toEqual([...ids].sort());
    await waitFor(async () => {
      const listed = await server.listMessages(user, 'INBOX');
      return listed.length === 2 && listed.every((m) => m.flags.includes('$HuiliuTaken')) ? true : undefined;
    }, { what: 'flags on the server' });

    // The channel logged in, and every session was encrypted (Dovecot marks TLS sessions in its login lines).
    const lines = logins(user);
    expect(lines.length).toBeGreaterThan(before + 1);
    for (const l of lines) expect(l).toMatch(/, TLS,/);
  });

  it.each([
    ['implicit TLS', 'untrusted', () => ({ security: 'tls', port: server.tlsPort })],
    ['STARTTLS', 'untrusted-starttls', () => ({ security: 'starttls', port: server.port })],
  ])('refuses a certificate the channel does not trust over %s: a clear state, no reconnect loop, nothing taken; trusting it resumes', async (_kind, user, settings) => {
    const id = newMessageId(user);
    await server.appendMessage(user, 'INBOX', mail({ messageId: id }));
    const loginsBefore = logins(user).length;
    const abandonedBefore = abandoned();
    const ch = await createChannel(`${user}-mailbox`, user, settings());

    const refused = await waitFor(async () => {
      const c = await channel(ch.id);
      return c.state === 'tls_untrusted' ? c : undefined;
    }, { what: 'tls_untrusted' });
    expect(refused.stateDetail).toMatch(/certificate not trusted/);
    expect(refused.stateDetail).toMatch(/tlsCa/);
    const health = await getJson(`${gw.url}/health`);
    expect(health.json.channels[ch.name]).toMatchObject({ state: 'tls_untrusted' });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`huiliu_channel_up\\{[^}]*channel="${ch.name}"[^}]*state="tls_untrusted"[^}]*\\} 1`));

    // The server saw the connection given up before any login; several backoff periods later, no other.
    await waitFor(async () => (abandoned() > abandonedBefore ? true : undefined), { what: 'the refused connection in the server log' });
    const attempts = abandoned();
    await new Promise((r) => setTimeout(r, 2500));
    expect(abandoned()).toBe(attempts);
    expect((await channel(ch.id)).state).toBe('tls_untrusted');
    expect(logins(user)).toHaveLength(loginsBefore);
    expect(await refs(ch.name)).toEqual([]);
    expect((await server.listMessages(user, 'INBOX'))[0].flags).not.toContain('$HuiliuTaken');

    // Pinning the server's certificate in the settings brings the channel back.
    await patchSettings(ch.id, { tlsCa: server.certificatePem() });
    await waitFor(async () => ((await refs(ch.name)).length === 1 ? true : undefined), { what: 'the message once the certificate is trusted' });
    expect((await channel(ch.id)).state).toBe('connected');
  });

  it('accepts any certificate only when the channel says so explicitly (tlsVerify: false)', async () => {
    const id = newMessageId('noverify');
    await server.appendMessage('noverify', 'INBOX', mail({ messageId: id }));
    const ch = await createChannel('noverify-mailbox', 'noverify', { security: 'tls', port: server.tlsPort, tlsVerify: false });
    await waitFor(async () => ((await refs(ch.name)).length === 1 ? true : undefined), { what: 'the message with verification off' });
    expect(logins('noverify').every((l) => /, TLS,/.test(l))).toBe(true);
  });

  it('refuses settings whose tlsCa is not a PEM certificate', async () => {
    const res = await postJson(
      `${gw.url}/v1/admin/channels`,
      { type: 'email', name: 'bad-ca', settings: emailSettings(server, 'imaps', { security: 'tls', port: server.tlsPort, tlsCa: 'not a certificate' }), credentials: { password: 'x' } },
      ADMIN,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/tlsCa/);
  });
});
