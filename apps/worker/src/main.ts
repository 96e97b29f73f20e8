import 'reflect-metadata';
import { createLogger, loadConfigOrExit, preflightOrExit } from '@huiliu/platform';
import { startWorker } from './worker';

async function main() {
  const config = loadConfigOrExit('worker');
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker', pretty: config.LOG_PRETTY });
  await preflightOrExit({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL });
  const handle = await startWorker(config, logger);
  if (config.COMPLAINANT_KEY_SECRET === 'huiliu-local-complainant-key') logger.warn('COMPLAINANT_KEY_SECRET is the local default; set your own secret before taking real complaints');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    handle.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`huiliu worker: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
