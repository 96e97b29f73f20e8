/**
 * Development-only: turns a labelled JSONL of plain complaint texts (the shape text-eval reads) into a corpus
 * in the sample corpus's layout: each text a web form body (web/submission_NNNN.json, ten minutes apart in file
 * order) and a truth.jsonl line, with the other channel folders empty. dedup-eval and ../shared/eval/score.mjs
 * then measure duplicates on it:
 *
 *   npx swc scripts/dev/texts-to-corpus.ts -d /tmp/ttc --config-file .swcrc -q && \
 *     node /tmp/ttc/scripts/dev/texts-to-corpus.js FILE.jsonl OUT_DIR [--prefix S7-]
 *   SAMPLES_DIR=OUT_DIR node /tmp/dd-eval/scripts/dev/dedup-eval.js --real
 *
 * --prefix keeps only the texts whose id starts with it (one labelled set of the fixture at a time: incident
 * ids are only unique within a set).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Labelled {
  id: string;
  title: string | null;
  text: string;
  address: string | null;
  district_code: string | null;
  expect: Record<string, unknown>;
}

function main(): void {
  const [file, out] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const prefixAt = process.argv.indexOf('--prefix');
  const prefix = prefixAt > 0 ? process.argv[prefixAt + 1] : '';
  if (!file || !out) throw new Error('usage: texts-to-corpus FILE.jsonl OUT_DIR [--prefix ID_PREFIX]');
  const rows = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled)
    .filter((r) => r.id.startsWith(prefix));
  for (const dir of ['web', 'hotline', 'letters', 'wechat', 'telegram', 'email']) fs.mkdirSync(path.join(out, dir), { recursive: true });
  const start = Date.parse('2024-09-01T08:00:00+08:00');
  const truth: string[] = [];
  rows.forEach((r, i) => {
    const name = `web/submission_${String(i + 1).padStart(4, '0')}.json`;
    const token = `tok-${r.id}`;
    const at = new Date(start + i * 10 * 60_000).toISOString();
    const body: Record<string, unknown> = { form_version: '2.1', submitted_at: at, client_token: token, title: r.title ?? '', content: r.text, anonymous: true, attachments: [] };
    if (r.address) body.address = r.address;
    if (r.district_code) body.district_code = r.district_code;
    fs.writeFileSync(path.join(out, name), JSON.stringify(body));
    const { validity, reason, division, division_level, division_candidates, category, incident } = r.expect;
    truth.push(JSON.stringify({ channel: 'web', ref: { file: name, client_token: token }, expect: { validity, reason, division, division_level, division_candidates, category, incident }, tags: [] }));
  });
  fs.writeFileSync(path.join(out, 'truth.jsonl'), `${truth.join('\n')}\n`);
  console.log(`${rows.length} texts → ${out}`);
}

main();
