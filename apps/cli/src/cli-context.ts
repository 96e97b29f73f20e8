import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { CoreModule } from '@huiliu/intake';
import { ConfigError, createLogger, ensurePostgres, ensureRedis, loadConfig, ServiceUnavailableError, type AppConfig, type Logger } from '@huiliu/platform';
import { createDataSource, runMigrations } from '@huiliu/store';

/** A failure the CLI reports in one line and exits non-zero for (a service down, a path unreadable). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export interface CliContext {
  config: AppConfig;
  logger: Logger;
  app: INestApplicationContext;
  close(): Promise<void>;
}

export function cliConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** stdout carries the command's result (JSON); logs go to stderr, quiet unless asked for. */
export function cliLogger(config: AppConfig): Logger {
  const level = process.env.LOG_LEVEL ?? 'warn';
  return createLogger({ level, name: 'cli', destination: process.stderr as never, pretty: config.LOG_PRETTY });
}

export async function checkServices(config: AppConfig, needRedis = true): Promise<void> {
  try {
    await ensurePostgres(config.DATABASE_URL);
    if (needRedis) await ensureRedis(config.REDIS_URL);
  } catch (err) {
    if (err instanceof ServiceUnavailableError) throw new CliError(err.message);
    throw err;
  }
}

export async function migrateWith(config: AppConfig): Promise<string[]> {
  const ds = await createDataSource(config.DATABASE_URL, { poolSize: 2, applicationName: 'huiliu-migrate' }).initialize();
  try {
    return await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

export async function openContext(): Promise<CliContext> {
  const config = cliConfig();
  const logger = cliLogger(config);
  await checkServices(config);
  await migrateWith(config);
  const app = await NestFactory.createApplicationContext(CoreModule.forRoot(config, logger, 'cli'), { logger: false });
  return { config, logger, app, close: () => app.close() };
}
