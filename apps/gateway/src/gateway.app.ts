import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdapterRegistry } from '@huiliu/adapters';
import { IntakeQueue, seedChannels } from '@huiliu/intake';
import { NestPinoLogger, type AppConfig, type Logger } from '@huiliu/platform';
import { ChannelRepository, createDataSource, runMigrations } from '@huiliu/store';
import { GatewayModule } from './gateway.module';
import { registerRequestBodies } from './http/request-bodies';
import { queueBoard } from './ops/queue-board';

/** Applies migrations with a short-lived connection (under an advisory lock shared with the worker). */
export async function migrate(config: AppConfig, logger: Logger): Promise<void> {
  const ds = await createDataSource(config.DATABASE_URL, { poolSize: 2, applicationName: 'huiliu-migrate' }).initialize();
  try {
    const applied = await runMigrations(ds);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } finally {
    await ds.destroy();
  }
}

/**
 * The gateway runs on Fastify: the intake routes are its hot path, and Fastify's request handling costs a
 * fraction of Express's per request. No Express-style middleware is mounted (`skipMiddie`): bodies are read
 * per route (see request-bodies.ts) and the queue dashboard is a Fastify plugin.
 */
export async function createGatewayApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    skipMiddie: true,
    // As Express routed: a trailing slash does not matter. Channel names and ids are longer than find-my-way's default 100-character cap.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Node's own default, which Fastify turns off: a request (an upload included) must arrive within 5 minutes.
    requestTimeout: 300_000,
  });
  const fastify = adapter.getInstance();
  registerRequestBodies(fastify, config);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, logger), adapter, {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  await fastify.register(queueBoard([app.get(IntakeQueue).queue], config.ADMIN_TOKEN));
  if (config.CHANNELS_FILE) {
    const names = await seedChannels(config.CHANNELS_FILE, app.get(ChannelRepository), app.get(AdapterRegistry));
    logger.info({ file: config.CHANNELS_FILE, channels: names }, 'channels seeded');
  }
  return app;
}
