import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

/**
 * The baseline: BullMQ with nothing else, add → worker no-op, with the producer concurrency the web
 * benchmark uses: `producerConcurrency` producers, each awaiting its add before the next, as each of the
 * web benchmark's HTTP connections awaits its answer before posting again. The worker runs in a child
 * process with the real worker's default concurrency (64), as the real worker does.
 */
export async function rawBullmqBaseline(redisUrl: string, prefix: string, jobs: number, producerConcurrency: number): Promise<{ jobsPerSec: number }> {
  const { fork } = await import('node:child_process');
  const child = fork(__filename, ['--raw-worker', redisUrl, prefix, String(jobs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const queue = new Queue('rawbench', { connection: new IORedis(redisUrl, { maxRetriesPerRequest: null }), prefix });
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: producerConcurrency }, async () => {
      while (next < jobs) {
        const i = next++;
        await queue.add('noop', { i }, { jobId: `raw-${i}`, removeOnComplete: true });
      }
    }),
  );
  const done = await new Promise<number>((resolve) => child.once('message', (m: { done: number }) => resolve(m.done)));
  const seconds = (done - t0) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  child.kill();
  return { jobsPerSec: jobs / seconds };
}

if (process.argv[2] === '--raw-worker') {
  const [, , , redisUrl, prefix, total] = process.argv;
  let n = 0;
  const worker = new Worker('rawbench', async () => undefined, { connection: new IORedis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 64 });
  worker.on('completed', () => {
    if (++n === Number(total)) process.send!({ done: Date.now() });
  });
  worker.waitUntilReady().then(() => process.send!({ ready: true }));
}
