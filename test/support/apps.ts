import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { startWorker, type WorkerHandle } from '../../apps/worker/src/worker';
import { createLogger, type AppConfig, type Logger } from '../../libs/platform/src';

/** Collects every log line written, for assertions on what the logs contain. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  logger(level = 'debug'): Logger {
    return createLogger({ level, destination: this as never });
  }
}

export interface RunningGateway {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

export async function startGateway(config: AppConfig, logger: Logger = createLogger({ level: 'silent' })): Promise<RunningGateway> {
  const app = await createGatewayApp(config, logger);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

export function startWorkerInProcess(config: AppConfig, logger: Logger = createLogger({ level: 'silent' })): Promise<WorkerHandle> {
  return startWorker(config, logger);
}

const DIST = path.join(__dirname, '../../dist/apps');

/** Runs a built app as its own process, as `npm start` does; output is kept for assertions. */
export function spawnApp(role: 'gateway' | 'worker' | 'cli', env: Record<string, string>, args: string[] = []): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [path.join(DIST, role, 'src/main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return Object.assign(child, { output: () => out });
}

export function exited(child: ChildProcess, timeoutMs = 15000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const t = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? (body as never) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}
