import type { INestApplicationContext } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig, Logger } from '@huiliu/platform';
import { ImportRunner } from './imports/import.runner';
import { EmailRunner } from './email/email.runner';
import { chatChannelRunners } from './telegram';

/**
 * Something the worker process runs beside the intake processor: a pull channel's supervisor (IMAP,
 * Bot API polling), a queue processor for channel work (imports, media downloads). Started after the
 * intake processor, stopped before it.
 */
export interface Runner {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

export interface RunnerDeps {
  app: INestApplicationContext;
  config: AppConfig;
  logger: Logger;
  metrics: Registry;
}

/** Every runner of this build; each channel adds its own line. */
export function createRunners(deps: RunnerDeps): Runner[] {
  void deps;
  return [
    new ImportRunner(deps),
    new EmailRunner(deps),
    ...chatChannelRunners(deps),
  ];
}
