import { wechatSenderOf, WechatChannelSettings } from '@huiliu/adapters';
import type { ConversationService, PendingReplies, ReplyQueue } from '@huiliu/intake';
import type { AppConfig, Logger } from '@huiliu/platform';
import type { ChannelRepository } from '@huiliu/store';
import type { Runner } from '../runners';

const HOUR = 3600_000;

/**
 * Closes drafts whose quiet period has ended even when their chat says nothing more: every
 * CONVERSATION_TICK_MS it asks Postgres for the conversations that are due (any worker may do it; each
 * conversation is taken by one), records them, and queues the receipts for the replies processor, which
 * sends them into Telegram chats and, as customer-service messages, to WeChat followers. A WeChat channel
 * without an AppSecret cannot send on its own: its follower sees the receipt by asking (查询).
 */
export class ConversationCloser implements Runner {
  readonly name = 'conversation-closer';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private stopped = false;
  /** WeChat channels already named in the log as unable to send receipts (said once per process). */
  private readonly mute = new Set<string>();

  constructor(private readonly deps: { service: ConversationService; channels: ChannelRepository; replies: ReplyQueue; config: AppConfig; logger: Logger }) {}

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

  /** One pass: close everything due now (in pages), then queue the answers. */
  async tick(now = Date.now()): Promise<number> {
    const { service, logger } = this.deps;
    let total = 0;
    try {
      for (let page = 0; page < 50 && !this.stopped; page++) {
        const { closed, replies } = await service.closeDue(now, 200);
        total += closed;
        await this.queue(replies);
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

  private async queue(replies: PendingReplies[]): Promise<void> {
    const sendable = new Map<string, boolean>();
    const jobs = [];
    for (const r of replies) {
      if (r.channelType === 'wechat') {
        if (!sendable.has(r.channelId)) sendable.set(r.channelId, await this.wechatCanSend(r.channelId));
        if (!sendable.get(r.channelId)) continue;
      }
      jobs.push({ channelId: r.channelId, conversationKey: r.conversationKey, texts: r.texts, replyToRef: r.replyToRef });
    }
    try {
      await this.deps.replies.enqueue(jobs);
    } catch (err) {
      // The drafts are recorded; only these receipts are lost, and each can still be asked for with /status.
      this.deps.logger.error({ err: (err as Error).message, receipts: jobs.length }, 'receipts of quietly closed drafts not queued');
    }
  }

  private async wechatCanSend(channelId: string): Promise<boolean> {
    const c = await this.deps.channels.findByIdOrName(channelId);
    const settings = WechatChannelSettings.safeParse(c?.settings ?? {});
    if (c && settings.success && wechatSenderOf(settings.data, c.credentials)) return true;
    if (!this.mute.has(channelId)) {
      this.mute.add(channelId);
      this.deps.logger.warn(
        { channel: c?.name ?? channelId },
        'wechat channel has no appSecret (and appId): receipts of drafts closed by the quiet period are not sent; followers get them by asking (查询). Add credentials.appSecret to send them as customer-service messages',
      );
    }
    return false;
  }
}
