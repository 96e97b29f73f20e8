import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AppConfig, Logger } from '@huiliu/platform';
import { InboxRecorder } from '../inbox-recorder';
import { IntakeQueue } from '../intake-queue';
import { CONFIG, DATA_SOURCE, LOGGER, REDIS } from '../tokens';
import { createConversationParts, type ConversationParts } from './conversation.providers';
import { ConversationService } from './conversation.service';
import { MediaQueue } from './media-queue';

export const CONVERSATION_PARTS = Symbol('CONVERSATION_PARTS');

/** Chat channels in a Nest application (the gateway): the conversation service and the media queue. */
@Global()
@Module({
  providers: [
    {
      provide: CONVERSATION_PARTS,
      inject: [DATA_SOURCE, REDIS, InboxRecorder, IntakeQueue, CONFIG, LOGGER],
      useFactory: (ds: DataSource, redis: Redis, recorder: InboxRecorder, intake: IntakeQueue, config: AppConfig, logger: Logger) =>
        createConversationParts({ ds, redis, recorder, intake, config, logger }),
    },
    { provide: ConversationService, inject: [CONVERSATION_PARTS], useFactory: (p: ConversationParts) => p.service },
    { provide: MediaQueue, inject: [CONVERSATION_PARTS], useFactory: (p: ConversationParts) => p.media },
  ],
  exports: [ConversationService, MediaQueue, CONVERSATION_PARTS],
})
export class ConversationModule implements OnApplicationShutdown {
  constructor(@Inject(CONVERSATION_PARTS) private readonly parts: ConversationParts) {}

  async onApplicationShutdown(): Promise<void> {
    await this.parts.close().catch(() => undefined);
  }
}
