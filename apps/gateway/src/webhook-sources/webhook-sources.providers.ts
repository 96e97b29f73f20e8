import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@huiliu/intake';
import type { AppConfig } from '@huiliu/platform';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookReplayStore } from './webhook-replay.store';

/** What the webhook-sources controllers need, for the gateway module's providers. */
export function webhookSourcesProviders(config: AppConfig): Provider[] {
  return [WebhookIntakeService, { provide: WebhookReplayStore, inject: [REDIS], useFactory: (redis: Redis) => new WebhookReplayStore(redis, config.QUEUE_PREFIX) }];
}
