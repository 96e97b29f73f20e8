import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { webIntakeBench } from './web-intake.bench';
import { judgingBench } from './judging.bench';
import { hotlineImportBench } from './hotline-import.bench';
import { emailImapBench } from './email-imap.bench';
import { wechatPushBench } from './wechat-push.bench';
import { dedupBench } from './dedup.bench';

/**
 * `npm run bench [-- --only web]`: prints each figure as it is measured and a JSON line at the end.
 * Uses the local Postgres and Redis (DATABASE_URL / REDIS_URL or BENCH_* to override), in throwaway
 * databases and queue prefixes.
 */
async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
  const want = (name: string) => !only || only.includes(name);
  const results: Record<string, unknown> = {};

  if (want('judging')) {
    const r = judgingBench(50_000);
    results.judging = r;
    console.log(`judging (validate → locate → classify) per submission: median ${r.medianUs.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs over ${r.submissions}`);
  }
  if (want('web')) {
    const submissions = Number(process.env.BENCH_WEB_SUBMISSIONS ?? 20000);
    const r = await webIntakeBench({ submissions, concurrency: 64, pacedRate: 500, pacedSeconds: 10 });
    results.web = r;
    console.log(`web → case, end to end: ${r.endToEndPerSec.toFixed(0)} submissions/s over ${r.submissions} (HTTP concurrency ${r.concurrency}); submit→case p50 ${r.submitToCaseP50Ms.toFixed(0)} ms, p99 ${r.submitToCaseP99Ms.toFixed(0)} ms; accepted over HTTP ${r.httpPerSec.toFixed(0)}/s, HTTP p50 ${r.httpP50Ms.toFixed(1)} ms, p99 ${r.httpP99Ms.toFixed(1)} ms`);
    console.log(`web at ${r.paced.ratePerSec}/s for ${r.paced.sent}: submit→case p50 ${r.paced.submitToCaseP50Ms.toFixed(0)} ms, p99 ${r.paced.submitToCaseP99Ms.toFixed(0)} ms; HTTP p99 ${r.paced.httpP99Ms.toFixed(1)} ms`);
    console.log(`web worker: ${r.transactions.count} judging transactions through the full-speed run, ${r.transactions.meanSize.toFixed(1)} submissions each on average`);
    const c = r.cpuMsPerSubmission;
    const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(3)} ms`);
    const total = c.gateway !== null && c.worker !== null && c.services !== null ? c.gateway + c.worker + c.services + c.load : null;
    console.log(
      `web CPU per submission over the full-speed run: gateway ${ms(c.gateway)}, worker ${ms(c.worker)}, Postgres and Redis ${ms(c.services)}, HTTP load ${ms(c.load)}` +
        (total !== null ? `; ${total.toFixed(2)} ms in all, a ceiling of ${((availableParallelism() * 1000) / total).toFixed(0)} submissions/s on this host's cores` : ''),
    );
    console.log(`raw BullMQ add → no-op worker (same producer concurrency): ${r.rawBaselinePerSec.toFixed(0)} jobs/s; ratio ${r.ratio.toFixed(2)}`);
  }
  if (want('hotline')) {
    const r = await hotlineImportBench(Number(process.env.BENCH_HOTLINE_ROWS ?? 100_000));
    results.hotline = r;
    console.log(`hotline import (GBK CSV, ${r.rows} rows, ${r.fileMb.toFixed(0)} MB, worker stopped): ${r.rowsPerSec.toFixed(0)} rows/s (${r.seconds.toFixed(1)} s), peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.jobsQueued} judging jobs queued`);
  }
  if (want('wechat')) {
    const r = await wechatPushBench({ followers: Number(process.env.BENCH_WECHAT_FOLLOWERS ?? 10000), concurrency: 64, pacedRate: 200, pacedSeconds: 10 });
    results.wechat = r;
    console.log(`wechat pushes (signed, gathered, answered; gateway process): ${r.pushesPerSec.toFixed(0)} pushes/s over ${r.pushes} (HTTP concurrency ${r.concurrency}), p50 ${r.httpP50Ms.toFixed(1)} ms, p99 ${r.httpP99Ms.toFixed(1)} ms; ${r.submissionsRecorded}/${r.followers} conversations recorded`);
    const cpu = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(3)} ms`);
    console.log(`wechat CPU per push during that run: gateway ${cpu(r.gatewayCpuMsPerPush)}, Postgres backends ${cpu(r.postgresCpuMsPerPush)}`);
    console.log(`wechat at ${r.paced.ratePerSec} pushes/s for ${r.paced.sent}: p50 ${r.paced.httpP50Ms.toFixed(1)} ms, p99 ${r.paced.httpP99Ms.toFixed(1)} ms, max ${r.paced.httpMaxMs.toFixed(1)} ms`);
  }
  if (want('email')) {
    const r = await emailImapBench(Number(process.env.BENCH_EMAIL_MESSAGES ?? 10_000));
    results.email = r;
    console.log(`email IMAP → inbox (fetch, record, acknowledge; ${r.messages} mixed messages): ${r.perSec.toFixed(0)} messages/s (${r.seconds.toFixed(1)} s), peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    console.log(`email peak RSS, 500-message mix with message cap ${r.memory.maxMessageBytes / 1024 / 1024} MB: ${r.memory.baselineMb.toFixed(0)} MB without, ${r.memory.with25MbMb.toFixed(0)} MB with a 25 MB attachment, ${r.memory.with50MbMb.toFixed(0)} MB with a 50 MB one`);
  }
  if (want('dedup')) {
    const tiers = (process.env.BENCH_DEDUP_TIERS ?? '10000,100000,1000000').split(',').map(Number);
    const r = await dedupBench(tiers, Number(process.env.BENCH_DEDUP_PROBES ?? 2000));
    results.dedup = r;
    console.log(`dedup cost at ${r.tiers[r.tiers.length - 1].cases.toLocaleString('en')} cases / at ${r.tiers[0].cases.toLocaleString('en')}: ${r.ratio.toFixed(2)}× (median)`);
  }
  // A million rows takes a while: only when asked for (`--only hotline-1m` or BENCH_HOTLINE_1M=1).
  if (only?.includes('hotline-1m') || process.env.BENCH_HOTLINE_1M === '1') {
    const r = await hotlineImportBench(1_000_000);
    results['hotline-1m'] = r;
    console.log(`hotline import (GBK CSV, ${r.rows} rows, ${r.fileMb.toFixed(0)} MB, worker stopped): ${r.rowsPerSec.toFixed(0)} rows/s (${r.seconds.toFixed(1)} s), peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  }
  console.log(JSON.stringify(results));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
