import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AdapterRegistry, WebAdapter } from '@huiliu/adapters';
import { WebhookAdapter } from '@huiliu/adapters';
import { EmailAdapter } from '@huiliu/adapters';
import { TelegramAdapter, WechatAdapter } from '@huiliu/adapters';
import { HotlineAdapter, LetterAdapter, TransferAdapter, VisitAdapter } from '@huiliu/adapters';
import { createRedis, FsBlobStore, type AppConfig, type Logger } from '@huiliu/platform';
import { CaseService } from './dedup/case-service';
import { dedupSettingsFor } from './stages';
import { CaseRepository, ChannelRepository, CorrectionRepository, createDataSource, SubmissionRepository } from '@huiliu/store';
import { InboxRecorder } from './inbox-recorder';
import { IntakeQueue } from './intake-queue';
import { BLOB_STORE, CONFIG, DATA_SOURCE, LOGGER, REDIS } from './tokens';
import { limitHeapGrowth } from './import/heap-growth.util';

/** Every adapter the house knows, registered once by channel type. */
export function createAdapterRegistry(): AdapterRegistry {
  return new AdapterRegistry([new WebAdapter(), new HotlineAdapter(), new LetterAdapter(), new VisitAdapter(), new TransferAdapter(), new WebhookAdapter(), new EmailAdapter(), new TelegramAdapter(), new WechatAdapter()]);
}

/**
 * The shared plumbing every process uses: config, logger, Postgres, Redis, blob store, repositories,
 * the intake queue and the inbox recorder. Closed in reverse order on shutdown.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  static forRoot(config: AppConfig, logger: Logger, role: 'gateway' | 'worker' | 'cli'): DynamicModule {
    // Before the context is built, so the collections of start-up already apply it (it acts at each full GC).
    if (role !== 'gateway') limitHeapGrowth(config.IMPORT_HEAP_GROWTH_PERCENT);
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: DATA_SOURCE,
          useFactory: async () => createDataSource(config.DATABASE_URL, { poolSize: role === 'cli' ? 4 : 12, applicationName: `huiliu-${role}` }).initialize(),
        },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL, role === 'worker' ? 'worker' : 'producer') },
        { provide: BLOB_STORE, useFactory: () => new FsBlobStore(config.BLOB_ROOT) },
        { provide: SubmissionRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new SubmissionRepository(ds) },
        { provide: ChannelRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new ChannelRepository(ds) },
        { provide: CaseRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new CaseRepository(ds) },
        { provide: CorrectionRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new CorrectionRepository(ds) },
        { provide: CaseService, inject: [DATA_SOURCE, CaseRepository], useFactory: (ds: DataSource, cases: CaseRepository) => new CaseService(ds, cases, dedupSettingsFor(config)) },
        { provide: IntakeQueue, inject: [REDIS], useFactory: (redis: Redis) => new IntakeQueue(redis, config.QUEUE_PREFIX) },
        { provide: AdapterRegistry, useFactory: createAdapterRegistry },
        {
          provide: InboxRecorder,
          inject: [SubmissionRepository, BLOB_STORE, IntakeQueue],
          useFactory: (repo: SubmissionRepository, blobs: FsBlobStore, intake: IntakeQueue) =>
            new InboxRecorder({ repo, blobs, intake, logger }, { batchMs: config.INBOX_BATCH_MS, batchSize: config.INBOX_BATCH_SIZE }),
        },
      ],
      exports: [CONFIG, LOGGER, DATA_SOURCE, REDIS, BLOB_STORE, SubmissionRepository, ChannelRepository, CaseRepository, CaseService, CorrectionRepository, IntakeQueue, AdapterRegistry, InboxRecorder],
    };
  }

  constructor(
    @Inject(InboxRecorder) private readonly recorder: InboxRecorder,
    @Inject(IntakeQueue) private readonly intake: IntakeQueue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(BLOB_STORE) private readonly blobs: FsBlobStore,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.recorder.close().catch(() => undefined);
    await this.intake.close().catch(() => undefined);
    await this.blobs.close().catch(() => undefined);
    this.redis.disconnect();
    if (this.ds.isInitialized) await this.ds.destroy().catch(() => undefined);
  }
}
