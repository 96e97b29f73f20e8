import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule } from '@huiliu/intake';
import { createRegistry, GatewayMetrics, type AppConfig, type Logger } from '@huiliu/platform';
import { ChannelsController } from './admin/channels.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { SubmissionsController } from './submissions/submissions.controller';
import { AdminGuard } from './admin/admin.guard';

@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CoreModule.forRoot(config, logger, 'gateway')],
      controllers: [SubmissionsController, ChannelsController, HealthController, MetricsController],
      providers: [AdminGuard, { provide: GatewayMetrics, useFactory: () => new GatewayMetrics(createRegistry('gateway')) }],
    };
  }
}
