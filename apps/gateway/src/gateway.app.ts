import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AdapterRegistry } from '@huiliu/adapters';
import { IntakeQueue, seedChannels } from '@huiliu/intake';
import { NestPinoLogger, type AppConfig, type Logger } from '@huiliu/platform';
import { ChannelRepository, createDataSource, runMigrations } from '@huiliu/store';
import { GatewayModule } from './gateway.module';
import { queueBoard } from './ops/queue-board';
import { importBodies } from './imports/import-bodies.middleware';

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
 * Body limits are enforced before parsing: a body over BODY_LIMIT is answered 413 without being read
 * into memory. The intake route keeps the raw bytes (they are stored as the raw original).
 */
function bodyParsers(app: INestApplication, config: AppConfig) {
  const tooLarge = (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large' || err?.status === 413) {
      res.status(413).json({ statusCode: 413, error: 'Payload Too Large', message: `body over the ${config.BODY_LIMIT}-byte limit` });
      return;
    }
    if (err?.status && err.status < 500) {
      res.status(err.status).json({ statusCode: err.status, message: err.message });
      return;
    }
    next(err);
  };
  app.use('/v1/submissions', express.raw({ type: () => true, limit: config.BODY_LIMIT }), tooLarge);
  const hookTooLarge = (err: { type?: string }, req: Request, res: Response, next: NextFunction) =>
    err?.type === 'entity.too.large' ? res.status(413).json({ statusCode: 413, error: 'Payload Too Large', message: `body over the ${config.WEBHOOK_BODY_LIMIT}-byte limit` }) : tooLarge(err, req, res, next);
  app.use('/v1/hooks', express.raw({ type: () => true, limit: config.WEBHOOK_BODY_LIMIT }), hookTooLarge);
  // Chat channels keep the exact bytes: WeChat pushes are XML checked before parsing, Telegram updates are stored as sent.
  app.use(/^\/v1\/channels\/[^/]+\/(wechat|telegram)$/, express.raw({ type: () => true, limit: config.WECHAT_BODY_LIMIT }), tooLarge);
  importBodies(app, config);
  app.use(express.json({ limit: '1mb' }), tooLarge);
}

export async function createGatewayApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create(GatewayModule.forRoot(config, logger), { bodyParser: false, logger: new NestPinoLogger(logger), abortOnError: false });
  // No ETag hashing of every JSON answer, no X-Powered-By: both cost CPU on the hot intake path.
  const express = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void; disable(name: string): void };
  express.set('etag', false);
  express.disable('x-powered-by');
  bodyParsers(app, config);
  const board = queueBoard([app.get(IntakeQueue).queue], config.ADMIN_TOKEN);
  app.use(board.path, board.guard, board.router);
  app.enableShutdownHooks();
  if (config.CHANNELS_FILE) {
    const names = await seedChannels(config.CHANNELS_FILE, app.get(ChannelRepository), app.get(AdapterRegistry));
    logger.info({ file: config.CHANNELS_FILE, channels: names }, 'channels seeded');
  }
  return app;
}
