import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { EmailChannelCredentials, EmailChannelSettings, EMAIL_PARSE_DEFAULTS, emailParseOptions, type EmailParseOptions } from '@huiliu/adapters';
import type { BlobStore } from '@huiliu/platform';
import type { ChannelEntity, ChannelRepository, MailboxCheckpointRepository } from '@huiliu/store';
import type { ChannelRunState, ChannelStateStore } from '../channel-state';
import type { EmailIntake, EmailTakeOutcome } from './email-intake';
import { MailboxRunner, type MailboxRunnerDeps, type MailboxRunnerOptions } from './mailbox.runner';

export interface EmailSupervisorOptions {
  /** How often the channels table is read for added, changed and disabled channels. */
  watchMs: number;
  heartbeatMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  fetchBatch: number;
  fetchBatchBytes: number;
  /** Default message cap; a channel's settings.maxMessageBytes overrides it. */
  maxMessageBytes: number;
  parse?: EmailParseOptions;
}

export interface EmailSupervisorDeps {
  channels: Pick<ChannelRepository, 'list'>;
  checkpoints: MailboxCheckpointRepository;
  intake: EmailIntake;
  blobs: BlobStore;
  states: ChannelStateStore;
  logger: Logger;
  onOutcome?: (channel: string, outcome: EmailTakeOutcome | 'oversize', n: number) => void;
  onState?: (channel: string, state: ChannelRunState) => void;
  beforeAck?: MailboxRunnerDeps['beforeAck'];
}

interface Slot {
  fingerprint: string;
  channel: ChannelEntity;
  runner: MailboxRunner | null;
  state: ChannelRunState;
  detail: string | null;
  since: string;
}

/**
 * Runs one MailboxRunner per enabled e-mail channel, side by side, and follows the channels table: a channel
 * added or enabled starts, one changed restarts with its new settings, one disabled or deleted stops —
 * without restarting the worker. Each channel's state is reported to the channel state store (and kept
 * fresh by a heartbeat) for /health, /metrics and the admin API.
 */
export class EmailSupervisor {
  readonly name = 'email';
  private readonly slots = new Map<string, Slot>();
  private watchTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: EmailSupervisorDeps,
    private readonly opts: EmailSupervisorOptions,
  ) {}

  async start(): Promise<void> {
    await this.reconcile();
    this.watchTimer = setInterval(() => void this.reconcile(), this.opts.watchMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
    this.watchTimer.unref();
    this.heartbeatTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.reconciling;
    await Promise.all([...this.slots.values()].map((s) => s.runner?.stop()));
    this.slots.clear();
  }

  /** Runners by channel id (for tests and diagnostics). */
  runnerOf(channelId: string): MailboxRunner | null {
    return this.slots.get(channelId)?.runner ?? null;
  }

  /** Reads the channels table once and brings the runners in line with it. Serialised. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.reconcileNow()).catch((err) => {
      this.deps.logger.warn({ err: (err as Error).message }, 'e-mail channels not re-read; trying again later');
    });
    return this.reconciling;
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopped) return;
    const channels = (await this.deps.channels.list()).filter((c) => c.type === 'email');
    const seen = new Set<string>();
    for (const c of channels) {
      // The default e-mail channel exists for file backfill and has no mailbox: not a pull channel.
      if (c.isDefault && Object.keys(c.settings ?? {}).length === 0) continue;
      seen.add(c.id);
      const fingerprint = createHash('sha256').update(JSON.stringify([c.enabled, c.name, c.settings, c.credentials])).digest('hex');
      const slot = this.slots.get(c.id);
      if (slot && slot.fingerprint === fingerprint) continue;
      if (slot?.runner) await slot.runner.stop();
      if (this.stopped) return;
      const next: Slot = { fingerprint, channel: c, runner: null, state: 'connecting', detail: null, since: new Date().toISOString() };
      this.slots.set(c.id, next);
      if (!c.enabled) {
        this.setState(next, 'disabled', null);
        continue;
      }
      const settings = EmailChannelSettings.safeParse(c.settings ?? {});
      const creds = EmailChannelCredentials.safeParse(c.credentials ?? {});
      if (!settings.success || !creds.success) {
        const problems = [
          ...(settings.success ? [] : settings.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`)),
          ...(creds.success ? [] : ['credentials.password: required']),
        ];
        this.setState(next, 'misconfigured', problems.join('; '));
        continue;
      }
      const runner = new MailboxRunner(
        { id: c.id, name: c.name, settings: settings.data, password: creds.data.password },
        {
          intake: this.deps.intake,
          checkpoints: this.deps.checkpoints,
          blobs: this.deps.blobs,
          logger: this.deps.logger,
          onState: (state, detail) => this.setState(next, state, detail),
          onOutcome: (outcome, n) => this.deps.onOutcome?.(c.name, outcome, n),
          beforeAck: this.deps.beforeAck,
        },
        this.runnerOptions(settings.data),
      );
      next.runner = runner;
      runner.start();
    }
    for (const [id, slot] of this.slots) {
      if (seen.has(id)) continue;
      await slot.runner?.stop();
      this.slots.delete(id);
      await this.deps.states.remove(id).catch(() => undefined);
    }
  }

  private runnerOptions(s: EmailChannelSettings): MailboxRunnerOptions {
    return {
      backoffMinMs: this.opts.backoffMinMs,
      backoffMaxMs: this.opts.backoffMaxMs,
      fetchBatch: this.opts.fetchBatch,
      fetchBatchBytes: this.opts.fetchBatchBytes,
      maxMessageBytes: s.maxMessageBytes ?? this.opts.maxMessageBytes,
      parse: emailParseOptions(s, { ...EMAIL_PARSE_DEFAULTS, ...this.opts.parse }),
    };
  }

  private setState(slot: Slot, state: ChannelRunState, detail: string | null): void {
    // A runner replaced by a newer one of the same channel reports no more.
    if (this.slots.get(slot.channel.id) !== slot) return;
    if (slot.state !== state) slot.since = new Date().toISOString();
    slot.state = state;
    slot.detail = detail;
    this.deps.onState?.(slot.channel.name, state);
    this.publish(slot);
  }

  private heartbeat(): void {
    for (const slot of this.slots.values()) this.publish(slot);
  }

  private publish(slot: Slot): void {
    this.deps.states
      .report({
        channelId: slot.channel.id,
        type: 'email',
        name: slot.channel.name,
        state: slot.state,
        detail: slot.detail,
        since: slot.since,
        reportedAt: new Date().toISOString(),
      })
      .catch((err) => this.deps.logger.debug({ err: (err as Error).message }, 'channel state not reported'));
  }
}
