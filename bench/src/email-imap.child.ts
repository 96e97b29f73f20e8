import 'reflect-metadata';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@huiliu/intake';
import { ChannelRepository } from '@huiliu/store';
import { openContext } from '../../apps/cli/src/cli-context';
import { EmailRunner } from '../../apps/worker/src/email/email.runner';

/**
 * The fetching process of the e-mail benchmark: the shared context plus the e-mail runner only (no judging),
 * one channel on the mailbox given in argv, timed from start until every message is acknowledged.
 * Prints {messages, seconds, peak RSS} as JSON.
 */
async function main() {
  const [host, port, user, password, expectedArg] = process.argv.slice(2);
  const expected = Number(expectedArg);
  const ctx = await openContext();
  try {
    const channel = await ctx.app.get(ChannelRepository).create({
      type: 'email',
      name: `bench-${user}`,
      settings: { host, port: Number(port), security: 'none', user, folder: 'INBOX', pollIntervalSeconds: 5 },
      credentials: { password },
    });
    const ds = ctx.app.get<DataSource>(DATA_SOURCE);
    const runner = new EmailRunner({ app: ctx.app, config: { ...ctx.config, EMAIL_RUNNER: true }, logger: ctx.logger, metrics: new Registry() });
    const t0 = process.hrtime.bigint();
    await runner.start();
    let taken = 0;
    for (;;) {
      const [row] = await ds.query(`SELECT last_uid FROM mailbox_checkpoints WHERE channel_id = $1`, [channel.id]);
      taken = row ? Number(row.last_uid) : 0;
      if (taken >= expected) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const t1 = process.hrtime.bigint();
    await runner.stop();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM submissions WHERE channel_id = $1`, [channel.id]);
    process.stdout.write(`${JSON.stringify({ messages: taken, submissions: n, seconds: Number(t1 - t0) / 1e9, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
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
