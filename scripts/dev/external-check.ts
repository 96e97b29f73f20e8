/**
 * Feeds every file of `../shared/external` (real-world inputs written by others, many broken on purpose)
 * through its channel's adapter, one file at a time, and reports what each became: submissions, refusals
 * with their reasons, or a crash or a hang (a file still unread after the time limit). Exits 1 when any
 * file crashed or hung. Adapter level only: no database, no queue.
 *
 *   npx swc scripts/dev/external-check.ts libs -d /tmp/ext --config-file .swcrc -q --copy-files && NODE_PATH=$PWD/node_modules node /tmp/ext/scripts/dev/external-check.js [--verbose]
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
// Packages resolve through NODE_PATH (set on the command line): the compiled script runs from /tmp.
import { EmailAdapter, HotlineAdapter, TelegramAdapter, WechatAdapter, type AdapterRecord, type ChannelAdapter } from '@huiliu/adapters';

const ROOT = path.resolve(process.cwd(), '../shared/external');
const TIME_LIMIT_MS = 20_000;
const verbose = process.argv.includes('--verbose');

/** Which adapter reads each folder; expected-result files beside the inputs are fed too (they must be refused). */
const KINDS: { dir: string; adapter: ChannelAdapter }[] = [
  { dir: 'mime', adapter: new EmailAdapter() },
  { dir: 'csv', adapter: new HotlineAdapter() },
  { dir: 'telegram', adapter: new TelegramAdapter() },
  { dir: 'wechat', adapter: new WechatAdapter() },
];

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

type Outcome = { kind: 'read'; accepted: number; refused: string[] } | { kind: 'crash'; error: string } | { kind: 'hang' };

async function readOne(adapter: ChannelAdapter, file: string): Promise<Outcome> {
  const run = (async (): Promise<Outcome> => {
    const records: AdapterRecord[] = [];
    for await (const r of adapter.readFiles([file], { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 10 * 1024 * 1024 })) records.push(r);
    return { kind: 'read', accepted: records.filter((r) => r.ok).length, refused: records.flatMap((r) => (r.ok ? [] : [r.reason])) };
  })().catch((err: unknown): Outcome => ({ kind: 'crash', error: (err as Error)?.stack ?? String(err) }));
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hang' }), TIME_LIMIT_MS)));
  const out = await Promise.race([run, hang]);
  clearTimeout(timer);
  return out;
}

async function main() {
  let bad = 0;
  for (const { dir, adapter } of KINDS) {
    const files = walk(path.join(ROOT, dir));
    const reasons = new Map<string, number>();
    let submissions = 0;
    let filesWithSubmissions = 0;
    let refusedOnly = 0;
    let silent = 0;
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      const out = await readOne(adapter, file);
      if (out.kind !== 'read') {
        bad++;
        console.log(`  ${out.kind.toUpperCase()} ${rel}${out.kind === 'crash' ? `\n${out.error}` : ''}`);
        continue;
      }
      submissions += out.accepted;
      if (out.accepted) filesWithSubmissions++;
      else if (out.refused.length) refusedOnly++;
      else silent++;
      for (const r of out.refused) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      if (verbose) console.log(`  ${rel}: ${out.accepted} submission(s)${out.refused.length ? `, refused: ${out.refused.join(', ')}` : ''}`);
    }
    const why = [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ');
    // A file that gave neither a submission nor a refusal was silently dropped: counted as a failure.
    bad += silent;
    console.log(`${dir}: ${files.length} files → ${filesWithSubmissions} with submissions (${submissions} in all), ${refusedOnly} refused, ${silent} with neither; refusals: ${why || 'none'}`);
  }
  console.log(bad ? `${bad} file(s) crashed, hung or gave nothing` : 'every file ended as a submission or a refusal with a reason');
  process.exit(bad ? 1 : 0);
}

void main();
