/**
 * Learns libs/pipeline/rules/category.model.json from the labelled texts (by default the fixture the unit
 * tests use; more files may be given). Run it whenever the labelled texts, or the way the rules normalise
 * text, change: a unit test fails while the table is stale.
 *
 *   npm run rules:train-category-model [-- FILE.jsonl ...]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();

const FIXTURE = path.join(repoRoot, 'libs/pipeline/src/judge/__tests__/fixtures/judging-texts.jsonl');
const OUT = path.join(repoRoot, 'libs/pipeline/rules/category.model.json');

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  // swc does not copy the JSON rule tables next to the compiled stages: put them where the loader looks.
  fs.cpSync(path.join(repoRoot, 'libs/pipeline/rules'), path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
  const { loadRuleSet } = await import('../../libs/pipeline/src/validate/rule-set.loader');
  const { readLabelledTexts, trainCategoryModelOn } = await import('../../libs/pipeline/src/judge/__tests__/labelled-texts.util');
  // The text the model reads does not depend on the model: train without the table being replaced.
  const rules = loadRuleSet({ categoryModel: 'none' });
  const rows = (files.length ? files : [FIXTURE]).flatMap((f) => readLabelledTexts(f));
  const table = trainCategoryModelOn(rows, rules);
  const json = `${JSON.stringify(table)}\n`;
  fs.writeFileSync(OUT, json);
  console.log(`${path.relative(repoRoot, OUT)}: version ${table.version}, ${table.trainedOn.texts} texts, ${table.counts.length / table.categories.length} runs, ${(Buffer.byteLength(json) / 1e6).toFixed(1)} MB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
