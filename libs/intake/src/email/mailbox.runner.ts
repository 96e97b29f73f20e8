import type { FetchMessageObject, ImapFlow, ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { EmailChannelSettings, EmailParseOptions } from '@huiliu/adapters';
import type { BlobStore } from '@huiliu/platform';
import type { MailboxCheckpointRepository } from '@huiliu/store';
import type { ChannelRunState } from '../channel-state';
import { buildStandIn, planOversize, type StructureNode } from './email-oversize.util';
import type { EmailIntake, EmailTakeOutcome } from './email-intake';

export interface MailboxChannel {
  id: string;
  name: string;
  settings: EmailChannelSettings;
  password: string;
}

export interface MailboxRunnerOptions {
  backoffMinMs: number;
  backoffMaxMs: number;
  /** UIDs per FETCH round (sizes first, then bodies). */
  fetchBatch: number;
  /** Message bytes held in memory per FETCH of bodies. */
  fetchBatchBytes: number;
  /** Messages over this are fetched in parts (see email-oversize.util). */
  maxMessageBytes: number;
  parse: EmailParseOptions;
  /** Connection and socket timeouts (ms). */
  connectTimeoutMs?: number;
  socketTimeoutMs?: number;
}

export interface MailboxRunnerDeps {
  intake: EmailIntake;
  checkpoints: MailboxCheckpointRepository;
  blobs: BlobStore;
  logger: Logger;
  onState: (state: ChannelRunState, detail: string | null) => void;
  onOutcome?: (outcome: EmailTakeOutcome | 'oversize', n: number) => void;
  /**
   * Called after a batch is durably recorded and before it is acknowledged on the server; an error thrown
   * here abandons the batch unacknowledged, as a crash at that point would. For fault-injection tests.
   */
  beforeAck?: (uids: number[]) => Promise<void>;
}

/** Raised when the server refuses the credentials: the channel stops until its settings change. */
class AuthFailed extends Error {}

/** Raised when the server's certificate is not trusted: the channel stops until its settings change. */
class TlsUntrusted extends Error {}

/** OpenSSL's and Node's codes for a certificate that failed verification (not a network failure). */
const UNTRUSTED_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function untrustedCertificate(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return typeof code === 'string' && UNTRUSTED_CERT_CODES.has(code);
}

const sleep = (ms: number, signal: { wake: () => void; promise: Promise<void> }) =>
  Promise.race([new Promise<void>((r) => setTimeout(r, ms).unref()), signal.promise]);

/** Compact UID set for IMAP: 1:5,7,9:12. */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; responseText?: string };
  return [e?.code, e?.responseText ?? e?.message].filter(Boolean).join(': ').slice(0, 300) || String(err);
}

/**
 * One mailbox of one e-mail channel. Keeps an imapflow connection (a new instance after every close or
 * error, with exponential backoff), watches the folder with IDLE and polls besides, and for every new
 * message: fetch → record (or dead-letter) → acknowledge (flag or move) → checkpoint. Acknowledging
 * only after the record is durable, and recording idempotently by source key, makes a crash at any point
 * cost a re-fetch, never a loss or a second submission.
 */
export class MailboxRunner {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wakeSignal = this.newSignal();
  private pendingWake = false;

  constructor(
    readonly channel: MailboxChannel,
    private readonly deps: MailboxRunnerDeps,
    private readonly opts: MailboxRunnerOptions,
  ) {}

  get folder(): string {
    return this.channel.settings.folder;
  }

  start(): void {
    if (!this.loop) this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    // A clean logout would wait behind a running FETCH; closing the socket is what a crash does, and safe.
    this.client?.close();
    await this.loop;
  }

  private newSignal() {
    let wake!: () => void;
    const promise = new Promise<void>((r) => (wake = r));
    return { wake, promise };
  }

  private wake(): void {
    this.pendingWake = true;
    this.wakeSignal.wake();
  }

  private async waitForWake(ms: number): Promise<void> {
    if (this.pendingWake || this.stopping) return;
    await sleep(ms, this.wakeSignal);
  }

  private imapOptions(): ImapFlowOptions {
    const s = this.channel.settings;
    const port = s.port ?? (s.security === 'tls' ? 993 : 143);
    return {
      host: s.host,
      port,
      secure: s.security === 'tls',
      doSTARTTLS: s.security === 'starttls' ? true : s.security === 'none' ? false : undefined,
      // Also used for the STARTTLS upgrade. tlsCa replaces the system's CAs for this server only.
      tls: { rejectUnauthorized: s.tlsVerify, ...(s.tlsCa ? { ca: s.tlsCa } : {}) },
      auth: { user: s.user, pass: this.channel.password },
      logger: false,
      // IDLE is restarted well within the socket timeout; polling covers an IDLE that died silently.
      maxIdleTime: Math.min(s.pollIntervalSeconds * 1000, 5 * 60_000),
      autoIdleDelay: 1000,
      connectionTimeout: this.opts.connectTimeoutMs ?? 30_000,
      greetingTimeout: this.opts.connectTimeoutMs ?? 16_000,
      socketTimeout: this.opts.socketTimeoutMs ?? 6 * 60_000,
      clientInfo: { name: 'huiliu' },
    };
  }

  private async run(): Promise<void> {
    let failures = 0;
    const log = this.deps.logger.child({ channel: this.channel.name, channelId: this.channel.id, folder: this.folder });
    // Loaded when a mailbox first runs: processes without e-mail channels (imports, the CLI) never need it.
    const { ImapFlow } = await import('imapflow');
    while (!this.stopping) {
      this.deps.onState('connecting', null);
      const client = new ImapFlow(this.imapOptions());
      this.client = client;
      // imapflow emits 'error' for a dropped socket; without a listener that would end the process.
      client.on('error', (err: unknown) => log.debug({ err: describe(err) }, 'imap connection error'));
      client.on('close', () => this.wake());
      client.on('exists', () => this.wake());
      let synced = false;
      try {
        try {
          await client.connect();
        } catch (err) {
          if ((err as { authenticationFailed?: boolean })?.authenticationFailed) throw new AuthFailed(describe(err));
          if (untrustedCertificate(err)) throw new TlsUntrusted(describe(err));
          throw err;
        }
        if (this.stopping) break;
        // The folder must exist: acknowledging by move needs its target too.
        if (this.channel.settings.ackMode === 'move') await this.ensureFolder(client, this.channel.settings.moveTo!);
        this.deps.onState('connected', null);
        log.info('mailbox connected');
        while (!this.stopping && client.usable) {
          this.pendingWake = false;
          this.wakeSignal = this.newSignal();
          await this.sync(client, log);
          synced = true;
          failures = 0;
          await this.waitForWake(this.channel.settings.pollIntervalSeconds * 1000);
        }
      } catch (err) {
        if (err instanceof AuthFailed) {
          // Trying again with the same password only locks the account: stop until the channel changes.
          log.warn({ reason: err.message }, 'mailbox login refused; channel stopped until its settings or credentials change');
          this.deps.onState('auth_failed', err.message);
          client.close();
          return;
        }
        if (err instanceof TlsUntrusted) {
          // Connecting again would be refused the same way: stop until the channel's trust settings change.
          const detail = `server certificate not trusted (${err.message}); set settings.tlsCa to the server's CA or certificate, or tlsVerify: false`;
          log.warn({ reason: err.message }, 'mailbox certificate not trusted; channel stopped until its settings change');
          this.deps.onState('tls_untrusted', detail);
          client.close();
          return;
        }
        if (!this.stopping) log.warn({ err: describe(err), synced }, 'mailbox connection lost');
        // Consecutive failures without one good sync grow the wait; a connection that worked starts over.
        failures = synced ? 1 : failures + 1;
        this.lastError = describe(err);
      } finally {
        this.client = null;
        client.close();
      }
      if (this.stopping) break;
      failures = Math.max(failures, 1);
      const delay = Math.min(this.opts.backoffMaxMs, this.opts.backoffMinMs * 2 ** (failures - 1));
      const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
      this.deps.onState('backing_off', `retry in ${Math.round(jittered / 1000)} s${this.lastError ? `: ${this.lastError}` : ''}`);
      this.pendingWake = false;
      this.wakeSignal = this.newSignal();
      await sleep(jittered, this.wakeSignal);
    }
  }

  private lastError: string | null = null;

  private async ensureFolder(client: ImapFlow, folder: string): Promise<void> {
    const list = await client.list();
    if (!list.some((m) => m.path === folder)) await client.mailboxCreate(folder);
  }

  /** Takes everything new in the folder, batch by batch, until nothing is left. */
  private async sync(client: ImapFlow, log: Logger): Promise<void> {
    const s = this.channel.settings;
    const lock = await client.getMailboxLock(this.folder);
    try {
      const box = client.mailbox;
      if (!box) throw new Error(`mailbox ${this.folder} not selected`);
      const uidValidity = BigInt(box.uidValidity);
      // A mailbox deleted and created again (rebuilt, restored from a backup) while selected is not always
      // reported to the session that has it open, which would go on reading the new mailbox's UIDs under the
      // old UIDVALIDITY. Asking costs one round trip per sync; a stale view starts a new session.
      const current = await client.status(this.folder, { uidValidity: true });
      if (current && current.uidValidity !== undefined && BigInt(current.uidValidity) !== uidValidity) {
        throw new Error(`UIDVALIDITY of ${this.folder} changed under the open session (${uidValidity} → ${current.uidValidity})`);
      }
      let cp = await this.deps.checkpoints.get(this.channel.id, this.folder);
      if (!cp || cp.uidValidity !== uidValidity) {
        if (cp) log.warn({ was: cp.uidValidity.toString(), now: uidValidity.toString() }, 'UIDVALIDITY changed: reading the mailbox again from the start');
        cp = await this.deps.checkpoints.restart(this.channel.id, this.folder, uidValidity);
      }
      let lastUid = cp.lastUid;
      for (;;) {
        if (this.stopping) return;
        const from = lastUid + 1;
        const query = s.ackMode === 'flag' ? { uid: `${from}:*`, unKeyword: s.ackKeyword, deleted: false } : { uid: `${from}:*`, deleted: false };
        const found = (await client.search(query, { uid: true })) || [];
        // "n:*" also matches the highest UID when it is below n.
        const uids = found.filter((u) => u >= from).sort((a, b) => a - b);
        if (!uids.length) return;
        for (let i = 0; i < uids.length; i += this.opts.fetchBatch) {
          if (this.stopping) return;
          const batch = uids.slice(i, i + this.opts.fetchBatch);
          await this.takeBatch(client, batch, uidValidity);
          if (this.stopping) return;
          await this.deps.beforeAck?.(batch);
          // A runner told to stop acknowledges nothing more; what it recorded is taken again next time.
          if (this.stopping) return;
          await this.acknowledge(client, batch);
          lastUid = batch[batch.length - 1];
          const kept = await this.deps.checkpoints.advance(this.channel.id, this.folder, uidValidity, lastUid);
          if (!kept) throw new Error('checkpoint moved to another UIDVALIDITY meanwhile');
        }
      }
    } finally {
      lock.release();
    }
  }

  /** Fetches and records one batch of UIDs; resolves when every message's outcome is durable. */
  private async takeBatch(client: ImapFlow, uids: number[], uidValidity: bigint): Promise<void> {
    const sizes = await client.fetchAll(uidSet(uids), { uid: true, size: true }, { uid: true });
    const small: { uid: number; size: number }[] = [];
    const big: number[] = [];
    for (const m of sizes) {
      if ((m.size ?? 0) > this.opts.maxMessageBytes) big.push(m.uid);
      else small.push({ uid: m.uid, size: m.size ?? 0 });
    }
    // Bodies in groups of bounded bytes; a group is recorded while the next one is fetched.
    const groups: number[][] = [];
    let group: number[] = [];
    let bytes = 0;
    for (const m of small) {
      if (group.length && bytes + m.size > this.opts.fetchBatchBytes) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(m.uid);
      bytes += m.size;
    }
    if (group.length) groups.push(group);

    // Bodies of one group are recorded while the next group is fetched; at most two groups are held.
    let failure: unknown = null;
    const inFlight: Promise<void>[] = [];
    for (const g of groups) {
      if (failure) break;
      const messages: FetchMessageObject[] = await client.fetchAll(uidSet(g), { uid: true, source: true }, { uid: true });
      // A UID expunged by someone else between SEARCH and FETCH simply does not come back.
      const recorded = Promise.all(messages.filter((m) => m.source).map((m) => this.take(m.uid, m.source!, uidValidity))).then(
        () => undefined,
        (err) => {
          failure ??= err;
        },
      );
      inFlight.push(recorded);
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    for (const uid of big) await this.takeOversize(client, uid, uidValidity);
  }

  private async take(uid: number, raw: Buffer, uidValidity: bigint, oversize?: Parameters<EmailIntake['take']>[0]['oversize']): Promise<void> {
    const outcome = await this.deps.intake.take({
      channelId: this.channel.id,
      raw,
      origin: `${this.folder}/${uidValidity}/${uid}`,
      parse: this.opts.parse,
      oversize,
    });
    this.deps.onOutcome?.(outcome, 1);
  }

  /**
   * A message over the cap: the whole original streamed to the blob store, the header and the parts that
   * fit fetched by part number into a stand-in that the parser reads; the rest listed as refused.
   */
  private async takeOversize(client: ImapFlow, uid: number, uidValidity: bigint): Promise<void> {
    const head = await client.fetchOne(String(uid), { uid: true, headers: true, bodyStructure: true, size: true }, { uid: true });
    if (!head || !head.headers) return;
    const download = await client.download(String(uid), undefined, { uid: true });
    if (!download.content) return;
    const stored = await this.deps.blobs.putStream(download.content);
    const budget = Math.max(0, this.opts.maxMessageBytes - head.headers.length - 4096);
    const plan = planOversize((head.bodyStructure ?? { type: 'application/octet-stream' }) as StructureNode, {
      maxPartBytes: Math.min(budget, Math.ceil((this.opts.parse.maxAttachmentBytes ?? budget) * 1.4)),
      budgetBytes: budget,
    });
    const parts: { node: StructureNode; content: Buffer; binary: boolean }[] = [];
    if (plan.include.length) {
      const fetched = await client.fetchOne(String(uid), { uid: true, bodyParts: plan.include.map((n) => n.part!) }, { uid: true });
      for (const node of plan.include) {
        const content = fetched && fetched.bodyParts?.get(node.part!);
        if (content) parts.push({ node, content, binary: fetched.binaryParts?.has(node.part!) ?? false });
      }
    }
    const standIn = buildStandIn(head.headers, parts);
    this.deps.onOutcome?.('oversize', 1);
    await this.take(uid, standIn, uidValidity, { blobKey: stored.blobKey, size: stored.size, sha256: stored.sha256, refused: plan.refused });
  }

  /** Flags or moves the batch; throws unless the server confirmed it. */
  private async acknowledge(client: ImapFlow, uids: number[]): Promise<void> {
    const s = this.channel.settings;
    const set = uidSet(uids);
    if (s.ackMode === 'flag') {
      const ok = await client.messageFlagsAdd(set, ['\\Seen', s.ackKeyword], { uid: true });
      if (!ok) throw new Error(`the server did not set ${s.ackKeyword} on ${uids.length} message(s)`);
      return;
    }
    // imapflow falls back to COPY + \Deleted + EXPUNGE where the server lacks MOVE, and answers false
    // when any step failed.
    const moved = await client.messageMove(set, s.moveTo!, { uid: true });
    if (!moved) throw new Error(`the server did not move ${uids.length} message(s) to ${s.moveTo}`);
  }
}
