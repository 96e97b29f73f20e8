import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';

/**
 * A private Dovecot IMAP server for the e-mail channel's end-to-end tests.
 *
 * Each server lives in its own temporary directory (configuration, users, Maildir, sockets, state,
 * log) and listens on its own loopback port, so test files can run servers side by side. The system
 * service and /etc/dovecot are never touched. Install the package once with
 * `scripts/services/dovecot.sh install`.
 *
 * Messages are appended over IMAP (APPEND answers with the new UID), and everything IMAP cannot do
 * (listing without a session, changing UIDVALIDITY, losing the UID list) goes through `doveadm`.
 */

const INSTALL_HINT = 'run `scripts/services/dovecot.sh install` (as root) to install dovecot-imapd';
const DIR_PREFIX = 'huiliu-dovecot-';
const HOST = '127.0.0.1';

export interface MailUser {
  user: string;
  password: string;
}

export interface StoredMessage {
  uid: number;
  /** Flags as stored, without the session-only `\Recent`. */
  flags: string[];
  /** Size with CRLF line endings, as an IMAP client sees it (RFC822.SIZE). */
  size: number;
}

export interface MailboxStatus {
  messages: number;
  uidNext: number;
  uidValidity: number;
}

export interface StartDovecotOptions {
  /** User names or user/password pairs; names alone get a random password. Default: one user `intake`. */
  users?: Array<string | MailUser>;
  /** Fixed port; by default a free loopback port is picked (and another one tried if it is taken). */
  port?: number;
  /** How long to wait for the `* OK` greeting. Default 15 s. */
  startTimeoutMs?: number;
  /** Keep the temporary directory after stop(), for looking at the Maildir and the log. */
  keepFiles?: boolean;
  /**
   * Also serve TLS with a throwaway self-signed certificate made at setup (under the server's directory):
   * implicit TLS (IMAPS) on `tlsPort`, and STARTTLS offered on the plain port.
   */
  tls?: boolean;
}

interface SystemAccount {
  name: string;
  uid: number;
  gid: number;
}

interface Binaries {
  dovecot: string;
  doveadm: string;
  version: string;
}

let binaries: Binaries | null = null;

function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Finds dovecot and doveadm and checks the version whose configuration syntax this file writes. */
function dovecotBinaries(): Binaries {
  if (binaries) return binaries;
  const dovecot = findBinary('dovecot');
  const doveadm = findBinary('doveadm');
  if (!dovecot || !doveadm) throw new Error(`Dovecot is not installed: ${INSTALL_HINT}`);
  const version = execFileSync(dovecot, ['--version'], { encoding: 'utf8' }).trim();
  // 2.4 renamed most settings (mail_driver, auth_allow_cleartext, passwd_file_path, …); the
  // configuration below is the 2.3 syntax of Debian 12 and Ubuntu 22.04/24.04.
  if (!/^2\.3\./.test(version)) throw new Error(`Dovecot ${version} found; the test configuration is written for Dovecot 2.3 (${INSTALL_HINT})`);
  binaries = { dovecot, doveadm, version };
  return binaries;
}

/**
 * Fails with the install command when Dovecot is missing or of another major version; answers with
 * the version. For a global setup that should stop before any test file starts a server.
 */
export function ensureDovecot(): string {
  return dovecotBinaries().version;
}

function lookupAccount(name: string): SystemAccount | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}

/**
 * Who owns the mail and who runs the unprivileged processes. As root, Dovecot refuses to serve mail
 * as root and to run its login process as root, so the mail belongs to `mail` (uid 8, below the
 * default first_valid_uid of 500, hence the lowered limit). As an ordinary user everything runs as
 * that user (Dovecot's rootless mode).
 */
function accounts(): { mail: SystemAccount; login: string; internal: string; internalGroup: string } {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const me = userInfo();
    const self = { name: me.username, uid: me.uid, gid: me.gid };
    return { mail: self, login: self.name, internal: self.name, internalGroup: groupName(me.gid) ?? self.name };
  }
  const mail = lookupAccount('mail');
  if (!mail) throw new Error('system user `mail` not found; it owns the test Maildir');
  const login = lookupAccount('dovenull') ? 'dovenull' : 'nobody';
  const internal = lookupAccount('dovecot') ? 'dovecot' : 'mail';
  const internalGroup = groupName(lookupAccount(internal)!.gid) ?? 'mail';
  return { mail, login, internal, internalGroup };
}

function groupName(gid: number): string | null {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && Number(f[2]) === gid) return f[0];
  }
  return null;
}

const CERT_SCRIPT = path.join(__dirname, '../../scripts/services/dovecot.sh');

/** The test certificate of a server directory: made by `dovecot.sh cert`, answered as file paths. */
function makeCertificate(root: string): { cert: string; key: string } {
  const dir = path.join(root, 'tls');
  execFileSync('sh', [CERT_SCRIPT, 'cert', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
}

interface TlsListener {
  port: number;
  cert: string;
  key: string;
}

function renderTls(tls: TlsListener | null): string {
  if (!tls) return 'ssl = no';
  // ssl = yes: STARTTLS on the plain port and the imaps listener below. Plaintext logins stay allowed so
  // the same server also serves channels with security none.
  return `ssl = yes
ssl_cert = <${tls.cert}
ssl_key = <${tls.key}
ssl_min_protocol = TLSv1.2`;
}

function renderConfig(root: string, port: number, instance: string, tls: TlsListener | null): string {
  const { mail, login, internal, internalGroup } = accounts();
  return `# Written by test/support/dovecot.ts for one test server; everything lives under ${root}.
base_dir = ${root}/run
state_dir = ${root}/state
instance_name = ${instance}
log_path = ${root}/dovecot.log
protocols = imap
listen = ${HOST}
${renderTls(tls)}
# Loopback only: IMAP LOGIN / AUTHENTICATE PLAIN without TLS, as the channel's tests connect.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# Failed logins answer at once instead of after 2 s; tests of wrong credentials stay fast.
auth_failure_delay = 0
default_login_user = ${login}
default_internal_user = ${internal}
default_internal_group = ${internalGroup}
first_valid_uid = ${mail.uid}
first_valid_gid = ${mail.gid}
mail_location = maildir:~/Maildir
shutdown_clients = yes

namespace inbox {
  inbox = yes
  separator = /
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${root}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${root}/users
}

service imap-login {
  chroot =
  inet_listener imap {
    address = ${HOST}
    port = ${port}
  }
  inet_listener imaps {
    address = ${HOST}
    port = ${tls ? tls.port : 0}
    ssl = ${tls ? 'yes' : 'no'}
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}

protocol imap {
  mail_max_userip_connections = 100
}
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** One attempt: connects and reads the first line. */
function readGreeting(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    let buf = '';
    const done = (err: Error | null, line?: string) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(line!);
    };
    socket.setTimeout(timeoutMs, () => done(new Error('no greeting')));
    socket.on('error', (err) => done(err));
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end >= 0) done(null, buf.slice(0, end));
    });
    socket.on('end', () => done(new Error(`connection closed before the greeting (${JSON.stringify(buf)})`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process that exists and is not a zombie (orphans may never be reaped where PID 1 is no init). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, a grace period, then SIGKILL for any still there; resolves when all are gone. */
async function terminate(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  let left = pids.filter(alive);
  const deadline = Date.now() + graceMs;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(10);
    left = left.filter(alive);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  while (left.length > 0 && Date.now() < deadline + 2000) {
    await sleep(10);
    left = left.filter(alive);
  }
}

/** Every process below `root` in the process tree with its command name, read from /proc (Linux). */
function descendants(root: number): Array<{ pid: number; comm: string }> {
  const children = new Map<number, Array<{ pid: number; comm: string }>>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const list = children.get(ppid) ?? [];
    list.push({ pid: Number(entry), comm });
    children.set(ppid, list);
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

function parseTab(output: string): Array<Record<string, string>> {
  const lines = output.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, values[i] ?? '']));
  });
}

/** Servers of this process still running, stopped if the process exits without stopping them. */
const running = new Set<DovecotServer>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of running) s.killNow();
  });
}

export class DovecotServer {
  readonly host = HOST;
  readonly users: MailUser[] = [];
  readonly configPath: string;
  /** The implicit-TLS (IMAPS) port, when started with `tls`. */
  tlsPort: number | null = null;
  /** The server's self-signed certificate (PEM file), when started with `tls`. */
  certificatePath: string | null = null;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private hasExited = true;
  private stopped = false;

  constructor(
    /** The temporary directory holding everything of this server. */
    readonly root: string,
    public port: number,
    private readonly options: StartDovecotOptions,
  ) {
    this.configPath = path.join(root, 'dovecot.conf');
  }

  /** Options for `new ImapFlow(...)` that log in as `user` (the first user by default). */
  imapOptions(user?: string): ImapFlowOptions {
    const u = this.account(user);
    // On a tls server imapflow upgrades the plain port with STARTTLS on its own: it must trust the test certificate.
    const tls = this.certificatePath ? { tls: { ca: this.certificatePem() } } : {};
    return { host: this.host, port: this.port, secure: false, auth: { user: u.user, pass: u.password }, logger: false, ...tls };
  }

  /** The server's certificate as PEM, for a client that pins it (`tls` servers only). */
  certificatePem(): string {
    if (!this.certificatePath) throw new Error('this Dovecot server was started without tls');
    return readFileSync(this.certificatePath, 'utf8');
  }

  /** The Dovecot log so far (logins, errors), for failure messages. */
  log(): string {
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    return read(path.join(this.root, 'dovecot.log')) + read(path.join(this.root, 'stderr.log'));
  }

  get isRunning(): boolean {
    return this.child !== null && !this.hasExited;
  }

  /**
   * Adds a user that can log in as soon as this resolves. Dovecot re-reads the passwd-file when it
   * changes, but checks at most once a second, so this waits until the auth service knows the user.
   */
  async addUser(user?: string, password?: string): Promise<MailUser> {
    const entry = { user: user ?? `u${randomBytes(4).toString('hex')}`, password: password ?? randomBytes(9).toString('base64url') };
    if (!/^[A-Za-z0-9._@+-]+$/.test(entry.user)) throw new Error(`unsupported user name ${JSON.stringify(entry.user)}`);
    if (/[:\n]/.test(entry.password)) throw new Error('passwords cannot hold ":" or newlines in a passwd-file');
    if (this.users.some((u) => u.user === entry.user)) throw new Error(`user ${entry.user} exists`);
    this.users.push(entry);
    this.writeUsers();
    if (this.isRunning) await this.waitForUser(entry.user);
    return entry;
  }

  private async waitForUser(user: string): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        // userdb and passdb lookups without a password: a failed login would cost auth_failure_delay.
        await this.doveadm(['user', user]);
        await this.doveadm(['auth', 'lookup', user]);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`user ${user} not known to Dovecot after 5 s: ${(e as Error).message}`);
        await sleep(100);
      }
    }
  }

  /**
   * Appends one message over IMAP, creating the mailbox if needed, and answers with its UID. The
   * bytes are stored as given; IMAP clients read them back with CRLF line endings.
   */
  async appendMessage(user: string, mailbox: string, raw: Buffer, flags: string[] = [], internalDate?: Date): Promise<number> {
    const client = new ImapFlow(this.imapOptions(user));
    await client.connect();
    try {
      if (mailbox.toUpperCase() !== 'INBOX') await client.mailboxCreate(mailbox);
      const res = await client.append(mailbox, raw, flags, internalDate);
      if (!res || typeof res.uid !== 'number') throw new Error(`APPEND to ${mailbox} returned no UID`);
      return res.uid;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Creates (and subscribes) a mailbox; `/` separates levels. */
  async createMailbox(user: string, name: string): Promise<void> {
    await this.doveadm(['mailbox', 'create', '-s', '-u', user, name]);
  }

  /**
   * UIDs, flags and sizes of every message in the mailbox, in UID order. doveadm opens the mailbox
   * as a session of its own, so \Recent is neither reported nor to be relied on after a call.
   */
  async listMessages(user: string, mailbox: string): Promise<StoredMessage[]> {
    const out = await this.doveadm(['-f', 'tab', 'fetch', '-u', user, 'uid flags size.virtual', 'mailbox', mailbox, 'all']);
    return parseTab(out)
      .map((r) => ({
        uid: Number(r.uid),
        flags: r.flags.split(' ').filter((f) => f && f !== '\\Recent'),
        size: Number(r['size.virtual']),
      }))
      .sort((a, b) => a.uid - b.uid);
  }

  async mailboxStatus(user: string, mailbox: string): Promise<MailboxStatus> {
    const [row] = parseTab(await this.doveadm(['-f', 'tab', 'mailbox', 'status', '-u', user, 'messages uidnext uidvalidity', mailbox]));
    if (!row) throw new Error(`no status for ${user}/${mailbox}`);
    return { messages: Number(row.messages), uidNext: Number(row.uidnext), uidValidity: Number(row.uidvalidity) };
  }

  /**
   * Gives the mailbox a new UIDVALIDITY; messages keep their UIDs. A client that remembered the old
   * UIDVALIDITY must treat every UID as new. By default the new value is the current one plus 1000,
   * clear of the values Dovecot hands out itself (a counter that starts at the clock and counts up).
   */
  async setUidValidity(user: string, mailbox: string, value?: number): Promise<number> {
    const next = value ?? (((await this.mailboxStatus(user, mailbox)).uidValidity + 999) % 0xffffffff) + 1;
    await this.doveadm(['mailbox', 'update', '-u', user, '--uid-validity', String(next), mailbox]);
    return next;
  }

  /**
   * The server loses its UID list and index for the mailbox, as after an index rebuild: the same
   * messages (with their flags, which Maildir keeps in the file names) come back numbered from 1
   * under a new UIDVALIDITY. Done across a
   * restart, so connected clients are dropped; answers with the new status.
   */
  async recreateMailbox(user: string, mailbox: string): Promise<MailboxStatus> {
    const before = (await this.mailboxStatus(user, mailbox)).uidValidity;
    const dirs = new Set<string>();
    for (const kind of ['control', 'index']) {
      dirs.add((await this.doveadm(['mailbox', 'path', '-u', user, '-t', kind, mailbox])).trim());
    }
    await this.shutdown();
    for (const dir of dirs) {
      for (const f of readdirSync(dir)) {
        if (f === 'dovecot-uidlist' || f.startsWith('dovecot.index')) rmSync(path.join(dir, f), { force: true });
      }
    }
    await this.launch();
    const after = await this.mailboxStatus(user, mailbox);
    // Dovecot's own counter may land on a value setUidValidity chose earlier; a rebuild must differ.
    if (after.uidValidity === before) after.uidValidity = await this.setUidValidity(user, mailbox);
    return after;
  }

  /** Stops the server process and starts it again on the same port; the mail stays. */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.launch();
  }

  /** Stops the server and removes its directory (unless keepFiles). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.shutdown();
    if (!this.options.keepFiles) rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs doveadm against this server (which must be running: user lookups go through its auth service). */
  doveadm(args: string[], input?: Buffer): Promise<string> {
    const { doveadm } = dovecotBinaries();
    return new Promise((resolve, reject) => {
      const child = spawn(doveadm, ['-c', this.configPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else reject(new Error(`doveadm ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
      });
      child.stdin.end(input);
    });
  }

  /** @internal Used by the process exit hook. */
  killNow(): void {
    if (!this.isRunning) return;
    const tree = descendants(this.child!.pid!);
    this.child!.kill('SIGTERM');
    for (const p of tree) signal(p.pid, 'SIGTERM');
  }

  /** @internal Starts the process and waits for the `* OK` greeting. */
  async launch(): Promise<void> {
    if (this.stopped) throw new Error('this Dovecot server was stopped');
    if (this.isRunning) return;
    const { dovecot } = dovecotBinaries();
    const stderrFd = openSync(path.join(this.root, 'stderr.log'), 'a');
    let child: ChildProcess;
    try {
      // -F keeps the master in the foreground as our child, so stopping it is a signal and an exit event.
      child = spawn(dovecot, ['-F', '-c', this.configPath], { stdio: ['ignore', stderrFd, stderrFd] });
    } finally {
      closeSync(stderrFd);
    }
    this.child = child;
    this.hasExited = false;
    this.exited = new Promise((resolve) => {
      const gone = () => {
        this.hasExited = true;
        resolve();
      };
      child.once('exit', gone);
      child.once('error', gone); // could not be spawned at all
    });
    child.unref();
    running.add(this);
    installExitHook();

    const timeoutMs = this.options.startTimeoutMs ?? 15000;
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    const exitedEarly = () => {
      running.delete(this);
      this.child = null;
      return new DovecotStartError(`dovecot exited (code ${child.exitCode}, signal ${child.signalCode}) before accepting connections`, this.log());
    };
    while (Date.now() < deadline) {
      if (!this.isRunning) throw exitedEarly();
      try {
        // Short attempts: whatever answers on the port must greet at once, and an exit is noticed.
        const greeting = readGreeting(this.port, Math.min(1000, Math.max(100, deadline - Date.now())));
        greeting.catch(() => undefined);
        const line = await Promise.race([greeting, this.exited.then(() => '')]);
        if (!this.isRunning) throw exitedEarly();
        if (line.startsWith('* OK')) return;
        lastError = `unexpected greeting ${JSON.stringify(line)}`;
        break;
      } catch (e) {
        if (e instanceof DovecotStartError) throw e;
        lastError = (e as Error).message;
      }
      await sleep(25);
    }
    await this.shutdown();
    throw new DovecotStartError(`dovecot on ${HOST}:${this.port} not ready after ${timeoutMs} ms: ${lastError}`, this.log());
  }

  /**
   * @internal Stops the master and every process it started, and waits until they are gone. The
   * master alone does not wait for its IMAP processes (they linger for seconds after it exits, still
   * serving their clients) and takes a second to stop its log process. So the client-facing processes
   * go first, while the log process still takes their last lines, then the master together with its
   * remaining services (stopping those before the master makes it restart them, which takes seconds).
   */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.isRunning) {
      child.ref();
      const master = child.pid!;
      await terminate(descendants(master).filter((p) => p.comm === 'imap' || p.comm === 'imap-login').map((p) => p.pid), 2000);
      const rest = descendants(master).map((p) => p.pid);
      child.kill('SIGTERM');
      for (const pid of rest) signal(pid, 'SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(killer);
      await terminate(rest, 2000);
    }
    this.child = null;
    running.delete(this);
  }

  private account(user?: string): MailUser {
    const u = user === undefined ? this.users[0] : this.users.find((x) => x.user === user);
    if (!u) throw new Error(`no such test user ${user ?? '(none configured)'}`);
    return u;
  }

  /** @internal Writes the passwd-file: name:{PLAIN}password:uid:gid::home:: */
  writeUsers(): void {
    const { mail } = accounts();
    const lines = this.users.map((u) => `${u.user}:{PLAIN}${u.password}:${mail.uid}:${mail.gid}::${path.join(this.root, 'mail', u.user)}::\n`);
    // Replaced by rename, so the auth process never reads half a file and sees a new inode.
    const tmp = path.join(this.root, 'users.tmp');
    writeFileSync(tmp, lines.join(''), { mode: 0o644 });
    renameSync(tmp, path.join(this.root, 'users'));
  }
}

export class DovecotStartError extends Error {
  constructor(message: string, readonly dovecotLog: string) {
    super(`${message}\n--- dovecot log ---\n${dovecotLog.trim() || '(empty)'}`);
    this.name = 'DovecotStartError';
  }
}

/**
 * Starts a private Dovecot on a free loopback port with the given users, each with an empty INBOX.
 * Call `stop()` when done (an exit hook stops forgotten servers).
 */
export async function startDovecot(opts: StartDovecotOptions = {}): Promise<DovecotServer> {
  dovecotBinaries();
  const { mail } = accounts();
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const root = mkdtempSync(path.join(tmpdir(), DIR_PREFIX));
    // The login and mail processes run unprivileged and must reach their sockets and the Maildir.
    chmodSync(root, 0o755);
    const mailRoot = path.join(root, 'mail');
    mkdirSync(mailRoot, { mode: 0o700 });
    chownSync(mailRoot, mail.uid, mail.gid);
    writeFileSync(path.join(root, 'owner.pid'), `${process.pid}\n`);
    const port = opts.port ?? (await freePort());
    const server = new DovecotServer(root, port, opts);
    const users = opts.users ?? ['intake'];
    for (const u of users) server.users.push(typeof u === 'string' ? { user: u, password: randomBytes(9).toString('base64url') } : { ...u });
    server.writeUsers();
    let tls: TlsListener | null = null;
    if (opts.tls) {
      let tlsPort = await freePort();
      while (tlsPort === port) tlsPort = await freePort();
      tls = { port: tlsPort, ...makeCertificate(root) };
      server.tlsPort = tls.port;
      server.certificatePath = tls.cert;
    }
    writeFileSync(server.configPath, renderConfig(root, port, path.basename(root), tls));
    try {
      await server.launch();
      return server;
    } catch (e) {
      lastError = e;
      rmSync(root, { recursive: true, force: true });
      // Another process may have taken the port between picking and binding it: try another one.
      if (!(e instanceof DovecotStartError && /Address already in use/.test(e.dovecotLog))) break;
    }
  }
  throw lastError;
}

/**
 * Stops servers left by test processes that died without stopping them (their owner pid is gone)
 * and removes their directories. Safe to call while other test runs are going on.
 */
export function cleanupStaleDovecots(): number {
  let cleaned = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const root = path.join(tmpdir(), name);
    try {
      // A directory without an owner file is being created right now.
      const owner = Number(readFileSync(path.join(root, 'owner.pid'), 'utf8'));
      if (!owner || alive(owner)) continue;
      const pidFile = path.join(root, 'run', 'master.pid');
      if (existsSync(pidFile)) {
        const master = Number(readFileSync(pidFile, 'utf8'));
        // Only a master started with this directory's configuration, never a reused pid.
        const cmdline = `/proc/${master}/cmdline`;
        if (master && existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes(root)) process.kill(master, 'SIGTERM');
      }
      rmSync(root, { recursive: true, force: true });
      cleaned++;
    } catch {
      // Owned by another user or vanishing under us: not ours to clean.
    }
  }
  return cleaned;
}
