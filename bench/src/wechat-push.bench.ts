import * as http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { cpuMsOf, createBenchEnv, percentile, pgBackendCpuMs, startGatewayProcess, waitUntil } from './bench-env';

const TOKEN = 'bench_wechat_token';
const PLACES = ['南京市玄武区中山路', '深圳市宝安区福永街道', '北京市朝阳区望京街道', '成都市武侯区红牌楼街道', '杭州市西湖区转塘街道'];
const PROBLEMS = ['晚上排放黑烟，气味刺鼻', '偷排污水，河水发黑发臭', '夜间施工噪音很大', '乱倒建筑垃圾和工业废料'];

function signedPath(channel: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(5).toString('hex');
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return `/v1/channels/${channel}/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=x`;
}

let msgId = 24700000000000000n;
function textPush(user: string, content: string): string {
  return (
    `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${++msgId}</MsgId></xml>`
  );
}

function post(agent: http.Agent, port: number, path: string, body: string): Promise<{ status: number; ms: number; text: string }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface WechatBenchResult {
  pushes: number;
  followers: number;
  concurrency: number;
  pushesPerSec: number;
  /**
   * CPU the gateway process used during the full-speed run, per push (all its threads): a figure that holds
   * better than pushes/s when other work shares the host's cores. Null where /proc is not there.
   */
  gatewayCpuMsPerPush: number | null;
  /** The same for the Postgres backends serving the bench's database, when they run on this host. */
  postgresCpuMsPerPush: number | null;
  httpP50Ms: number;
  httpP99Ms: number;
  submissionsRecorded: number;
  paced: { ratePerSec: number; sent: number; httpP50Ms: number; httpP99Ms: number; httpMaxMs: number };
}

/**
 * WeChat pushes accepted over HTTP into the inbox: the gateway as its own process, every push signed and
 * its signature checked, parsed, deduplicated, gathered into its follower's draft (state in Postgres) and
 * answered with the passive reply. Each follower sends a complaint and then "确认", so half the pushes also
 * record a submission. Then an open loop at a fixed rate for the response-time figure.
 */
export async function wechatPushBench(opts: { followers: number; concurrency: number; pacedRate: number; pacedSeconds: number }): Promise<WechatBenchResult> {
  const env = await createBenchEnv('wechat');
  try {
    const { gateway, port } = await startGatewayProcess(env);
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO channels (type, name, settings, credentials) VALUES ('wechat', 'wx-bench', '{"quietSeconds": 300}', $1)`, [JSON.stringify({ token: TOKEN })]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });

    const conversation = async (user: string, i: number, times: number[]) => {
      for (const content of [`${PLACES[i % PLACES.length]}${i % 97}号附近的工厂${PROBLEMS[i % PROBLEMS.length]}`, '确认']) {
        const r = await post(agent, port, signedPath('wx-bench'), textPush(user, content));
        if (r.status !== 200 || !r.text.startsWith('<xml>')) throw new Error(`push for ${user}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        times.push(r.ms);
      }
    };

    // Warm-up: JIT, connection pools.
    const warm: number[] = [];
    for (let w = 0; w < 200; w++) await conversation(`owarm${w}`, w, warm);

    // Closed loop at full speed.
    const times: number[] = [];
    let next = 0;
    const database = new URL(env.databaseUrl).pathname.slice(1);
    const gatewayCpu0 = cpuMsOf(gateway.pid!);
    const pgCpu0 = pgBackendCpuMs(database);
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < opts.followers) {
          const k = next++;
          await conversation(`obench${process.pid}_${k}`, k, times);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const gatewayCpu1 = cpuMsOf(gateway.pid!);
    const pgCpu1 = pgBackendCpuMs(database);
    times.sort((a, b) => a - b);
    const recorded = Number((await db.query(`SELECT count(*) AS n FROM submissions WHERE channel_type = 'wechat' AND payload->'extra'->>'conversationKey' LIKE 'obench%'`)).rows[0].n);

    // Open loop at a fixed rate (pairs of pushes from new followers).
    const total = opts.pacedRate * opts.pacedSeconds;
    const paced: number[] = [];
    const sends: Promise<void>[] = [];
    const p0 = Date.now();
    for (let k = 0; k < total; k++) {
      const due = p0 + (k * 1000) / opts.pacedRate;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const user = `opaced${process.pid}_${Math.floor(k / 2)}`;
      const body = k % 2 === 0 ? textPush(user, `${PLACES[k % PLACES.length]}的化工厂${PROBLEMS[k % PROBLEMS.length]}`) : textPush(user, '确认');
      sends.push(
        post(agent, port, signedPath('wx-bench'), body).then((r) => {
          if (r.status !== 200) throw new Error(`paced push: HTTP ${r.status}`);
          paced.push(r.ms);
        }),
      );
    }
    await Promise.all(sends);
    paced.sort((a, b) => a - b);
    agent.destroy();
    await db.end();
    await env.stopApp(gateway);
    return {
      pushes: times.length,
      followers: opts.followers,
      concurrency: opts.concurrency,
      pushesPerSec: times.length / seconds,
      gatewayCpuMsPerPush: gatewayCpu0 !== null && gatewayCpu1 !== null ? (gatewayCpu1 - gatewayCpu0) / times.length : null,
      postgresCpuMsPerPush: pgCpu0 !== null && pgCpu1 !== null ? (pgCpu1 - pgCpu0) / times.length : null,
      httpP50Ms: percentile(times, 50),
      httpP99Ms: percentile(times, 99),
      submissionsRecorded: recorded,
      paced: { ratePerSec: opts.pacedRate, sent: paced.length, httpP50Ms: percentile(paced, 50), httpP99Ms: percentile(paced, 99), httpMaxMs: paced[paced.length - 1] },
    };
  } finally {
    await env.dispose();
  }
}
