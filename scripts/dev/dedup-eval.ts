/**
 * Measures duplicate detection on the labelled samples: incremental clustering in submission-time order,
 * pairwise precision/recall against truth `incident`, the grey band, and the cost per submission.
 * Division and category come from truth.jsonl as an oracle (the real stages supply them).
 *
 *   npx swc scripts/dev/dedup-eval.ts scripts/dev/dedup-samples.ts libs -d /tmp/dd-eval --config-file .swcrc -q \
 *     && node /tmp/dd-eval/scripts/dev/dedup-eval.js [--verbose] [--auto-without-division] [--pairwise]
 * (run from the repository root: npm packages and the rule tables are found from the working directory)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Dedup from '../../libs/pipeline/src/dedup';
import { loadSamples, type SampleRecord } from './dedup-samples';

// swc compiles only .ts: put the rule tables next to the compiled code before the dedup modules load them.
const rulesSrc = path.join(process.cwd(), 'libs/pipeline/rules');
const rulesOut = path.join(__dirname, '../../libs/pipeline/rules');
fs.mkdirSync(rulesOut, { recursive: true });
for (const f of fs.readdirSync(rulesSrc)) fs.copyFileSync(path.join(rulesSrc, f), path.join(rulesOut, f));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dedup: typeof Dedup = require('../../libs/pipeline/src/dedup');

const verbose = process.argv.includes('--verbose');
const PEPPER = 'dedup-eval';

interface Item {
  /** Why the submission attached where it did (case mode). */
  why?: string;
  rec: SampleRecord;
  side: Dedup.MatchSide;
  keys: string[];
  cluster: number;
}

function keyOfRef(channel: string, ref: Record<string, unknown>): string {
  if (channel === 'hotline' || channel === 'letters') return `${channel}|${ref.file}|${ref.row}`;
  if (channel === 'telegram') return `telegram|${ref.file}|${ref.index}`;
  return `${channel}|${ref.file}`;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function pairwise(valid: SampleRecord[], clusterOf: Map<string, number>) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const fps: [SampleRecord, SampleRecord][] = [];
  const fns: [SampleRecord, SampleRecord][] = [];
  for (let i = 0; i < valid.length; i++) {
    for (let j = i + 1; j < valid.length; j++) {
      const same = valid[i].truth.expect.incident === valid[j].truth.expect.incident;
      const pred = clusterOf.get(valid[i].key) === clusterOf.get(valid[j].key);
      if (same && pred) tp++;
      else if (pred) {
        fp++;
        fps.push([valid[i], valid[j]]);
      } else if (same) {
        fn++;
        fns.push([valid[i], valid[j]]);
      }
    }
  }
  return { tp, fp, fn, precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), fps, fns };
}

function simulate(records: SampleRecord[], config: Dedup.MatchConfig, bands: Dedup.BandOptions) {
  const valid = records.filter((r) => r.truth.expect.validity === 'valid');
  const byKey = new Map(records.map((r) => [r.key, r]));
  // Redeliveries are one submission by source key; folded chat messages are part of the text they precede.
  const primary = valid.filter((r) => !r.truth.expect.redelivery_of && !r.foldedInto).sort((a, b) => a.at - b.at);
  const index = new Map<string, number[]>();
  const items: Item[] = [];
  const clusterOf = new Map<string, number>();
  let clusters = 0;
  const clusterDivision: (string | null)[] = [];
  let grey = 0;
  let featureMs = 0;
  let scoreMs = 0;
  let scored = 0;
  let probes = 0;
  for (const rec of primary) {
    const t0 = now();
    const f = dedup.extractIncidentFeatures({ text: rec.text, title: rec.title, subject: rec.subject, address: rec.address });
    const signature = dedup.minhash(f.shingles);
    const keys = dedup.anchorKeys(f, signature, bands);
    featureMs += now() - t0;
    const side: Dedup.MatchSide = {
      ...f,
      divisionCode: rec.truth.expect.division,
      category: rec.truth.expect.category,
      at: rec.at,
      complainantKey: dedup.complainantKeyOf(rec.complainant, PEPPER),
      signature,
    };
    const probe = dedup.probeKeys(side.divisionCode, side.category!, keys);
    probes += probe.length;
    const candidates = new Set<number>();
    for (const k of probe) for (const i of index.get(k) ?? []) candidates.add(i);
    const t1 = now();
    let best: { score: number; decision: Dedup.MatchDecision; cluster: number } | null = null;
    for (const i of candidates) {
      if (dedup.refineCaseDivision(clusterDivision[items[i].cluster], side.divisionCode) === 'conflict') continue;
      const m = dedup.scoreMatch(side, items[i].side, config);
      scored++;
      if (!best || m.score > best.score) best = { score: m.score, decision: m.decision, cluster: items[i].cluster };
    }
    scoreMs += now() - t1;
    let cluster: number;
    if (best?.decision === 'auto') cluster = best.cluster;
    else {
      if (best?.decision === 'suggested') grey++;
      cluster = clusters++;
      clusterDivision[cluster] = null;
    }
    clusterDivision[cluster] = dedup.refineCaseDivision(clusterDivision[cluster], side.divisionCode) as string | null;
    const item: Item = { rec, side, keys, cluster };
    items.push(item);
    clusterOf.set(rec.key, cluster);
    for (const k of dedup.storeKeys(side.divisionCode, side.category!, keys)) {
      const list = index.get(k);
      if (list) list.push(items.length - 1);
      else index.set(k, [items.length - 1]);
    }
  }
  for (const r of valid) {
    if (clusterOf.has(r.key)) continue;
    const target = r.foldedInto ?? keyOfRef(r.truth.channel, r.truth.expect.redelivery_of!);
    const c = clusterOf.get(target) ?? clusterOf.get(byKey.get(target)?.foldedInto ?? '');
    clusterOf.set(r.key, c ?? clusters++);
  }
  return { valid, primary, items, clusterOf, grey, featureMs, scoreMs, scored, probes, indexRows: [...index.values()].reduce((s, l) => s + l.length, 0) };
}

/**
 * Case-level matching, as the pipeline does it: each case keeps the union of its members' features
 * (mergeCaseFeatures) and its members' keys; a submission is scored against every candidate case
 * (chooseCase) and attaches on 'auto'.
 */
function simulateCases(records: SampleRecord[], config: Dedup.MatchConfig, bands: Dedup.BandOptions) {
  const valid = records.filter((r) => r.truth.expect.validity === 'valid');
  const byKey = new Map(records.map((r) => [r.key, r]));
  const primary = valid.filter((r) => !r.truth.expect.redelivery_of && !r.foldedInto).sort((a, b) => a.at - b.at);
  const index = new Map<string, Set<number>>();
  const cases: Dedup.CaseFeatures[] = [];
  const items: Item[] = [];
  const clusterOf = new Map<string, number>();
  let grey = 0;
  let uniqueAuto = 0;
  let uniqueWrong = 0;
  let featureMs = 0;
  let scoreMs = 0;
  let scored = 0;
  let probes = 0;
  for (const rec of primary) {
    const t0 = now();
    const f = dedup.extractIncidentFeatures({ text: rec.text, title: rec.title, subject: rec.subject, address: rec.address });
    const signature = dedup.minhash(f.shingles);
    const keys = dedup.anchorKeys(f, signature, bands);
    featureMs += now() - t0;
    const side: Dedup.MatchSide = {
      ...f,
      divisionCode: rec.truth.expect.division,
      category: rec.truth.expect.category,
      at: rec.at,
      complainantKey: dedup.complainantKeyOf(rec.complainant, PEPPER),
      signature,
    };
    const probe = dedup.probeKeys(side.divisionCode, side.category!, keys);
    probes += probe.length;
    const found = new Set<number>();
    for (const k of probe) for (const c of index.get(k) ?? []) found.add(c);
    const t1 = now();
    const choice = dedup.chooseCase(side, [...found].map((c) => ({ caseId: c, features: cases[c] })), config);
    scored += found.size;
    scoreMs += now() - t1;
    let cluster: number;
    if (choice.decision === 'auto' && choice.caseId !== null) {
      cluster = choice.caseId;
      cases[cluster] = dedup.mergeCaseFeatures(cases[cluster], side);
      if (choice.reasons.some((r) => r.startsWith('polluter name unique'))) {
        uniqueAuto++;
        const first = items.find((it) => it.cluster === cluster);
        const wrong = !!first && first.rec.truth.expect.incident !== rec.truth.expect.incident;
        if (wrong) uniqueWrong++;
        if (verbose) {
          const p = choice.result!.parts;
          console.log(`unique-name ${wrong ? 'WRONG' : 'right'} ${rec.truth.expect.incident}→${first?.rec.truth.expect.incident} e=${p.entity} pl=${p.place} pr=${p.problem?.toFixed(2)} t=${p.text.toFixed(2)} d=${p.days.toFixed(0)} c=${p.sameComplainant} ${side.entity}/${cases[cluster].entities.map((e) => e.core)} ${cases[cluster].divisionCode ?? '-'}/${side.divisionCode ?? '-'}`);
        }
      }
    } else {
      if (choice.decision === 'suggested') grey++;
      cluster = cases.length;
      cases.push(dedup.caseFeaturesOf(side));
    }
    const why = `${choice.decision} ${choice.score.toFixed(2)} ${choice.reasons.join('; ')}`;
    items.push({ rec, side, keys, cluster, why });
    clusterOf.set(rec.key, cluster);
    for (const k of dedup.storeKeys(cases[cluster].divisionCode, side.category!, keys)) {
      const set = index.get(k);
      if (set) set.add(cluster);
      else index.set(k, new Set([cluster]));
    }
  }
  let clusters = cases.length;
  for (const r of valid) {
    if (clusterOf.has(r.key)) continue;
    const target = r.foldedInto ?? keyOfRef(r.truth.channel, r.truth.expect.redelivery_of!);
    const c = clusterOf.get(target) ?? clusterOf.get(byKey.get(target)?.foldedInto ?? '');
    clusterOf.set(r.key, c ?? clusters++);
  }
  const caseJsonBytes = cases.map((c) => JSON.stringify(c).length).sort((a, b) => a - b);
  return {
    valid,
    primary,
    items,
    cases,
    clusterOf,
    grey,
    uniqueAuto,
    uniqueWrong,
    featureMs,
    scoreMs,
    scored,
    probes,
    indexRows: [...index.values()].reduce((s, l) => s + l.size, 0),
    caseJsonMedian: caseJsonBytes[caseJsonBytes.length >> 1],
    caseJsonMax: caseJsonBytes[caseJsonBytes.length - 1],
  };
}

function show(r: SampleRecord): string {
  return `${r.truth.expect.incident} ${r.truth.expect.division} ${r.truth.channel} | ${r.subject ?? ''} | ${r.text.replace(/\s+/g, ' ').slice(0, 90)}`;
}

/** Text-signal comparison within compatible blocks: MinHash Jaccard vs SimHash, and LSH band recall. */
function compareSignatures(items: Item[]) {
  const rows: { same: boolean; j: number; jEst: number; sim: number }[] = [];
  const sims = items.map((it) => dedup.simhash64(it.side.shingles));
  for (let i = 0; i < items.length; i++) {
    for (let k = i + 1; k < items.length; k++) {
      const a = items[i].side;
      const b = items[k].side;
      if (a.category !== b.category || dedup.divisionCompatibility(a.divisionCode, b.divisionCode) === 'conflict') continue;
      rows.push({
        same: items[i].rec.truth.expect.incident === items[k].rec.truth.expect.incident,
        j: dedup.shingleJaccard(a.shingles, b.shingles),
        jEst: dedup.estimateJaccard(a.signature!, b.signature!),
        sim: 1 - dedup.hammingDistance64(sims[i], sims[k]) / 64,
      });
    }
  }
  const auc = (pick: (r: (typeof rows)[number]) => number) => {
    const pos = rows.filter((r) => r.same).map(pick);
    const neg = rows.filter((r) => !r.same).map(pick);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    return wins / (pos.length * neg.length || 1);
  };
  const pos = rows.filter((r) => r.same);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
  console.log(`\nText signal over ${rows.length} block-compatible pairs (${pos.length} same-incident):`);
  console.log(`  AUC exact shingle Jaccard ${auc((r) => r.j).toFixed(3)}, MinHash-64 estimate ${auc((r) => r.jEst).toFixed(3)}, SimHash-64 ${auc((r) => r.sim).toFixed(3)}`);
  console.log(`  mean |MinHash − exact| ${mean(rows.map((r) => Math.abs(r.jEst - r.j))).toFixed(3)}; same-incident exact J median ${pos.map((r) => r.j).sort((a, b) => a - b)[pos.length >> 1]?.toFixed(3)}`);
  for (const bands of [
    { bands: 16, rows: 4 },
    { bands: 32, rows: 2 },
    { bands: 21, rows: 3 },
  ]) {
    let hitPos = 0;
    let hitNeg = 0;
    const bandSets = items.map((it) => new Set(dedup.lshBands(it.side.signature!, bands)));
    let n = 0;
    for (let i = 0; i < items.length; i++) {
      for (let k = i + 1; k < items.length; k++) {
        const a = items[i].side;
        const b = items[k].side;
        if (a.category !== b.category || dedup.divisionCompatibility(a.divisionCode, b.divisionCode) === 'conflict') continue;
        const hit = [...bandSets[i]].some((x) => bandSets[k].has(x));
        if (items[i].rec.truth.expect.incident === items[k].rec.truth.expect.incident) hitPos += hit ? 1 : 0;
        else hitNeg += hit ? 1 : 0;
        n++;
      }
    }
    console.log(`  LSH ${bands.bands}×${bands.rows}: same-incident pairs sharing a band ${(hitPos / (pos.length || 1)).toFixed(3)}, other pairs ${hitNeg}/${n - pos.length}`);
  }
}

async function main() {
  const records = await loadSamples();
  // --auto-without-division: let a submission without a division attach automatically on the polluter's name.
  const config: Dedup.MatchConfig = {
    ...dedup.DEFAULT_MATCH_CONFIG,
    weights: { ...dedup.DEFAULT_MATCH_CONFIG.weights },
    autoWithoutDivision: process.argv.includes('--auto-without-division'),
  };
  // --set name=value (autoThreshold=0.4, weights.placeSame=0.3): try a configuration without editing code.
  for (let i = 0; i < process.argv.length; i++) {
    if (process.argv[i] !== '--set') continue;
    const [name, value] = process.argv[i + 1].split('=');
    const [head, tail] = name.split('.');
    if (tail) (config.weights as unknown as Record<string, number>)[tail] = Number(value);
    else (config as unknown as Record<string, unknown>)[head] = value === 'true' ? true : value === 'false' ? false : Number.isNaN(Number(value)) ? value : Number(value);
  }
  const pairwiseMode = process.argv.includes('--pairwise');
  const run = pairwiseMode ? simulate(records, config, dedup.DEFAULT_BANDS) : simulateCases(records, config, dedup.DEFAULT_BANDS);
  const pw = pairwise(run.valid, run.clusterOf);
  console.log(pairwiseMode ? 'mode: report-to-report (scoreMatch against single members)' : 'mode: report-to-case (chooseCase over case features)');
  if ('cases' in run) {
    console.log(`automatic attachments by a unique polluter name without division ${run.uniqueAuto} (${run.uniqueWrong} to another incident's case); case features JSON median ${run.caseJsonMedian} B, max ${run.caseJsonMax} B`);
  }
  console.log(`valid records ${run.valid.length} (matched ${run.primary.length}; redeliveries and folded chat messages follow their original)`);
  console.log(`clusters ${new Set(run.clusterOf.values()).size} vs truth incidents ${new Set(run.valid.map((r) => r.truth.expect.incident)).size}`);
  console.log(`pairwise precision ${pw.precision.toFixed(4)} recall ${pw.recall.toFixed(4)} (tp ${pw.tp}, fp ${pw.fp}, fn ${pw.fn}); grey band (best candidate 'suggested') ${run.grey}`);
  console.log(`keys: ${(run.probes / run.primary.length).toFixed(1)} probes per submission, ${run.indexRows} stored rows; candidates scored ${run.scored} (${(run.scored / run.primary.length).toFixed(1)} per submission)`);

  // Cost: repeat features + signature and scoring several times for stable numbers.
  const reps = 20;
  const t0 = now();
  for (let k = 0; k < reps; k++) {
    for (const r of run.primary) {
      const f = dedup.extractIncidentFeatures({ text: r.text, title: r.title, subject: r.subject, address: r.address });
      dedup.anchorKeys(f, dedup.minhash(f.shingles), dedup.DEFAULT_BANDS);
    }
  }
  const perSubmission = (now() - t0) / (reps * run.primary.length);
  const sides = run.items.map((i) => i.side);
  const t1 = now();
  let n = 0;
  for (let k = 0; k < 2; k++) {
    for (let i = 0; i + 1 < sides.length; i++) {
      for (let j = i + 1; j < Math.min(sides.length, i + 30); j++) {
        dedup.scoreMatch(sides[i], { ...sides[j], category: sides[i].category, divisionCode: sides[i].divisionCode });
        n++;
      }
    }
  }
  const perScore = ((now() - t1) * 1000) / n;
  console.log(`cost: features + MinHash + keys ${(perSubmission * 1000).toFixed(1)} µs per submission; scoreMatch ${perScore.toFixed(2)} µs per candidate (full scoring, no gate)`);

  compareSignatures(run.items);

  if (process.argv.includes('--splits') && 'cases' in run) {
    // Every submission that did not join the case of its incident's first report, and why.
    const firstCase = new Map<string, number>();
    const tally = new Map<string, number>();
    for (const it of run.items) {
      const inc = it.rec.truth.expect.incident!;
      if (!firstCase.has(inc)) {
        firstCase.set(inc, it.cluster);
        continue;
      }
      const target = firstCase.get(inc)!;
      if (it.cluster === target) continue;
      const m = dedup.scoreAgainstCase(it.side, run.cases[target]);
      const p = m.parts;
      const cause =
        m.decision === 'none' && m.score === 0
          ? m.reasons[m.reasons.length - 1].replace(/ \(.*$/, '')
          : `${m.decision} e=${p.entity} pl=${p.place} div=${p.division}`;
      tally.set(cause, (tally.get(cause) ?? 0) + 1);
      console.log(`split ${inc} [${cause}] ${m.score.toFixed(2)} ${m.reasons.join('; ')}\n    ${show(it.rec)}\n    e=${it.side.entity} al=${it.side.aliases} k=${it.side.kind} p=${it.side.places} t=${it.side.townships}\n    case: e=${run.cases[target].entities.map((e) => e.core)} al=${run.cases[target].aliases} k=${run.cases[target].kinds} p=${run.cases[target].places} t=${run.cases[target].townships} g=${run.cases[target].problemGroups}`);
    }
    console.log([...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
  }
  if (verbose) {
    const seen = new Set<string>();
    console.log('\nFalse merges:');
    for (const [a, b] of pw.fps.slice(0, 40)) {
      const why = (r: SampleRecord) => run.items.find((i) => i.rec.key === r.key)?.why ?? '';
      console.log(`  ${show(a)}\n    ← ${why(a)}\n  ${show(b)}\n    ← ${why(b)}\n`);
    }
    console.log('Missed pairs:');
    for (const [a, b] of pw.fns) {
      const k = `${a.truth.expect.incident}`;
      if (seen.has(k) && seen.size > 60) continue;
      seen.add(k);
      const ia = run.items.find((i) => i.rec.key === a.key);
      const ib = run.items.find((i) => i.rec.key === b.key);
      const [early, late] = ia && ib && ia.side.at > ib.side.at ? [ib, ia] : [ia, ib];
      const m =
        early && late ? ('cases' in run ? dedup.scoreAgainstCase(late.side, run.cases[early.cluster]) : dedup.scoreMatch(late.side, early.side)) : null;
      console.log(`  ${show(a)}\n  ${show(b)}\n    → ${m ? `${m.score.toFixed(2)} ${m.reasons.join('; ')}` : 'folded/redelivery'}`);
      if (ia && ib) console.log(`    e=${ia.side.entity}/${ib.side.entity} k=${ia.side.kind}/${ib.side.kind} p=${ia.side.places}/${ib.side.places} t=${ia.side.townships}/${ib.side.townships}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
