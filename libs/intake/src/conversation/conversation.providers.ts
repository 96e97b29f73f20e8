import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { AppConfig } from '@huiliu/platform';
import { ConversationRepository } from '@huiliu/store';
import type { InboxRecorder, RecordOutcome } from '../inbox-recorder';
import type { IntakeQueue } from '../intake-queue';
import type { ConversationChannel } from './conversation-channel';
import { ConversationService } from './conversation.service';
import { MediaQueue } from './media-queue';

export interface ConversationParts {
  repo: ConversationRepository;
  media: MediaQueue;
  service: ConversationService;
  close(): Promise<void>;
}

/** Downloads to queue for recorded Telegram submissions: every attachment still holding only a file id. */
export function mediaJobsOf(channel: ConversationChannel, recorded: RecordOutcome[]) {
  if (channel.type !== 'telegram') return [];
  return recorded.flatMap((r) =>
    r.submission.attachments.flatMap((a, attachmentIndex) =>
      a.sourceRef && !a.blobKey && !a.refused ? [{ submissionId: r.id, attachmentIndex, fileId: a.sourceRef, channelId: channel.id }] : [],
    ),
  );
}

/**
 * The conversation service with its repository and the media queue, built from the shared plumbing (the
 * gateway's Nest module and the worker's runners use the same wiring).
 */
export function createConversationParts(deps: { ds: DataSource; redis: Redis; recorder: InboxRecorder; intake: IntakeQueue; config: AppConfig; logger: Logger }): ConversationParts {
  const repo = new ConversationRepository(deps.ds);
  const media = new MediaQueue(deps.redis, deps.config.QUEUE_PREFIX);
  const service = new ConversationService(
    {
      repo,
      recorder: deps.recorder,
      intake: deps.intake,
      logger: deps.logger,
      hooks: {
        onRecorded: async (channel, recorded) => {
          const jobs = mediaJobsOf(channel, recorded);
          if (jobs.length) await media.enqueue(jobs);
        },
      },
    },
    { batchSize: deps.config.CONVERSATION_BATCH_SIZE },
  );
  return {
    repo,
    media,
    service,
    async close() {
      await service.close();
      await media.close();
    },
  };
}
