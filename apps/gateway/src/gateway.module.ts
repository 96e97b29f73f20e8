import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule } from '@huiliu/intake';
import { createRegistry, GatewayMetrics, type AppConfig, type Logger } from '@huiliu/platform';
import { ChannelsController } from './admin/channels.controller';
import { DeadLettersController } from './admin/dead-letters.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { SubmissionsController } from './submissions/submissions.controller';
import { CorrectionsController } from './corrections/corrections.controller';
import { CasesController } from './cases/cases.controller';
import { AdminGuard } from './admin/admin.guard';
import { importProviders } from '@huiliu/intake';
import { ImportsController } from './imports/imports.controller';
import { RegistrationsController } from './registrations/registrations.controller';
import { WebhookDryRunController, WebhookSourcesController, webhookSourcesProviders } from './webhook-sources';
import { ConversationModule } from '@huiliu/intake';
import { TelegramWebhookController } from './telegram/telegram-webhook.controller';
import { WechatPushController } from './wechat/wechat-push.controller';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CoreModule.forRoot(config, logger, 'gateway'), ConversationModule],
      controllers: [SubmissionsController, CorrectionsController, CasesController, ChannelsController, DeadLettersController, HealthController, MetricsController, WebhookSourcesController, WebhookDryRunController, ImportsController, RegistrationsController, TelegramWebhookController, WechatPushController],
      providers: [AdminGuard, { provide: GatewayMetrics, useFactory: () => new GatewayMetrics(createRegistry('gateway')) }, ...webhookSourcesProviders(config), ...importProviders],
    };
  }
}
