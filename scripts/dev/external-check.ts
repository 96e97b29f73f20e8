/**
 * Feeds every file of `../shared/external` (real-world inputs written by others, many broken on purpose)
 * through its channel's adapter, one file at a time, and reports what each became: submissions, refusals
 * with their reasons, or a crash or a hang (a file still unread after the time limit). Every submission is
 * then judged and given its dedup features as the worker would (a crash there counts too; the slowest is
 * printed). Exits 1 when any file crashed or hung. No database, no queue.
 *
 *   npx swc scripts/dev/external-check.ts libs -d /tmp/ext --config-file .swcrc -q --copy-files && NODE_PATH=$PWD/node_modules node /tmp/ext/scripts/dev/external-check.js [--verbose]
 */
import { cpSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
// Packages resolve through NODE_PATH (set on the command line): the compiled script runs from /tmp.
import { EmailAdapter, HotlineAdapter, TelegramAdapter, WechatAdapter, type AdapterRecord, type ChannelAdapter } from '@huiliu/adapters';
import { parseSubmission } from '@huiliu/contracts';
import type * as Pipeline from '@huiliu/pipeline';

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

type Outcome = { kind: 'read'; accepted: number; refused: string[]; submissions: AdapterRecord[] } | { kind: 'crash'; error: string } | { kind: 'hang' };

// swc does not copy the JSON rule tables next to the compiled stages: put them where the loader looks.
cpSync(path.resolve(process.cwd(), 'libs/pipeline/rules'), path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
let pipeline: typeof Pipeline;
let stages: Pipeline.Stages;

/** Judges a submission as the worker would; the milliseconds it took, or the error. */
function judgeOne(r: AdapterRecord): { ms: number } | { error: string } {
  if (!r.ok) return { ms: 0 };
  const t0 = process.hrtime.bigint();
  try {
    const submission = parseSubmission(r.submission);
    const judgement = pipeline.judge({ submission }, stages);
    pipeline.dedupInputOf(submission, judgement, { channelType: submission.channelType, receivedAt: new Date(), pepper: 'external-check' });
  } catch (err) {
    return { error: (err as Error)?.stack ?? String(err) };
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

async function readOne(adapter: ChannelAdapter, file: string): Promise<Outcome> {
  const run = (async (): Promise<Outcome> => {
    const records: AdapterRecord[] = [];
    for await (const r of adapter.readFiles([file], { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 10 * 1024 * 1024 })) records.push(r);
    return { kind: 'read', accepted: records.filter((r) => r.ok).length, refused: records.flatMap((r) => (r.ok ? [] : [r.reason])), submissions: records.filter((r) => r.ok) };
  })().catch((err: unknown): Outcome => ({ kind: 'crash', error: (err as Error)?.stack ?? String(err) }));
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hang' }), TIME_LIMIT_MS)));
  const out = await Promise.race([run, hang]);
  clearTimeout(timer);
  return out;
}

async function main() {
  let bad = 0;
  let slowest = { ms: 0, file: '' };
  pipeline = await import('@huiliu/pipeline');
  stages = pipeline.defaultStages();
  // Division tables and pinyin spellings load on first use: not counted as any file's judging time.
  judgeOne({ ok: true, submission: { schemaVersion: 1, channelType: 'web', ref: 'warm-up', text: 'Chendai Town, Jinjiang 晋江陈埭镇工厂排污' }, raw: Buffer.alloc(0), attachments: [] });
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
      for (const r of out.submissions) {
        const j = judgeOne(r);
        if ('error' in j) {
          bad++;
          console.log(`  JUDGING CRASH ${rel}\n${j.error}`);
        } else if (j.ms > slowest.ms) slowest = { ms: j.ms, file: rel };
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
  console.log(`slowest judging: ${slowest.ms.toFixed(1)} ms (${slowest.file})`);
  console.log(bad ? `${bad} file(s) crashed, hung or gave nothing` : 'every file ended as a submission or a refusal with a reason');
  process.exit(bad ? 1 : 0);
}

void main();
