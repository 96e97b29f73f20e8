/**
 * Development-only: scores validate → locate → classify against a labelled JSONL of plain complaint texts
 * (one `{id, channel, title, text, address, district_code, expect}` per line, `expect` as in the sample
 * corpus's truth), to see how the rules do on phrasing they were not tuned on. Prints accuracy per decision
 * and, with --verbose, every disagreement. Without a file it reads the labelled texts the unit tests use.
 *
 *   npx swc scripts/dev/text-eval.ts libs -d /tmp/text-eval --config-file .swcrc -q --copy-files && \
 *     NODE_PATH=$PWD/node_modules node /tmp/text-eval/scripts/dev/text-eval.js [FILE.jsonl] [--verbose]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? path.join(repoRoot, 'libs/pipeline/src/judge/__tests__/fixtures/judging-texts.jsonl');
  // swc does not copy the JSON rule tables next to the compiled stages: put them where the loader looks.
  fs.cpSync(path.join(repoRoot, 'libs/pipeline/rules'), path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
  const { judge, defaultStages } = await import('@huiliu/pipeline');
  const { readLabelledTexts, scoreTexts, submissionOf } = await import('../../libs/pipeline/src/judge/__tests__/labelled-texts.util');
  const stages = defaultStages();
  const score = scoreTexts(readLabelledTexts(file), (r) => judge({ submission: submissionOf(r) }, stages));
  const pct = ({ right, total }: { right: number; total: number }) => `${right}/${total} (${total ? ((100 * right) / total).toFixed(1) : '-'}%)`;
  console.log(`validity ${pct(score.validity)}; category ${pct(score.category)}; division ${pct(score.division)}`);
  if (args.includes('--verbose')) for (const m of score.mistakes) console.log(m);
  else console.log(`${score.mistakes.length} disagreements (--verbose lists them)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
