import type { INestApplicationContext, Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AppConfig, BlobStore, Logger } from '@huiliu/platform';
import { ChannelRepository, ImportRepository, SubmissionRepository } from '@huiliu/store';
import { InboxRecorder } from '../inbox-recorder';
import { IntakeQueue } from '../intake-queue';
import { BLOB_STORE, CONFIG, DATA_SOURCE, LOGGER, REDIS } from '../tokens';
import { ImportQueue } from './import-queue';
import { Importer } from './importer';
import { RegistrationService } from './registration.service';

/** The importer over the shared plumbing of a process (worker, CLI, benchmark). */
export function createImporter(app: INestApplicationContext): Importer {
  const config = app.get<AppConfig>(CONFIG);
  return new Importer({
    imports: new ImportRepository(app.get<DataSource>(DATA_SOURCE)),
    submissions: app.get(SubmissionRepository),
    channels: app.get(ChannelRepository),
    blobs: app.get<BlobStore>(BLOB_STORE),
    intake: app.get(IntakeQueue),
    logger: app.get<Logger>(LOGGER),
    settings: config,
  });
}

/** Nest providers for the gateway's import and registration endpoints (CoreModule supplies the plumbing). */
export const importProviders: Provider[] = [
  { provide: ImportRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new ImportRepository(ds) },
  { provide: ImportQueue, inject: [REDIS, CONFIG], useFactory: (redis: Redis, config: AppConfig) => new ImportQueue(redis, config.QUEUE_PREFIX) },
  {
    provide: Importer,
    inject: [ImportRepository, SubmissionRepository, ChannelRepository, BLOB_STORE, IntakeQueue, LOGGER, CONFIG],
    useFactory: (imports: ImportRepository, submissions: SubmissionRepository, channels: ChannelRepository, blobs: BlobStore, intake: IntakeQueue, logger: Logger, config: AppConfig) =>
      new Importer({ imports, submissions, channels, blobs, intake, logger, settings: config }),
  },
  {
    provide: RegistrationService,
    inject: [InboxRecorder, ImportRepository, SubmissionRepository, BLOB_STORE, DATA_SOURCE, CONFIG],
    useFactory: (recorder: InboxRecorder, imports: ImportRepository, submissions: SubmissionRepository, blobs: BlobStore, dataSource: DataSource, config: AppConfig) =>
      new RegistrationService({ recorder, imports, submissions, blobs, dataSource, maxPageBytes: config.REGISTRATION_MAX_BYTES }),
  },
];
