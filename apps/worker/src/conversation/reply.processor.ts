import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  isTelegramApiError,
  TelegramBotClient,
  telegramSettingsOf,
  WechatApiClient,
  WechatApiError,
  wechatSenderOf,
  wechatSettingsOf,
  type WechatTokenCache,
} from '@huiliu/adapters';
import { QUEUES } from '@huiliu/contracts';
import type { ReplySend } from '@huiliu/intake';
import type { AppConfig } from '@huiliu/platform';
import type { ChannelEntity, ChannelRepository } from '@huiliu/store';

/** Answers sent at once; each is one small request to a chat platform. */
const CONCURRENCY = 4;

interface Sender {
  fingerprint: string;
  send(conversationKey: string, text: string, replyToRef: string | null): Promise<void>;
}

/**
 * Sends the answers no request is waiting for (the receipt of a draft closed by its quiet period): into a
 * Telegram chat through the bot, to a WeChat follower as a customer-service message. A failure is retried
 * by the queue with backoff; one no retry can cure (the follower unsubscribed, the bot was blocked, the
 * 48-hour window passed) ends the job as failed, with the reason. The texts of a job go out in order, and
 * a retry starts after the last one sent.
 */
export class ReplyProcessor {
  private worker: Worker<ReplySend> | null = null;
  private readonly senders = new Map<string, Sender>();

  constructor(private readonly deps: { connection: Redis; config: AppConfig; channels: ChannelRepository; tokens: WechatTokenCache; logger: Logger }) {}

  start(): void {
    const { config, logger } = this.deps;
    this.worker = new Worker<ReplySend>(QUEUES.replies, (job) => this.handle(job), { connection: this.deps.connection, prefix: config.QUEUE_PREFIX, concurrency: CONCURRENCY });
    this.worker.on('failed', (job, err) => {
      if (job) logger.warn({ jobId: job.id, channelId: job.data.channelId, attempt: job.attemptsMade, err: err.message }, 'chat reply not sent');
    });
    this.worker.on('error', (err) => logger.error({ err }, 'replies worker error'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }

  async handle(job: Job<ReplySend>): Promise<{ sent: number }> {
    const { channelId, conversationKey, texts, replyToRef } = job.data;
    const channel = await this.deps.channels.findByIdOrName(channelId);
    if (!channel) throw new UnrecoverableError(`channel ${channelId} no longer exists`);
    const sender = this.senderOf(channel);
    let sent = typeof job.progress === 'number' ? job.progress : 0;
    for (; sent < texts.length; sent++) {
      try {
        await sender.send(conversationKey, texts[sent], replyToRef);
      } catch (err) {
        if (err instanceof WechatApiError && err.permanent) throw new UnrecoverableError(err.message);
        if (isTelegramApiError(err, 403) || isTelegramApiError(err, 400)) throw new UnrecoverableError(`telegram refused the message: ${err.description}`);
        throw err;
      }
      await job.updateProgress(sent + 1);
    }
    return { sent };
  }

  /** The channel's client, kept while its settings and credentials stay the same (a token cached inside). */
  private senderOf(channel: ChannelEntity): Sender {
    if (channel.type === 'telegram') {
      const token = typeof channel.credentials.token === 'string' ? channel.credentials.token : '';
      if (!token) throw new UnrecoverableError(`telegram channel ${channel.name} has no bot token`);
      const settings = telegramSettingsOf(channel.settings);
      return this.cached(channel.id, JSON.stringify(['telegram', token, settings.apiRoot]), () => {
        const bot = new TelegramBotClient(token, settings.apiRoot);
        return (key, text, replyTo) => bot.sendTexts(key, [text], replyTo);
      });
    }
    if (channel.type === 'wechat') {
      const who = wechatSenderOf(wechatSettingsOf(channel.settings), channel.credentials);
      if (!who) throw new UnrecoverableError(`wechat channel ${channel.name} has no appSecret and appId: it cannot send customer-service messages`);
      return this.cached(channel.id, JSON.stringify(['wechat', who]), () => {
        const api = new WechatApiClient({ ...who, tokens: this.deps.tokens });
        return (openId, text) => api.sendText(openId, text);
      });
    }
    throw new UnrecoverableError(`channel ${channel.name} is a ${channel.type} channel; it has no chats to answer`);
  }

  private cached(channelId: string, fingerprint: string, make: () => Sender['send']): Sender {
    const current = this.senders.get(channelId);
    if (current?.fingerprint === fingerprint) return current;
    const sender = { fingerprint, send: make() };
    this.senders.set(channelId, sender);
    return sender;
  }
}
