import { TelegramBotClient, telegramSettingsOf } from '@huiliu/adapters';
import type { ConversationService, PendingReplies } from '@huiliu/intake';
import type { AppConfig, Logger } from '@huiliu/platform';
import type { ChannelRepository } from '@huiliu/store';
import type { Runner } from '../runners';

const HOUR = 3600_000;

/**
 * Closes drafts whose quiet period has ended even when their chat says nothing more: every
 * CONVERSATION_TICK_MS it asks Postgres for the conversations that are due (any worker may do it; each
 * conversation is taken by one), records them, and sends the receipt numbers into Telegram chats. A WeChat
 * follower can only be answered in the reply to a push, so a quietly closed WeChat draft gets its receipt
 * when the follower next writes or asks (查询).
 */
export class ConversationCloser implements Runner {
  readonly name = 'conversation-closer';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private stopped = false;

  constructor(private readonly deps: { service: ConversationService; channels: ChannelRepository; config: AppConfig; logger: Logger }) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.tick()));
    }, this.deps.config.CONVERSATION_TICK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass: close everything due now (in pages), then send the answers. */
  async tick(now = Date.now()): Promise<number> {
    const { service, logger } = this.deps;
    let total = 0;
    try {
      for (let page = 0; page < 50 && !this.stopped; page++) {
        const { closed, replies } = await service.closeDue(now, 200);
        total += closed;
        await this.send(replies);
        if (closed < 200) break;
      }
      if (now - this.lastPrune > HOUR) {
        this.lastPrune = now;
        await service.pruneInbound();
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'closing quiet drafts failed; trying again on the next tick');
    }
    return total;
  }

  private async send(replies: PendingReplies[]): Promise<void> {
    const bots = new Map<string, TelegramBotClient | null>();
    for (const r of replies) {
      if (r.channelType !== 'telegram') continue;
      if (!bots.has(r.channelId)) {
        const c = await this.deps.channels.findByIdOrName(r.channelId);
        const token = typeof c?.credentials.token === 'string' ? c.credentials.token : '';
        bots.set(r.channelId, c && token ? new TelegramBotClient(token, telegramSettingsOf(c.settings).apiRoot) : null);
      }
      const bot = bots.get(r.channelId);
      if (!bot) continue;
      await bot.sendTexts(r.conversationKey, r.texts).catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'telegram receipt not sent'));
    }
  }
}
