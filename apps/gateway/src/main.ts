import 'reflect-metadata';
import { createLogger, loadConfigOrExit, preflightOrExit } from '@huiliu/platform';
import { createGatewayApp, migrate } from './gateway.app';

async function main() {
  const config = loadConfigOrExit('gateway');
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'gateway', pretty: config.LOG_PRETTY });
  await preflightOrExit({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL });
  await migrate(config, logger);
  const app = await createGatewayApp(config, logger);
  await app.listen(config.PORT, config.HOST);
  const url = await app.getUrl();
  logger.info({ url, queues: `${url}/ops/queues`, metrics: `${url}/metrics`, health: `${url}/health` }, `gateway listening on ${url}`);
  if (config.ADMIN_TOKEN === 'huiliu-local-admin') logger.warn('ADMIN_TOKEN is the local default; set your own before exposing this gateway');
  // Requests in flight finish and the inbox commits what it holds before the process exits (normally, so
  // `node --cpu-prof` writes its profile).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway stopping');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`huiliu gateway: failed to start: ${err?.message ?? err}\n`);
  process.exit(1);
});
