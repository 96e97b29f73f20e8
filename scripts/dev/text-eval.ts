/**
 * Development-only: scores validate → locate → classify against a labelled JSONL of plain complaint texts
 * (one `{id, channel, title, text, address, district_code, expect}` per line, `expect` as in the sample
 * corpus's truth), to see how the rules do on phrasing they were not tuned on. Prints accuracy per
 * decision and every disagreement.
 *
 *   npx swc scripts/dev/text-eval.ts libs -d /tmp/text-eval --config-file .swcrc -q --copy-files && \
 *     NODE_PATH=$PWD/node_modules node /tmp/text-eval/scripts/dev/text-eval.js FILE.jsonl [--verbose]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();

interface Labelled {
  id: string;
  channel: string;
  title: string | null;
  text: string;
  address: string | null;
  district_code: string | null;
  expect: {
    validity: 'valid' | 'out_of_scope' | 'invalid';
    reason: string | null;
    category: string | null;
    division: string | null;
    division_level: string | null;
    division_candidates: string[] | null;
  };
  note?: string;
}

const STATUS = { valid: 'accepted', out_of_scope: 'out_of_scope', invalid: 'rejected' } as const;
const CHANNELS = new Set(['web', 'hotline', 'email', 'telegram', 'wechat', 'letter', 'visit', 'transfer', 'weibo']);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: text-eval FILE.jsonl [--verbose]');
  fs.cpSync(path.join(repoRoot, 'libs/pipeline/rules'), path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
  const { parseSubmission } = await import('@huiliu/contracts');
  const { judge, defaultStages } = await import('@huiliu/pipeline');
  const stages = defaultStages();

  const rows = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);

  const score = { validity: [0, 0], category: [0, 0], division: [0, 0] };
  const mistakes: string[] = [];
  for (const r of rows) {
    const channelType = r.channel === 'letters' ? 'letter' : CHANNELS.has(r.channel) ? r.channel : 'web';
    const submission = parseSubmission({
      schemaVersion: 1,
      channelType,
      ref: r.id,
      title: r.title,
      text: r.text,
      location: { address: r.address, districtCode: r.district_code },
    });
    const j = judge({ submission }, stages);
    const snippet = `${r.title ? `[${r.title}] ` : ''}${r.text}`.replace(/\s+/g, ' ').slice(0, 120) + (r.address ? ` | addr=${r.address}` : '') + (r.district_code ? ` | code=${r.district_code}` : '');
    const want = STATUS[r.expect.validity];
    score.validity[1] += 1;
    if (j.validity.status === want) score.validity[0] += 1;
    else mistakes.push(`VALIDITY ${r.id} want=${want}/${r.expect.reason ?? ''} got=${j.validity.status}/${j.validity.reason ?? ''} ${JSON.stringify(j.validity.reasons.map((x) => [x.rule, x.terms]))} :: ${snippet}`);
    if (r.expect.validity === 'valid') {
      score.category[1] += 1;
      const got = j.category.primary === 'approval' ? 'other' : j.category.primary;
      if (got === r.expect.category) score.category[0] += 1;
      else mistakes.push(`CATEGORY ${r.id} want=${r.expect.category} got=${got} ${JSON.stringify(j.category.reasons.map((x) => [x.rule, x.terms]))} :: ${snippet}`);
    }
    if (r.expect.validity !== 'invalid' && j.validity.status !== 'rejected') {
      score.division[1] += 1;
      const wantLevel = r.expect.division ? r.expect.division_level : r.expect.division_candidates?.length ? 'ambiguous' : null;
      const gotLevel = j.division.code ? j.division.level : j.division.candidates.length ? 'ambiguous' : null;
      const same =
        wantLevel === gotLevel &&
        (r.expect.division ? j.division.code === r.expect.division : wantLevel !== 'ambiguous' || [...(r.expect.division_candidates ?? [])].sort().join() === [...j.division.candidates].sort().join());
      if (same) score.division[0] += 1;
      else
        mistakes.push(
          `DIVISION ${r.id} want=${r.expect.division ?? ''}/${wantLevel}${wantLevel === 'ambiguous' ? `[${r.expect.division_candidates}]` : ''} got=${j.division.code ?? ''}/${gotLevel}${gotLevel === 'ambiguous' ? `[${j.division.candidates}]` : ''} ${JSON.stringify(j.division.reasons.map((x) => [x.rule, x.detail ?? x.terms]))} :: ${snippet}`,
        );
    }
  }
  const pct = ([a, b]: number[]) => `${a}/${b} (${b ? ((100 * a) / b).toFixed(1) : '-'}%)`;
  console.log(`validity ${pct(score.validity)}; category ${pct(score.category)}; division ${pct(score.division)}`);
  if (args.includes('--verbose')) for (const m of mistakes) console.log(m);
  else console.log(`${mistakes.length} disagreements (--verbose lists them)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
