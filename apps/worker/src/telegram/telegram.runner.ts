import type { Redis } from 'ioredis';
import { TelegramBotClient, telegramSettingsOf } from '@huiliu/adapters';
import { conversationChannelOf, type ConversationService } from '@huiliu/intake';
import type { AppConfig, Logger } from '@huiliu/platform';
import type { ChannelRepository } from '@huiliu/store';
import type { Runner } from '../runners';
import { ALLOWED_UPDATES, TelegramPoller } from './telegram-poller';

/**
 * Runs every enabled Telegram channel: a lease-guarded long poller for a channel in polling mode, the
 * webhook registration (setWebhook with its secret) for one in webhook mode. Channels are data: the
 * runner looks again every TELEGRAM_SUPERVISE_MS and starts, stops or restarts bots as operators change them.
 */
export class TelegramRunner implements Runner {
  readonly name = 'telegram';
  private timer: NodeJS.Timeout | null = null;
  private readonly pollers = new Map<string, { fingerprint: string; poller: TelegramPoller }>();
  private readonly webhooks = new Map<string, string>();
  private supervising: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: { redis: Redis; channels: ChannelRepository; service: ConversationService; config: AppConfig; logger: Logger },
  ) {}

  async start(): Promise<void> {
    await this.supervise();
    this.timer = setInterval(() => {
      this.supervising = this.supervising.then(() => this.supervise());
    }, this.deps.config.TELEGRAM_SUPERVISE_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.supervising;
    await Promise.all([...this.pollers.values()].map((p) => p.poller.stop()));
    this.pollers.clear();
  }

  /** The pollers running in this process (tests look at which replica holds a bot). */
  running(): TelegramPoller[] {
    return [...this.pollers.values()].map((p) => p.poller);
  }

  private async supervise(): Promise<void> {
    if (this.stopped) return;
    const { channels, config, logger } = this.deps;
    let list;
    try {
      list = (await channels.list()).filter((c) => c.type === 'telegram');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'telegram channels not listed');
      return;
    }
    const wanted = new Set<string>();
    for (const c of list) {
      const token = typeof c.credentials.token === 'string' ? c.credentials.token : '';
      if (!c.enabled || !token) continue;
      let settings;
      try {
        settings = telegramSettingsOf(c.settings);
      } catch (err) {
        logger.error({ channel: c.name, err: (err as Error).message }, 'telegram channel misconfigured; not started');
        continue;
      }
      const secret = typeof c.credentials.webhookSecret === 'string' ? c.credentials.webhookSecret : '';
      const fingerprint = JSON.stringify([settings, token, secret]);
      if (settings.mode === 'webhook') {
        if (this.webhooks.get(c.id) !== fingerprint) {
          const bot = new TelegramBotClient(token, settings.apiRoot);
          try {
            await bot.patient.setWebhook({ url: settings.webhookUrl!, secret_token: secret || undefined, allowed_updates: ALLOWED_UPDATES });
            this.webhooks.set(c.id, fingerprint);
            logger.info({ channel: c.name }, 'telegram webhook registered');
          } catch (err) {
            logger.warn({ channel: c.name, err: (err as Error).message }, 'setWebhook failed; trying again');
          }
        }
        continue;
      }
      this.webhooks.delete(c.id);
      wanted.add(c.id);
      const current = this.pollers.get(c.id);
      if (current?.fingerprint === fingerprint) continue;
      if (current) await current.poller.stop();
      const poller = new TelegramPoller(
        { redis: this.deps.redis, service: this.deps.service, logger },
        { channel: conversationChannelOf(c), name: c.name, token, settings },
        { queuePrefix: config.QUEUE_PREFIX, lockTtlMs: config.TELEGRAM_LOCK_TTL_MS, backoffMaxMs: config.TELEGRAM_BACKOFF_MAX_MS },
      );
      this.pollers.set(c.id, { fingerprint, poller });
      poller.start();
    }
    for (const [id, p] of this.pollers) {
      if (wanted.has(id)) continue;
      await p.poller.stop();
      this.pollers.delete(id);
    }
  }
}
