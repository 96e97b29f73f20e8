/**
 * Learns the text models in libs/pipeline/rules/ (category.model.json, validity.model.json) from the labelled
 * texts: by default the fixture the unit tests use; other files may be given. Run it whenever the labelled
 * texts, or the way the rules normalise text, change: a unit test fails while a table is stale.
 *
 *   npm run rules:train-models [-- FILE.jsonl ...]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();

const FIXTURE = path.join(repoRoot, 'libs/pipeline/src/judge/__tests__/fixtures/judging-texts.jsonl');
const RULES = path.join(repoRoot, 'libs/pipeline/rules');

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  // swc does not copy the JSON rule tables next to the compiled stages: put them where the loader looks.
  fs.cpSync(RULES, path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
  const { loadRuleSet } = await import('../../libs/pipeline/src/validate/rule-set.loader');
  const { readLabelledTexts, trainCategoryModelOn, trainValidityModelOn } = await import('../../libs/pipeline/src/judge/__tests__/labelled-texts.util');
  // The text a model reads does not depend on the models: train without the tables being replaced.
  const rules = loadRuleSet({ categoryModel: 'none', validityModel: 'none' });
  const rows = (files.length ? files : [FIXTURE]).flatMap((f) => readLabelledTexts(f));
  for (const [file, table] of [
    ['category.model.json', trainCategoryModelOn(rows, rules)],
    ['validity.model.json', trainValidityModelOn(rows, rules)],
  ] as const) {
    const json = `${JSON.stringify(table)}\n`;
    fs.writeFileSync(path.join(RULES, file), json);
    const runs = table.counts.length / table.classes.length;
    console.log(`libs/pipeline/rules/${file}: version ${table.version}, ${table.trainedOn.texts} texts, ${table.classes.length} classes, ${runs} runs, ${(Buffer.byteLength(json) / 1e6).toFixed(1)} MB`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
