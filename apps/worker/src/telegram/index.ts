import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { BLOB_STORE, createConversationParts, DATA_SOURCE, InboxRecorder, IntakeQueue, REDIS, RedisWechatTokenCache, ReplyQueue } from '@huiliu/intake';
import type { BlobStore } from '@huiliu/platform';
import { ChannelRepository } from '@huiliu/store';
import { ConversationCloser } from '../conversation/conversation-closer.runner';
import { ReplyProcessor } from '../conversation/reply.processor';
import type { Runner, RunnerDeps } from '../runners';
import { MediaProcessor } from './media.processor';
import { TelegramRunner } from './telegram.runner';

/**
 * The chat channels' work in the worker: the Telegram bots (polling or webhook registration), the closer
 * of quiet drafts (Telegram and WeChat), the answers it queues, and the media downloads. One conversation
 * service serves them all.
 */
export function chatChannelRunners(deps: RunnerDeps): Runner[] {
  const { app, config, logger } = deps;
  const redis = app.get<Redis>(REDIS);
  const channels = app.get(ChannelRepository);
  const parts = createConversationParts({
    ds: app.get<DataSource>(DATA_SOURCE),
    redis,
    recorder: app.get(InboxRecorder),
    intake: app.get(IntakeQueue),
    config,
    logger,
  });
  const media = new MediaProcessor({ connection: redis, config, channels, repo: parts.repo, blobs: app.get<BlobStore>(BLOB_STORE), logger });
  const telegram = new TelegramRunner({ redis, channels, service: parts.service, config, logger });
  const replyQueue = new ReplyQueue(redis, config.QUEUE_PREFIX);
  const replies = new ReplyProcessor({ connection: redis, config, channels, tokens: new RedisWechatTokenCache(redis, config.QUEUE_PREFIX), logger });
  const closer = new ConversationCloser({ service: parts.service, channels, replies: replyQueue, config, logger });
  const runners: Runner[] = [
    { name: 'replies', start: () => replies.start(), stop: async () => void (await Promise.all([replies.close(), replyQueue.close()])) },
    closer,
    { name: 'media', start: () => media.start(), stop: () => media.close() },
  ];
  if (config.TELEGRAM_RUNNER) runners.push(telegram);
  // Stopped last (runners stop in reverse): the service flushes what the others handed it.
  runners.unshift({ name: 'conversations', start: () => undefined, stop: () => parts.close() });
  return runners;
}

export { TelegramRunner, MediaProcessor, ConversationCloser, ReplyProcessor };
