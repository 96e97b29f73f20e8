import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Counter, Gauge } from 'prom-client';
import { BLOB_STORE, ChannelStateStore, CHANNEL_STATES, DATA_SOURCE, EmailIntake, EmailSupervisor, InboxRecorder, REDIS, type ChannelRunState, type EmailSupervisorDeps } from '@huiliu/intake';
import type { BlobStore } from '@huiliu/platform';
import { ChannelRepository, DeadLetterRepository, MailboxCheckpointRepository } from '@huiliu/store';
import type { Runner, RunnerDeps } from '../runners';

/**
 * The e-mail channel's runner: one supervisor that keeps a mailbox connection per enabled e-mail channel.
 * Off with EMAIL_RUNNER=false (a worker that only judges).
 */
export class EmailRunner implements Runner {
  readonly name = 'email';
  private supervisor: EmailSupervisor | null = null;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly extra: Pick<EmailSupervisorDeps, 'beforeAck'> = {},
  ) {}

  async start(): Promise<void> {
    const { app, config, logger, metrics } = this.deps;
    if (!config.EMAIL_RUNNER) return;
    const ds = app.get<DataSource>(DATA_SOURCE);
    const blobs = app.get<BlobStore>(BLOB_STORE);
    const messages = new Counter({
      name: 'huiliu_email_messages_total',
      help: 'Messages taken from IMAP mailboxes, by channel and outcome (recorded, duplicate, dead_letter, oversize).',
      labelNames: ['channel', 'outcome'],
      registers: [metrics],
    });
    const states = new Gauge({
      name: 'huiliu_email_channel_state',
      help: 'E-mail channels as this worker runs them: 1 for the state each is in.',
      labelNames: ['channel', 'state'],
      registers: [metrics],
    });
    this.supervisor = new EmailSupervisor(
      {
        channels: app.get(ChannelRepository),
        checkpoints: new MailboxCheckpointRepository(ds),
        intake: new EmailIntake({ recorder: app.get(InboxRecorder), deadLetters: new DeadLetterRepository(ds), blobs, logger }),
        blobs,
        states: new ChannelStateStore(app.get<Redis>(REDIS), config.QUEUE_PREFIX, config.CHANNEL_STATE_HEARTBEAT_MS),
        logger: logger.child({ runner: 'email' }),
        onOutcome: (channel, outcome, n) => messages.inc({ channel, outcome }, n),
        onState: (channel, state: ChannelRunState) => {
          for (const s of CHANNEL_STATES) states.set({ channel, state: s }, s === state ? 1 : 0);
        },
        ...this.extra,
      },
      {
        watchMs: config.EMAIL_CHANNEL_WATCH_MS,
        heartbeatMs: config.CHANNEL_STATE_HEARTBEAT_MS,
        backoffMinMs: config.EMAIL_BACKOFF_MIN_MS,
        backoffMaxMs: config.EMAIL_BACKOFF_MAX_MS,
        fetchBatch: config.EMAIL_FETCH_BATCH,
        fetchBatchBytes: config.EMAIL_FETCH_BATCH_BYTES,
        maxMessageBytes: config.EMAIL_MAX_MESSAGE_BYTES,
      },
    );
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = null;
  }
}
