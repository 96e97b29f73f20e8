import * as http from 'node:http';
import { Client } from 'pg';
import { createBenchEnv, waitUntil } from './bench-env';
import { benchForm } from './web-intake.bench';

/** Diagnostic: gateway alone (worker stopped), then the worker alone draining what was recorded. */
export async function splitBench(n: number, concurrency: number, profile: boolean) {
  const env = await createBenchEnv('split');
  const port = 31000 + Math.floor(Math.random() * 1000);
  const prof: Record<string, string> = profile ? { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/prof' } : {};
  try {
    const gateway = env.spawnApp('gateway', { PORT: String(port), ...prof });
    await waitUntil(async () => gateway.exitCode !== null || (await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false)), 60000, 'gateway');
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const body = benchForm(next++);
          await new Promise<void>((resolve, reject) => {
            const req = http.request({ host: '127.0.0.1', port, path: '/v1/submissions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
              res.resume();
              res.on('end', () => resolve());
            });
            req.on('error', reject);
            req.end(body);
          });
        }
      }),
    );
    const gwSeconds = (Date.now() - t0) / 1000;
    agent.destroy();
    gateway.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1500));
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const t1 = Date.now();
    const worker = env.spawnApp('worker', prof);
    await waitUntil(async () => Number((await db.query(`SELECT count(*) AS n FROM submissions WHERE status='pending'`)).rows[0].n) === 0, 600000, 'drain');
    const wSeconds = (Date.now() - t1) / 1000;
    worker.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1500));
    await db.end();
    console.log(JSON.stringify({ gatewayOnlyPerSec: n / gwSeconds, workerOnlyPerSec: n / wSeconds }));
  } finally {
    await env.dispose();
  }
}

if (require.main === module) splitBench(Number(process.argv[2] ?? 10000), 64, process.argv.includes('--profile')).catch((e) => {
  console.error(e);
  process.exit(1);
});
