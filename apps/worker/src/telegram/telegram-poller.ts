import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { botIdOf, isTelegramApiError, nextOffset, readUpdate, TelegramBotClient, type TelegramChannelSettings, type TgUpdate } from '@huiliu/adapters';
import type { ConversationChannel, ConversationService, InboundItem } from '@huiliu/intake';
import { RedisLease } from './redis-lease';

export interface PollerTarget {
  channel: ConversationChannel;
  name: string;
  token: string;
  settings: TelegramChannelSettings;
}

export interface PollerOptions {
  queuePrefix: string;
  lockTtlMs: number;
  backoffMaxMs: number;
}

/** Update kinds the channel reads; Telegram keeps the rest away from the bot. */
export const ALLOWED_UPDATES = ['message', 'edited_message'];

/**
 * Long polling for one bot. Only the holder of the bot's lease polls, so replicas never end each other's
 * polls with 409 Conflict; the lease is renewed while polling and released on stop. A page of updates is
 * confirmed (the offset advanced, by the next getUpdates) only after the conversation service recorded it;
 * when recording fails the offset stays and Telegram sends the same updates again. A 409 that happens anyway
 * (a poller outside this deployment), a 429, a network failure: the loop waits and goes on.
 */
export class TelegramPoller {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private pollAbort: AbortController | null = null;
  private readonly lease: RedisLease;
  private readonly bot: TelegramBotClient;
  /** Set once the first page after taking the lease was confirmed: tests and health read it. */
  holding = false;

  constructor(
    private readonly deps: { redis: Redis; service: ConversationService; logger: Logger },
    readonly target: PollerTarget,
    private readonly opts: PollerOptions,
  ) {
    this.lease = new RedisLease(deps.redis, `${opts.queuePrefix}:telegram:poller:${botIdOf(target.token)}`, opts.lockTtlMs);
    this.bot = new TelegramBotClient(target.token, target.settings.apiRoot, { timeoutMs: (target.settings.pollTimeoutSeconds + 15) * 1000 });
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.pollAbort?.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const log = this.deps.logger.child({ channel: this.target.name });
    while (!this.stopped) {
      let got = false;
      try {
        got = await this.lease.acquire();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'telegram poller lease not reachable');
      }
      if (!got) {
        await this.sleep(Math.max(200, Math.floor(this.opts.lockTtlMs / 3)));
        continue;
      }
      log.info({ lease: this.lease.key }, 'telegram poller took the bot lease');
      const poll = new AbortController();
      this.pollAbort = poll;
      let lost = false;
      const renew = setInterval(() => {
        this.lease.renew().then(
          (ok) => {
            if (!ok) {
              lost = true;
              poll.abort();
            }
          },
          (err) => log.warn({ err: (err as Error).message }, 'telegram poller lease not renewed'),
        );
      }, Math.max(100, Math.floor(this.opts.lockTtlMs / 3)));
      try {
        await this.pollWhileHeld(poll.signal, log);
      } catch (err) {
        log.error({ err }, 'telegram poller failed');
      } finally {
        clearInterval(renew);
        this.holding = false;
        if (lost) log.warn('telegram poller lost its lease; another worker polls now');
        else await this.lease.release().catch(() => undefined);
      }
      if (!this.stopped) await this.sleep(100);
    }
  }

  private async pollWhileHeld(signal: AbortSignal, log: Logger): Promise<void> {
    const { service } = this.deps;
    const { channel, settings } = this.target;
    let offset: number | undefined;
    let failures = 0;
    const wait = async (ms: number) => {
      failures++;
      await this.sleep(ms, signal);
    };
    const backoff = () => Math.min(this.opts.backoffMaxMs, 500 * 2 ** Math.min(failures, 10));

    // A webhook left set by an earlier configuration would answer every poll with 409.
    try {
      await this.bot.strict.deleteWebhook({ drop_pending_updates: false }, signal);
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err: (err as Error).message }, 'deleteWebhook failed; polling anyway');
    }
    // Who this bot is, to tell a group's commands for it from those for another bot. Asked once (the client
    // keeps it); while getMe fails, polling goes on and no command addressed to a bot by name is taken in a group.
    let botUsername: string | null = null;
    while (!signal.aborted) {
      if (botUsername === null) {
        botUsername = await this.bot.botUsername(signal).catch((err) => {
          if (!signal.aborted) log.warn({ err: (err as Error).message }, 'getMe failed; asking again with the next poll');
          return null;
        });
        if (signal.aborted) return;
      }
      let updates: TgUpdate[];
      try {
        updates = (await this.bot.strict.getUpdates({ offset, timeout: settings.pollTimeoutSeconds, allowed_updates: ALLOWED_UPDATES }, signal)) as unknown as TgUpdate[];
      } catch (err) {
        if (signal.aborted) return;
        if (isTelegramApiError(err, 409)) {
          log.warn({ description: err.description }, 'getUpdates conflict: another poller or a webhook; backing off');
          await wait(backoff());
        } else if (isTelegramApiError(err, 429)) {
          await wait(Math.min(this.opts.backoffMaxMs * 10, (err.retryAfter ?? 1) * 1000));
        } else if (isTelegramApiError(err, 401) || isTelegramApiError(err, 404)) {
          log.error({ code: err.errorCode }, 'the Bot API refuses this bot token');
          await wait(this.opts.backoffMaxMs);
        } else {
          log.warn({ err: (err as Error).message }, 'getUpdates failed; retrying');
          await wait(backoff());
        }
        continue;
      }
      failures = 0;
      this.holding = true;
      if (updates.length === 0) continue;
      const items: InboundItem[] = updates
        .filter((u) => typeof u.update_id === 'number')
        .map((u) => {
          const reading = readUpdate(u, { botUsername });
          return { inboundKey: `update:${u.update_id}`, message: reading.ok ? reading.message : null, raw: u };
        });
      let outcomes;
      try {
        outcomes = await service.handle(channel, items);
      } catch (err) {
        // Not confirmed: the same updates come back with the next poll at this offset.
        log.error({ err: (err as Error).message, updates: updates.length }, 'telegram updates not recorded; they will be fetched again');
        await wait(backoff());
        continue;
      }
      offset = nextOffset(updates, offset ?? 0);
      for (const [i, o] of outcomes.entries()) {
        const msg = items[i].message;
        if (o.duplicate || !o.replies.length || !msg) continue;
        await this.bot.sendTexts(msg.conversationKey, o.replies, msg.ref).catch((err) => log.warn({ err: (err as Error).message }, 'telegram reply not sent'));
      }
    }
  }

  private sleep(ms: number, extra?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const signals = [this.abort.signal, ...(extra ? [extra] : [])];
      if (signals.some((s) => s.aborted)) return resolve();
      const done = () => {
        clearTimeout(t);
        for (const s of signals) s.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      for (const s of signals) s.addEventListener('abort', done, { once: true });
    });
  }
}
