import 'reflect-metadata';
import { webIntakeBench } from './web-intake.bench';

/**
 * `npm run bench [-- --only web]`: prints each figure as it is measured and a JSON line at the end.
 * Uses the local Postgres and Redis (DATABASE_URL / REDIS_URL or BENCH_* to override), in throwaway
 * databases and queue prefixes.
 */
async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
  const want = (name: string) => !only || only.includes(name);
  const results: Record<string, unknown> = {};

  if (want('web')) {
    const submissions = Number(process.env.BENCH_WEB_SUBMISSIONS ?? 20000);
    const r = await webIntakeBench({ submissions, concurrency: 64, pacedRate: 500, pacedSeconds: 10 });
    results.web = r;
    console.log(`web → case, end to end: ${r.endToEndPerSec.toFixed(0)} submissions/s over ${r.submissions} (HTTP concurrency ${r.concurrency}); submit→case p50 ${r.submitToCaseP50Ms.toFixed(0)} ms, p99 ${r.submitToCaseP99Ms.toFixed(0)} ms; HTTP p50 ${r.httpP50Ms.toFixed(1)} ms, p99 ${r.httpP99Ms.toFixed(1)} ms`);
    console.log(`web at ${r.paced.ratePerSec}/s for ${r.paced.sent}: submit→case p50 ${r.paced.submitToCaseP50Ms.toFixed(0)} ms, p99 ${r.paced.submitToCaseP99Ms.toFixed(0)} ms; HTTP p99 ${r.paced.httpP99Ms.toFixed(1)} ms`);
    console.log(`raw BullMQ add → no-op worker (same producer concurrency): ${r.rawBaselinePerSec.toFixed(0)} jobs/s; ratio ${r.ratio.toFixed(2)}`);
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
