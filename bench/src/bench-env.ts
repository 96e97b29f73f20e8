import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';

/**
 * A throwaway world for one benchmark run: its own database and queue prefix on the local services,
 * apps started as their own processes (as `npm start` runs them), removed afterwards.
 *
 * `BENCH_CPU_PROF=<dir>` starts the apps with `node --cpu-prof`: each writes a V8 CPU profile there when it
 * stops (open it in Chrome DevTools or VS Code). The benchmarks stop apps with SIGTERM and wait, so the
 * profiles are complete. `BENCH_APP_FLAGS` adds node flags to the apps (`--heap-prof --heap-prof-dir=…`, say).
 * `BENCH_KEEP_DB=1` leaves the run's database in place (its name is printed) to
 * look at what the run wrote.
 */
export interface BenchEnv {
  env: Record<string, string>;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  spawnApp(role: 'gateway' | 'worker', extra?: Record<string, string>): AppProcess;
  /** SIGTERM, then waits for the process to exit (SIGKILL after 15 s). */
  stopApp(child: ChildProcess): Promise<void>;
  dispose(): Promise<void>;
}

const DIST = path.join(__dirname, '../../apps');
/** The flags `npm start` and the container images run the apps with (scripts/start.js). */
const APP_NODE_FLAGS = ['--max-semi-space-size=32'];

type AppProcess = ChildProcess & { output: () => string };

export async function createBenchEnv(name: string): Promise<BenchEnv> {
  const pgBase = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/huiliu';
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const db = `huiliu_bench_${name}_${process.pid}`;
  const admin = new URL(pgBase);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await c.query(`CREATE DATABASE "${db}"`);
  await c.end();
  const dbUrl = new URL(pgBase);
  dbUrl.pathname = `/${db}`;
  const blobRoot = mkdtempSync(path.join(tmpdir(), 'huiliu-bench-'));
  const prefix = `bench${process.pid}${name}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    BLOB_ROOT: blobRoot,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    // `BENCH_APP_ENV="WORKER_BATCH_SIZE=400 …"`: settings to try on the apps without changing their defaults.
    ...Object.fromEntries(
      (process.env.BENCH_APP_ENV ?? '')
        .split(/\s+/)
        .filter((kv) => kv.includes('='))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
  };
  const children: ChildProcess[] = [];
  return {
    env,
    databaseUrl: dbUrl.toString(),
    redisUrl,
    prefix,
    spawnApp(role, extra = {}) {
      const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`, `--cpu-prof-name=${role}-${name}-${Date.now()}.cpuprofile`] : [];
      const extraFlags = (process.env.BENCH_APP_FLAGS ?? '').split(/\s+/).filter(Boolean);
      const child = spawn(process.execPath, [...profile, ...APP_NODE_FLAGS, ...extraFlags, path.join(DIST, role, 'src/main.js')], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      children.push(child);
      return Object.assign(child, { output: () => out });
    },
    stopApp,
    async dispose() {
      await Promise.all(children.map(stopApp));
      const r = new IORedis(redisUrl);
      const keys = await r.keys(`${prefix}:*`);
      for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
      r.disconnect();
      const a = new Client({ connectionString: admin.toString() });
      await a.connect();
      if (process.env.BENCH_KEEP_DB === '1') console.log(`bench database kept: ${db}`);
      else await a.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await a.end();
      rmSync(blobRoot, { recursive: true, force: true });
    },
  };
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  await exited;
  clearTimeout(timer);
}

export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the gateway as its own process on a free port and waits until it answers. */
export async function startGatewayProcess(env: BenchEnv): Promise<{ gateway: AppProcess; port: number }> {
  const port = await freePort();
  const gateway = env.spawnApp('gateway', { PORT: String(port) });
  await waitUntil(
    async () => gateway.exitCode !== null || (await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false)),
    60000,
    'gateway start',
  );
  if (gateway.exitCode !== null) throw new Error(`gateway exited: ${gateway.output()}`);
  return { gateway, port };
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc; with `reaped`, also that of the children
 * it has waited for. Null where there is none (not Linux).
 */
export function cpuMsOf(pid: number, reaped = false): number | null {
  try {
    // Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th, in clock ticks (100 per second).
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) * 10;
  } catch {
    return null;
  }
}

/** The CPU of every process whose command line `pick` takes ('reaped': with its waited-for children); null if none. */
function sumCpuMs(pick: (cmd: string) => false | 'self' | 'reaped'): number | null {
  let total: number | null = null;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const how = pick(cmd);
    if (!how) continue;
    const ms = cpuMsOf(Number(pid), how === 'reaped');
    if (ms !== null) total = (total ?? 0) + ms;
  }
  return total;
}

/** The Postgres backends serving one database on this host (their command line names it), null if none is visible. */
export function pgBackendCpuMs(database: string): number | null {
  return sumCpuMs((cmd) => cmd.startsWith('postgres: ') && cmd.includes(` ${database} `) && 'self');
}

/**
 * CPU (ms) of the local Postgres cluster and Redis so far: every backend and background process (WAL writer,
 * checkpointer, autovacuum), the backends that already exited (the postmaster's reaped children), and
 * redis-server. What the services spent for a run, where the per-database backends leave the shared work out.
 * Null when neither is visible on this host.
 */
export function servicesCpuMs(): number | null {
  return sumCpuMs((cmd) => (/\/bin\/postgres\0/.test(cmd) ? 'reaped' : (cmd.startsWith('postgres: ') || cmd.startsWith('redis-server')) && 'self'));
}
