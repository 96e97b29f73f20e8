/**
 * Measures the hotline/register import parsing against the sample corpus, the hostile CSV collection and a
 * generated large GBK export.
 *
 *   npx swc scripts/dev/tabular-eval.ts libs -d /tmp/tab-eval --config-file .swcrc -q && node /tmp/tab-eval/scripts/dev/tabular-eval.js [--rows=100000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import type * as Tabular from '../../libs/adapters/src/tabular';
import type * as Hotline from '../../libs/adapters/src/hotline';

const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();
/* eslint-disable @typescript-eslint/no-require-imports */
const iconv = require('iconv-lite') as typeof import('iconv-lite');
const tabular = require('../../libs/adapters/src/tabular') as typeof Tabular;
const hotline = require('../../libs/adapters/src/hotline') as typeof Hotline;
/* eslint-enable @typescript-eslint/no-require-imports */

const SAMPLES = '/work/shared/samples';
const EXTERNAL_CSV = '/work/shared/external/csv';
const profiles = hotline.loadProfilesFromDir(path.join(repoRoot, 'libs/adapters/src/hotline/profiles'));

interface Truth {
  channel: string;
  ref: { file: string; row: number; line?: number; id: string; sheet?: string };
  expect: { validity: string; reason?: string; redelivery_of?: { row: number; id: string } };
}

async function evalSamples(): Promise<boolean> {
  const truth: Truth[] = fs
    .readFileSync(path.join(SAMPLES, 'truth.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Truth)
    .filter((t) => t.channel === 'hotline' || t.channel === 'letters');
  const found = new Map<string, Hotline.MappedRow>();
  const problems: string[] = [];
  const flagCounts = new Map<string, number>();
  for (const dir of ['hotline', 'letters']) {
    for (const name of fs.readdirSync(path.join(SAMPLES, dir)).sort()) {
      const file = `${dir}/${name}`;
      const full = path.join(SAMPLES, file);
      const raw = fs.readFileSync(full);
      const stream = tabular.readTabular(full, { isHeader: hotline.headerMatcher(profiles) });
      let binding: Hotline.ColumnBinding | null = null;
      let n = 0;
      for await (const record of stream) {
        if (!binding) {
          const profile = hotline.pickProfile(record.header, profiles)!;
          binding = hotline.bindProfile(profile, record.header);
        }
        const mapped = hotline.mapTabularRecord(record, binding, { fileRef: file, sheet: stream.summary.sheet });
        found.set(`${file}#${record.row}`, mapped);
        for (const f of mapped.submission.flags ?? []) flagCounts.set(f, (flagCounts.get(f) ?? 0) + 1);
        if (!mapped.malformed && !mapped.submission.submittedAt) problems.push(`${file} row ${record.row}: no submittedAt`);
        if (record.format === 'csv') checkSlice(raw, record, stream.summary, file, problems);
        n++;
      }
      console.log(
        `  ${file}: ${n} records, profile=${binding?.profile.id}, encoding=${stream.summary.encoding ?? '-'}, header at ${stream.summary.headerLine}, ` +
          `malformed=${stream.summary.malformed}, blank rows=${stream.summary.blankRows}, offsets exact=${stream.summary.offsetsExact}`,
      );
    }
  }
  let matched = 0;
  let malformedExpected = 0;
  const identities = new Map<string, string>();
  for (const t of truth) {
    const mapped = found.get(`${t.ref.file}#${xlsxRow(t)}`);
    if (!mapped) {
      problems.push(`missing ${t.ref.file} row ${t.ref.row} (${t.ref.id})`);
      continue;
    }
    if (mapped.submission.ref !== t.ref.id) problems.push(`${t.ref.file} row ${t.ref.row}: ref ${mapped.submission.ref} != ${t.ref.id}`);
    if (t.ref.line !== undefined && mapped.line !== t.ref.line) problems.push(`${t.ref.file} row ${t.ref.row}: line ${mapped.line} != ${t.ref.line}`);
    if (t.ref.sheet && t.ref.row !== mapped.line) problems.push(`${t.ref.file}: worksheet row ${mapped.line} != ${t.ref.row}`);
    const expectMalformed = t.expect.reason === 'malformed_row';
    if (expectMalformed) malformedExpected++;
    if (mapped.malformed !== expectMalformed) problems.push(`${t.ref.file} row ${t.ref.row}: malformed=${mapped.malformed}, truth ${t.expect.validity}/${t.expect.reason}`);
    if (mapped.malformed && mapped.submission.rejectHint !== 'malformed_row') problems.push(`${t.ref.id}: malformed without rejectHint`);
    if (mapped.identity) identities.set(t.ref.id, mapped.identity);
    matched++;
  }
  // A letter registered twice must have the identity of its first registration.
  let letterFolds = 0;
  for (const t of truth) {
    if (t.channel !== 'letters' || !t.expect.redelivery_of) continue;
    const a = identities.get(t.ref.id);
    const b = identities.get(t.expect.redelivery_of.id);
    if (!a || a !== b) problems.push(`letter ${t.ref.id} not folded into ${t.expect.redelivery_of.id}`);
    else letterFolds++;
  }
  const allIds = [...identities.values()];
  const collisions = allIds.length - new Set(allIds).size - letterFolds;
  if (collisions > 0) problems.push(`${collisions} letter identities shared by letters that are not the same letter`);
  console.log(`  truth records: ${truth.length}, found: ${matched}, malformed as expected: ${malformedExpected}, letter folds: ${letterFolds}`);
  console.log(`  flags: ${[...flagCounts].sort((a, b) => b[1] - a[1]).map(([f, c]) => `${f}=${c}`).join(' ')}`);
  for (const p of problems.slice(0, 30)) console.log(`  PROBLEM ${p}`);
  console.log(`  unexplained problems: ${problems.length}`);
  return problems.length === 0;
}

function xlsxRow(t: Truth): number {
  // XLSX truth rows are worksheet rows (title 1, header 2): record number = worksheet row - 2 for these files.
  return t.ref.sheet ? t.ref.row - 2 : t.ref.row;
}

/** The stored file plus the row's offsets must give back exactly the row. */
function checkSlice(raw: Buffer, record: Tabular.TabularRecord, summary: Tabular.TabularSummary, file: string, problems: string[]): void {
  if (record.byteOffset === null || record.byteLength === null) {
    problems.push(`${file} row ${record.row}: no byte offsets`);
    return;
  }
  const slice = raw.subarray(record.byteOffset, record.byteOffset + record.byteLength);
  const text = iconv.decode(slice, summary.encoding === 'gb18030' ? 'gb18030' : summary.encoding === 'utf8' ? 'utf8' : summary.encoding!);
  const tokenizer = new tabular.CsvTokenizer(summary.delimiter!, { maxColumns: 1000, maxCellChars: 1e6, maxRecordChars: 1e7 });
  const tokens = [...tokenizer.push(text), ...tokenizer.end()];
  const cells = tokens[0]?.cells.map((c) => c.replace(/\u0000/g, '')) ?? [];
  if (tokens.length !== 1 || JSON.stringify(cells.slice(0, record.cells.length)) !== JSON.stringify(record.cells)) {
    problems.push(`${file} row ${record.row}: the byte slice does not give back the row`);
  }
}

async function evalExternal(): Promise<boolean> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(csv|tsv|txt)$/i.test(e.name)) files.push(p);
    }
  };
  walk(EXTERNAL_CSV);
  let ok = true;
  for (const file of files.sort()) {
    const rel = path.relative(EXTERNAL_CSV, file);
    const started = Date.now();
    try {
      const stream = tabular.readTabular(file);
      let records = 0;
      let malformed = 0;
      const reading = (async () => {
        for await (const r of stream) {
          records++;
          if (r.error) malformed++;
        }
      })();
      await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error('HANG (5 s)')), 5000).unref())]);
      const s = stream.summary;
      console.log(
        `  ${rel}: ${records} records (${malformed} malformed), ${s.encoding}, delimiter ${JSON.stringify(s.delimiter)}, header ${JSON.stringify(s.header?.slice(0, 4))}` +
          `${s.offsetsExact ? '' : ', offsets inexact'} [${Date.now() - started} ms]`,
      );
    } catch (err) {
      if (err instanceof tabular.TabularRejection) console.log(`  ${rel}: rejected (${err.code}): ${err.message}`);
      else {
        ok = false;
        console.log(`  ${rel}: CRASH ${(err as Error).stack}`);
      }
    }
  }
  return ok;
}

async function evalThroughput(rows: number): Promise<void> {
  const file = `/tmp/tabular-eval-${rows}.gbk.csv`;
  if (!fs.existsSync(file)) {
    const out = fs.createWriteStream(file);
    const write = (s: string) => (out.write(iconv.encode(s, 'gbk')) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
    await write('12369环保举报受理记录导出 生成数据\r\n受理编号,来电时间,举报人,联系电话,是否匿名,事发地址,所属区域,被举报对象,污染类型,举报内容,受理坐席,办理状态\r\n');
    for (let i = 1; i <= rows; i++) {
      const multi = i % 7 === 0;
      const content = multi
        ? `"来电反映：\r\n1、附近化工厂第${i}号排放口夜间排放刺鼻气味,持续一个月；\r\n2、老人孩子呛得直咳嗽。\r\n请核实。"`
        : `来电人反映江苏省南京市玄武区中山路${i % 500}号附近餐馆油烟直排，严重影响居民生活，请相关部门核查处理。`;
      await write(
        `HBJB-${String(i).padStart(8, '0')},2024/9/${(i % 30) + 1} ${i % 24}:${String(i % 60).padStart(2, '0')},张先生,+86 138 ${String(i % 10000).padStart(4, '0')} 5678,否,南京市玄武区中山路${i % 500}号,江苏省/南京市/玄武区,某某餐饮有限公司,大气污染,${content},坐席0${i % 9} 王敏,已受理\r\n`,
      );
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  const size = fs.statSync(file).size;
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  const stream = tabular.readTabular(file, { isHeader: hotline.headerMatcher(profiles) });
  let binding: Hotline.ColumnBinding | null = null;
  let n = 0;
  let parseOnlyNs = 0n;
  for await (const record of stream) {
    const t0 = process.hrtime.bigint();
    binding ??= hotline.bindProfile(hotline.pickProfile(record.header, profiles)!, record.header);
    hotline.mapTabularRecord(record, binding, { fileRef: 'bench.csv' });
    parseOnlyNs += process.hrtime.bigint() - t0;
    n++;
    if ((n & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `  ${n} rows (${(size / 1e6).toFixed(1)} MB GBK) in ${seconds.toFixed(2)} s: ${Math.round(n / seconds)} rows/s read+map ` +
      `(mapping ${(Number(parseOnlyNs) / 1e9).toFixed(2)} s of it), peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB, malformed ${stream.summary.malformed}`,
  );
}

async function main(): Promise<void> {
  const rowsArg = process.argv.find((a) => a.startsWith('--rows='));
  const rows = rowsArg ? Number(rowsArg.slice(7)) : 100_000;
  console.log('samples (hotline, letters):');
  const samplesOk = await evalSamples();
  console.log('external CSVs:');
  const externalOk = await evalExternal();
  console.log(`throughput (${rows} rows):`);
  await evalThroughput(rows);
  console.log(`RESULT samples ${samplesOk ? 'OK' : 'FAIL'}, external ${externalOk ? 'OK (no crash, no hang)' : 'FAIL'}`);
  process.exitCode = samplesOk && externalOk ? 0 : 1;
}

void main();
