import * as http from 'node:http';
import * as net from 'node:net';
import { Client } from 'pg';
import { cpuMsOf, createBenchEnv, percentile, servicesCpuMs, startGatewayProcess, waitUntil } from './bench-env';
import { rawBullmqBaseline } from './raw-bullmq.bench';

const PLACES = [
  ['320102', '南京市玄武区中山路'],
  ['440306', '深圳市宝安区福永街道'],
  ['110105', '北京市朝阳区望京街道'],
  ['510107', '成都市武侯区红牌楼街道'],
  ['330106', '杭州市西湖区转塘街道'],
  ['420106', '武汉市武昌区中南路'],
];
const PROBLEMS = ['晚上排放黑烟，气味刺鼻', '偷排污水，河水发黑发臭', '夜间施工噪音很大，吵得睡不着', '乱倒建筑垃圾和工业废料', '喷漆废气很重，窗户不敢开'];
const FIRMS = ['宏达化工厂', '永丰印染厂', '鑫源建材公司', '华泰机械厂', '恒通制药厂', '金鹏钢铁厂', '瑞丰塑料厂'];

/** A web form body; `i` spreads submissions over places, firms and problems (some repeat: real dedup work). */
export function benchForm(i: number): string {
  const [code, place] = PLACES[i % PLACES.length];
  const firm = FIRMS[Math.floor(i / PLACES.length) % FIRMS.length];
  const problem = PROBLEMS[Math.floor(i / (PLACES.length * FIRMS.length)) % PROBLEMS.length];
  const variant = Math.floor(i / 7) % 50;
  return JSON.stringify({
    form_version: '2.1',
    submitted_at: new Date().toISOString(),
    client_token: `bench-${process.pid}-${i}`,
    title: '环境污染举报',
    content: `${place}${variant}号附近的${firm}${problem}，已经持续好几天了，请尽快查处。`,
    address: `${place}${variant}号`,
    district_code: code,
    anonymous: false,
    contact_name: '测试用户',
    // Each complainant has their own number, and one in ten reports again (a repeat petition's key).
    contact_phone: `139${String(i % 10 === 9 ? i - 9 : i).padStart(8, '0')}`,
    attachments: [],
  });
}

function post(agent: http.Agent, port: number, body: string): Promise<{ status: number; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/submissions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function latencies(db: Client, fromIndex: number, toIndex: number) {
  const r = await db.query(
    `SELECT extract(epoch FROM (processed_at - received_at)) * 1000 AS ms, received_at, processed_at
       FROM submissions WHERE ref = ANY($1::text[])`,
    [Array.from({ length: toIndex - fromIndex }, (_, k) => `bench-${process.pid}-${fromIndex + k}`)],
  );
  const ms = r.rows.map((x) => Number(x.ms)).sort((a, b) => a - b);
  const first = Math.min(...r.rows.map((x) => x.received_at.getTime()));
  const last = Math.max(...r.rows.map((x) => x.processed_at.getTime()));
  return { n: r.rows.length, p50: percentile(ms, 50), p99: percentile(ms, 99), spanSeconds: (last - first) / 1000 };
}

export interface WebBenchResult {
  submissions: number;
  concurrency: number;
  endToEndPerSec: number;
  submitToCaseP50Ms: number;
  submitToCaseP99Ms: number;
  /** Submissions answered 202 per second during the full-speed run: what the gateway took, whatever the worker kept up with. */
  httpPerSec: number;
  httpP50Ms: number;
  httpP99Ms: number;
  paced: { ratePerSec: number; sent: number; httpP99Ms: number; submitToCaseP50Ms: number; submitToCaseP99Ms: number };
  rawBaselinePerSec: number;
  ratio: number;
  /** Judging transactions of the worker over warm-up and the full-speed run, and submissions per transaction. */
  transactions: { count: number; meanSize: number };
  /**
   * CPU (user + system, ms) per submission over the full-speed run, from /proc: the gateway, the worker, the
   * Postgres cluster and Redis (all their processes), and this process (the HTTP load). Null where /proc is
   * not there. Their sum over the cores is the ceiling of the end-to-end figure, and it holds better than the
   * rate when other work shares the host.
   */
  cpuMsPerSubmission: { gateway: number | null; worker: number | null; services: number | null; load: number };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function batchSizes(port: number): Promise<{ count: number; meanSize: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm'))?.[1] ?? NaN);
  const count = value('huiliu_pipeline_batch_size_count');
  return { count, meanSize: value('huiliu_pipeline_batch_size_sum') / count };
}

export async function webIntakeBench(opts: { submissions: number; concurrency: number; pacedRate: number; pacedSeconds: number }): Promise<WebBenchResult> {
  const env = await createBenchEnv('web');
  try {
    const { gateway, port } = await startGatewayProcess(env);
    const metricsPort = await freePort();
    const worker = env.spawnApp('worker', { WORKER_METRICS_PORT: String(metricsPort) });
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    // Polled while the apps run: one look at the pending index, not a count that grows with the backlog.
    const pending = async () => ((await db.query(`SELECT EXISTS (SELECT 1 FROM submissions WHERE status = 'pending') AS some`)).rows[0].some ? 1 : 0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });

    // Warm-up: JIT, connection pools, division data and rule tables loaded in the worker.
    let i = 0;
    for (let w = 0; w < 300; w++) await post(agent, port, benchForm(i++));
    await waitUntil(async () => (await pending()) === 0, 120000, 'warm-up drained');
    if (worker.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);

    // Closed loop at full speed.
    const cpu0 = { gateway: cpuMsOf(gateway.pid!), worker: cpuMsOf(worker.pid!), services: servicesCpuMs(), load: process.cpuUsage() };
    const start = i;
    const http1: number[] = [];
    let next = start;
    const end = start + opts.submissions;
    const httpStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < end) {
          const k = next++;
          const r = await post(agent, port, benchForm(k));
          if (r.status !== 202) throw new Error(`submission ${k}: HTTP ${r.status}`);
          http1.push(r.ms);
        }
      }),
    );
    const httpSeconds = Number(process.hrtime.bigint() - httpStart) / 1e9;
    await waitUntil(async () => (await pending()) === 0, 600000, 'full-speed run drained');
    const per = (a: number | null, b: number | null) => (a !== null && b !== null ? (b - a) / opts.submissions : null);
    const load = process.cpuUsage(cpu0.load);
    const cpuMsPerSubmission = {
      gateway: per(cpu0.gateway, cpuMsOf(gateway.pid!)),
      worker: per(cpu0.worker, cpuMsOf(worker.pid!)),
      services: per(cpu0.services, servicesCpuMs()),
      load: (load.user + load.system) / 1000 / opts.submissions,
    };
    const full = await latencies(db, start, end);
    const transactions = await batchSizes(metricsPort);
    http1.sort((a, b) => a - b);

    // Open loop at a fixed rate: latency under a load the system can carry.
    const pacedStart = end;
    const total = opts.pacedRate * opts.pacedSeconds;
    const http2: number[] = [];
    const sends: Promise<void>[] = [];
    const t0 = Date.now();
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / opts.pacedRate;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sends.push(post(agent, port, benchForm(pacedStart + k)).then((r) => void http2.push(r.ms)));
    }
    await Promise.all(sends);
    await waitUntil(async () => (await pending()) === 0, 600000, 'paced run drained');
    const paced = await latencies(db, pacedStart, pacedStart + total);
    http2.sort((a, b) => a - b);
    agent.destroy();
    await db.end();
    // The baseline gets the machine the pipeline had: both apps are gone before it starts.
    await Promise.all([env.stopApp(gateway), env.stopApp(worker)]);

    const raw = await rawBullmqBaseline(env.redisUrl, `${env.prefix}raw`, opts.submissions, opts.concurrency);
    const endToEndPerSec = full.n / full.spanSeconds;
    return {
      submissions: full.n,
      concurrency: opts.concurrency,
      endToEndPerSec,
      submitToCaseP50Ms: full.p50,
      submitToCaseP99Ms: full.p99,
      httpPerSec: opts.submissions / httpSeconds,
      httpP50Ms: percentile(http1, 50),
      httpP99Ms: percentile(http1, 99),
      paced: { ratePerSec: opts.pacedRate, sent: paced.n, httpP99Ms: percentile(http2, 99), submitToCaseP50Ms: paced.p50, submitToCaseP99Ms: paced.p99 },
      rawBaselinePerSec: raw.jobsPerSec,
      ratio: endToEndPerSec / raw.jobsPerSec,
      transactions,
      cpuMsPerSubmission,
    };
  } finally {
    await env.dispose();
  }
}
