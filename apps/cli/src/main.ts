import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { CliError, checkServices, cliConfig, migrateWith, openContext, type CliContext } from './cli-context';
import { drain } from './commands/drain.command';
import { exportJsonl } from './commands/export.command';
import { ingest } from './commands/ingest.command';
import { replay } from './commands/replay.command';
import { rejudgeCommand } from './commands/rejudge.command';

const print = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function withContext(fn: (ctx: CliContext) => Promise<number | void>): Promise<void> {
  const ctx = await openContext();
  let code: number | void = 0;
  try {
    code = await fn(ctx);
  } finally {
    await ctx.close();
  }
  process.exitCode = typeof code === 'number' ? code : 0;
}

const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of seconds');
  return n;
};

const program = new Command('huiliu').description('Huiliu operator command line').showHelpAfterError();

program
  .command('ingest')
  .description("feed native-format files through a channel's adapter into the inbox and the queue")
  .requiredOption('--channel <type-or-name>', 'a channel type (its default channel) or a configured channel name')
  .argument('<paths...>', 'files or directories')
  .action((paths: string[], o: { channel: string }) => withContext(async (ctx) => print(await ingest(ctx, o.channel, paths))));

program
  .command('drain')
  .description('wait until nothing is waiting, active or delayed (exit 1 on timeout)')
  .option('--timeout <seconds>', 'give up after this long', seconds, 300)
  .action((o: { timeout: number }) =>
    withContext(async (ctx) => {
      const ok = await drain(ctx, o.timeout);
      print({ drained: ok });
      return ok ? 0 : 1;
    }),
  );

program
  .command('export')
  .description('print one JSON line per submission')
  .option('--format <format>', 'jsonl', 'jsonl')
  .option('--out <file>', 'write to a file instead of stdout')
  .action((o: { format: string; out?: string }) =>
    withContext(async (ctx) => {
      if (o.format !== 'jsonl') throw new CliError(`unknown format ${o.format} (jsonl)`);
      const n = await exportJsonl(ctx, o.out ?? null);
      if (o.out) print({ exported: n, out: o.out });
    }),
  );

program
  .command('replay')
  .description('re-enqueue submissions that are recorded but unfinished')
  .action(() => withContext(async (ctx) => print({ replayed: await replay(ctx) })));

program
  .command('rejudge')
  .description('re-run the rules over stored submissions (after the rule tables change) and report what changed; corrections are kept')
  .option('--since <date>', 'only submissions received since this date')
  .action((o: { since?: string }) => withContext(async (ctx) => print(await rejudgeCommand(ctx, o.since))));

program
  .command('migrate')
  .description('check Postgres and Redis, and apply database migrations')
  .action(async () => {
    const config = cliConfig();
    await checkServices(config);
    print({ applied: await migrateWith(config) });
  });

program.parseAsync(process.argv).catch((err) => {
  if (err instanceof CliError) {
    process.stderr.write(`huiliu: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`huiliu: ${err?.stack ?? err}\n`);
  process.exit(1);
});
