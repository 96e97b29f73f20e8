import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ChannelRepository } from '@huiliu/store';
import { createImporter, IntakeQueue } from '@huiliu/intake';
import { openContext } from '../../apps/cli/src/cli-context';

/**
 * The importing process of the hotline benchmark: opens the same context as the CLI, imports one file and
 * prints {rows, seconds, peak RSS} as JSON. Only the import (store + rows → inbox + queue) is timed.
 */
async function main() {
  const file = process.argv[2];
  const ctx = await openContext();
  try {
    const channel = await ctx.app.get(ChannelRepository).defaultFor('hotline');
    const importer = createImporter(ctx.app);
    const t0 = process.hrtime.bigint();
    const imp = await importer.store({ channel, fileName: basename(file), contentType: 'text/csv', body: createReadStream(file), origin: 'cli' });
    const stored = process.hrtime.bigint();
    const r = await importer.run(imp.id);
    const t1 = process.hrtime.bigint();
    const queued = await ctx.app.get(IntakeQueue).unfinished();
    process.stdout.write(
      `${JSON.stringify({
        rows: r.rowsRead,
        recorded: r.recorded,
        rejected: r.rejected,
        status: r.status,
        fileBytes: statSync(file).size,
        storeSeconds: Number(stored - t0) / 1e9,
        seconds: Number(t1 - t0) / 1e9,
        jobsQueued: queued.waiting,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      })}\n`,
    );
  } finally {
    await ctx.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
