import { Client } from 'pg';
import type { WorkerHandle } from '../../apps/worker/src/worker';
import { createTestEnv, type TestEnv } from './env';
import { startGateway, startWorkerInProcess, type RunningGateway } from './apps';

export interface Stack {
  env: TestEnv;
  gw: RunningGateway;
  worker: WorkerHandle;
  /** A direct connection to the test file's database, for asserting what was stored. */
  db: Client;
  close(): Promise<void>;
}

/** A test file's whole house: its own database and queue prefix, a gateway, a worker, a database client. */
export async function startStack(overrides: Record<string, string> = {}): Promise<Stack> {
  const env = await createTestEnv(overrides);
  const gw = await startGateway(env.config);
  const worker = await startWorkerInProcess(env.config);
  const db = new Client({ connectionString: env.config.DATABASE_URL });
  await db.connect();
  return {
    env,
    gw,
    worker,
    db,
    async close() {
      await db.end();
      await worker.close();
      await gw.close();
      await env.dispose();
    },
  };
}
