import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { jobIdOf } from '../libs/contracts/src';
import { createTestEnv, type TestEnv } from './support/env';
import { exited, spawnApp, startWorkerInProcess } from './support/apps';
import { webForm } from './support/forms';
import type { WorkerHandle } from '../apps/worker/src/worker';

async function cli(env: TestEnv, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnApp('cli', { ...env.env, LOG_LEVEL: 'warn' }, args);
  const code = await exited(child, 60000);
  if (process.env.DEBUG_CLI) process.stderr.write(`cli ${args.join(' ')} -> ${code}\n${child.output()}\n`);
  return { code, out: child.output() };
}

describe('the operator CLI', () => {
  let env: TestEnv;
  let worker: WorkerHandle;
  let dir: string;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await startWorkerInProcess(env.config);
    dir = mkdtempSync(path.join(tmpdir(), 'huiliu-cli-'));
  });
  afterAll(async () => {
    await worker?.close();
    await env?.dispose();
  });

  it('ingests web JSON files, accounts for every record, drains and exports the contract', async () => {
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify(webForm({ client_token: 'cli-a' })));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify(webForm({ client_token: 'cli-a' }))); // a double submit
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify(webForm({ client_token: undefined, content: '楼下饭店油烟直排，家里全是油烟味。', district_code: '110105', address: '北京市朝阳区望京街道' })));
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify(webForm({ client_token: 'cli-d', content: '' })));
    writeFileSync(path.join(dir, 'e.json'), '{"content": ');
    writeFileSync(path.join(dir, 'f.json'), JSON.stringify(webForm({ client_token: 'cli-f', content: '很大'.repeat(300_000) })));

    const ingest = await cli(env, ['ingest', '--channel', 'web', dir]);
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ channel: 'web', channelName: 'web-default', files: 6, read: 6, recorded: 2, duplicates: 1, rejected: 3 });
    expect(summary.rejections.map((r: { reason: string }) => r.reason).sort()).toEqual(['missing_content', 'not_json', 'oversized_payload']);

    const drained = await cli(env, ['drain', '--timeout', '60']);
    expect(drained.code).toBe(0);

    const out = path.join(dir, 'export.jsonl');
    const exp = await cli(env, ['export', '--format', 'jsonl', '--out', out]);
    expect(exp.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const byRef = new Map(lines.map((l) => [l.ref, l]));
    expect(byRef.get('cli-a')).toMatchObject({ channel: 'web', channelName: 'web-default', status: 'accepted', refs: ['cli-a'], division: { code: '320102', level: 'county' }, category: 'air' });
    expect(byRef.get('c')).toMatchObject({ channel: 'web', status: 'accepted', category: 'air', division: { code: '110105' } });
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['channel', 'channelName', 'ref', 'refs', 'status', 'caseId', 'division', 'category', 'reasons']));
  });

  it('exits non-zero with one line when a path is unreadable', async () => {
    const r = await cli(env, ['ingest', '--channel', 'web', path.join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('cannot read');
    expect(r.out).not.toMatch(/^\s+at /m);
  });

  it('replays unfinished submissions under fresh job ids', async () => {
    const quiet = await createTestEnv();
    try {
      const file = path.join(dir, 'replay.json');
      writeFileSync(file, JSON.stringify(webForm({ client_token: 'replay-1' })));
      expect((await cli(quiet, ['ingest', '--channel', 'web', file])).code).toBe(0);
      const r = await cli(quiet, ['replay']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out.trim())).toEqual({ replayed: 1 });
      const queue = new Queue('intake', { connection: new IORedis(quiet.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: quiet.config.QUEUE_PREFIX });
      const ids = (await queue.getJobs(['waiting'])).map((j) => j.id);
      await queue.close();
      expect(ids).toEqual(expect.arrayContaining([jobIdOf('web:replay-1'), `${jobIdOf('web:replay-1')}-r1`]));
      const w = await startWorkerInProcess(quiet.config);
      try {
        expect((await cli(quiet, ['drain', '--timeout', '30'])).code).toBe(0);
      } finally {
        await w.close();
      }
    } finally {
      await quiet.dispose();
    }
  });
});
