import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { createBenchEnv } from './bench-env';

const HEADER = '受理编号,来电时间,举报人,联系电话,是否匿名,事发地址,所属区域,被举报对象,污染类型,举报内容,受理坐席,办理状态';
const PLACES = ['江苏省南京市玄武区中山路', '广东省深圳市宝安区福永街道', '北京市朝阳区望京街道', '四川省成都市武侯区红牌楼街道', '浙江省杭州市西湖区转塘街道'];
const FIRMS = ['宏达化工厂', '永丰印染厂', '鑫源建材公司', '华泰机械厂', '恒通制药厂'];
const KINDS = ['大气污染', '水污染', '噪声污染', '固体废物'];

/** Writes a 12369 export in GBK: a title line, the header, `rows` records (some multi-line, quoted). */
export async function writeHotlineExport(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(iconv.encode(text, 'gbk'))) await once(out, 'drain');
  };
  await write(`12369环保举报受理记录导出 2024-09-01至2024-09-30\r\n${HEADER}\r\n`);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const place = PLACES[i % PLACES.length];
    const firm = FIRMS[(i >> 3) % FIRMS.length];
    const day = 1 + (i % 28);
    const text = i % 4 === 0 ? `"来电反映：\r\n1、${place}${i % 97}号的${firm}晚上排放黑烟，气味刺鼻；\r\n2、持续一周了。\r\n请核实。"` : `来电人称${place}${i % 97}号附近的${firm}偷排污水，河水发黑发臭，请尽快查处。`;
    chunk += `HBJB-BENCH-${String(i).padStart(8, '0')},2024/9/${day} ${8 + (i % 12)}:${String(i % 60).padStart(2, '0')},王先生,+86 138 ${String(i % 10000).padStart(4, '0')} ${String((i * 7) % 10000).padStart(4, '0')},否,${place}${i % 97}号,${place.slice(0, 3)}/${place.slice(3, 6)},${firm},${KINDS[i % KINDS.length]},${text},坐席${String(i % 30).padStart(2, '0')} 李婷,待分派\r\n`;
    if (chunk.length > 256 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk},,,,,,,,,,,\r\n`);
  out.end();
  await once(out, 'finish');
}

export interface HotlineImportResult {
  rows: number;
  fileMb: number;
  rowsPerSec: number;
  seconds: number;
  peakRssMb: number;
  jobsQueued: number;
  recorded: number;
  nodeOptions: string;
}

/**
 * A generated GBK export imported into the inbox, pipeline jobs queued, the worker stopped: rows/s and the
 * peak resident memory of the importing process (its own maxRSS, a child process started for the run).
 */
export async function hotlineImportBench(rows: number): Promise<HotlineImportResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'huiliu-hotline-bench-'));
  const file = path.join(dir, `12369_bench_${rows}.csv`);
  await writeHotlineExport(file, rows);
  const env = await createBenchEnv(`hotline${rows}`);
  try {
    // The importing process runs as the CLI and the worker do, with no heap cap: IMPORT_HEAP_GROWTH_PERCENT (set
    // at start-up) is what keeps its garbage near its live heap. BENCH_IMPORT_NODE_OPTIONS adds node flags.
    const nodeOptions = (process.env.BENCH_IMPORT_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...nodeOptions, path.join(__dirname, 'hotline-import.child.js'), file], { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`import child failed (${code}): ${err.slice(-2000)}`);
    const r = JSON.parse(out.trim().split('\n').pop()!);
    if (r.status !== 'done' || r.rows !== rows) throw new Error(`import incomplete: ${out}`);
    return { rows: r.rows, fileMb: r.fileBytes / 1024 / 1024, rowsPerSec: r.rows / r.seconds, seconds: r.seconds, peakRssMb: r.peakRssMb, jobsQueued: r.jobsQueued, recorded: r.recorded, nodeOptions: nodeOptions.join(' ') };
  } finally {
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
