/**
 * Measures duplicate detection on the labelled samples: incremental clustering in submission-time order,
 * pairwise precision/recall against truth `incident` (as ../shared/eval/score.mjs counts them: valid
 * records of an incident, redeliveries and messages edited later left out), and the cost.
 *
 * Division and category come from truth.jsonl as an oracle, or with --real from the real judging stages
 * (defaultStages() + judge()) over the submissions the real adapters build, as the running pipeline does.
 * A suggested duplicate joins its case, as in the pipeline and its export.
 *
 *   npx swc scripts/dev/dedup-eval.ts scripts/dev/dedup-samples.ts scripts/dev/dedup-submissions.ts libs -d /tmp/dd-eval --config-file .swcrc -q \
 *     && node /tmp/dd-eval/scripts/dev/dedup-eval.js [--real] [--holdout] [options]
 * (run from the repository root: npm packages, rule tables and division data are found from there)
 *
 * --holdout        also the figures on the two halves of the incidents (tune: incident id hashes even;
 *                  holdout: odd). Tune rules on the first, check them on the second.
 * --auto-only      a suggested duplicate opens its own case (what attaches without an officer).
 * --order ingest   channel by channel, as score.mjs ingests the corpus (default: time order).
 * --no-candidates  (--real) leave out the candidate counties of an ambiguous place name.
 * --label          (--real) read the label shared with coordinates as part of the address.
 * --set name=value (autoThreshold=0.4, weights.placeSame=0.3): try a configuration without editing code.
 * --pairwise       report-to-report matching (scoreMatch) instead of case features, a diagnostic.
 * Diagnostics (--half tune|holdout limits them to one half):
 * --splits         every submission that did not join its incident's first case, and why.
 * --incidents      incidents split over several cases, each record under its case.
 * --mixed          cases holding records of several incidents.
 * --causes         missed pairs by division/name/place agreement (--blocker: what stopped the later one;
 *                  --show <division agreement>: list them).
 * --grey           suggested attachments, right or wrong. --verbose: chooseCase rule attachments, false merges.
 * --names          submissions left alone because several cases carry their polluter's name, with each such case.
 * --signals        text signal comparison (MinHash, SimHash) over block-compatible pairs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import type * as Dedup from '../../libs/pipeline/src/dedup';

// The compiled script runs from /tmp: resolve packages from the repository, and put the data files that
// swc does not copy (rule tables, division data) next to the compiled code before anything loads them.
const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();
for (const dir of ['libs/pipeline/rules', 'libs/divisions/data', 'libs/adapters/src/hotline/profiles']) {
  fs.cpSync(path.join(repoRoot, dir), path.join(__dirname, '../..', dir), { recursive: true });
}
/* eslint-disable @typescript-eslint/no-require-imports */
const dedup: typeof Dedup = require('../../libs/pipeline/src/dedup');
const { loadSamples } = require('./dedup-samples') as typeof import('./dedup-samples');
const { loadJudgedSubmissions } = require('./dedup-submissions') as typeof import('./dedup-submissions');
/* eslint-enable @typescript-eslint/no-require-imports */
type SampleRecord = import('./dedup-samples').SampleRecord;
type TruthLine = import('./dedup-samples').TruthLine;

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const real = argv.includes('--real');
const withLabel = argv.includes('--label');
/** --auto-only: a suggested duplicate opens a case of its own (only what attaches without an officer). */
const autoOnly = argv.includes('--auto-only');
const order = argv.includes('--order') ? argv[argv.indexOf('--order') + 1] : 'time';
const PEPPER = 'dedup-eval';

/** One submission to match: what extractIncidentFeatures reads, plus the judged division and category. */
interface Entry {
  key: string;
  /** Channel type (hotline, letter, email, telegram, wechat, web). */
  channel: string;
  source: Dedup.IncidentSource;
  at: number;
  complainant: { phone?: string | null; email?: string | null; handle?: string | null };
  /** The counties an ambiguous place name leaves possible (real stages only). */
  divisionCandidates?: string[];
  /** Whether judging accepted it (only accepted submissions are matched and get a case). */
  accepted: boolean;
  /** Truth records it carries. */
  records: TruthLine[];
}

interface Item {
  entry: Entry;
  side: Dedup.MatchSide;
  keys: string[];
  cluster: number;
  /** Why the submission attached where it did. */
  why: string;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function truthKeyOf(t: TruthLine): string {
  const r = t.ref as Record<string, unknown>;
  if (t.channel === 'hotline' || t.channel === 'letters') return `${t.channel}|${r.file}|${r.row}`;
  if (t.channel === 'telegram') return `telegram|${r.file}|${r.index}`;
  return `${t.channel}|${r.file}`;
}

function keyOfRef(channel: string, ref: Record<string, unknown>): string {
  if (channel === 'hotline' || channel === 'letters') return `${channel}|${ref.file}|${ref.row}`;
  if (channel === 'telegram') return `telegram|${ref.file}|${ref.index}`;
  return `${channel}|${ref.file}`;
}

/** Oracle entries: the records as dedup-samples reads them, with truth division and category. */
function oracleEntries(records: SampleRecord[]): { entries: Entry[]; truth: TruthLine[] } {
  const valid = records.filter((r) => r.truth.expect.validity === 'valid');
  const byKey = new Map(records.map((r) => [r.key, r]));
  const entries = new Map<string, Entry>();
  for (const r of valid) {
    if (r.truth.expect.redelivery_of || r.foldedInto) continue;
    entries.set(r.key, {
      key: r.key,
      channel: r.truth.channel === 'letters' ? 'letter' : r.truth.channel,
      source: { text: r.text, title: r.title, subject: r.subject, address: r.address, divisionCode: r.truth.expect.division, category: r.truth.expect.category },
      divisionCandidates: r.truth.expect.division ? [] : (r.truth.expect.division_candidates ?? []),
      at: r.at,
      complainant: r.complainant,
      accepted: true,
      records: [],
    });
  }
  for (const r of valid) {
    let target = r.key;
    if (r.foldedInto) target = r.foldedInto;
    else if (r.truth.expect.redelivery_of) {
      target = keyOfRef(r.truth.channel, r.truth.expect.redelivery_of);
      target = byKey.get(target)?.foldedInto ?? target;
    }
    entries.get(target)?.records.push(r.truth);
  }
  return { entries: [...entries.values()], truth: records.map((r) => r.truth) };
}

/** Real entries: the real adapters' submissions, judged by the real stages. */
async function realEntries(records: SampleRecord[]): Promise<{ entries: Entry[]; truth: TruthLine[]; judging: string }> {
  const truth = records.map((r) => r.truth);
  const byKey = new Map(records.map((r) => [r.key, r.truth]));
  const { submissions, unfound } = await loadJudgedSubmissions(truth);
  const entries: Entry[] = submissions.map((js) => {
    const s = js.submission;
    const j = js.judgement;
    return {
      key: js.sourceKey,
      channel: s.channelType,
      source: {
        text: s.text,
        title: s.title,
        subject: s.subject,
        // As the worker builds it (dedup/submission-side.util): the given address; with --label also the
        // label shared with coordinates (a WeChat location's place name).
        address: (withLabel ? [s.location.address, s.location.label].filter(Boolean).join(' ') : s.location.address) || null,
        divisionCode: j.division.code,
        category: j.category.primary,
        township: j.division.township?.name ?? null,
      },
      // --no-candidates: as a worker that does not pass judgement.division.candidates on.
      divisionCandidates: j.division.code || argv.includes('--no-candidates') ? [] : j.division.candidates,
      at: js.at,
      // Platform handles are qualified by channel type, as the worker does.
      complainant: { phone: s.complainant.phone, email: s.complainant.email, handle: s.complainant.handle ? `${s.channelType}:${s.complainant.handle}` : null },
      accepted: j.validity.status === 'accepted' && !!j.category.primary,
      records: js.records.map((k) => byKey.get(k)!),
    };
  });
  // How far the real stages are from the oracle on the records dedup is scored on.
  let n = 0;
  let division = 0;
  let category = 0;
  let accepted = 0;
  for (const e of entries) {
    for (const t of e.records) {
      if (t.expect.validity !== 'valid' || t.expect.redelivery_of) continue;
      n++;
      if (e.accepted) accepted++;
      if ((e.source.divisionCode ?? null) === t.expect.division) division++;
      const c = e.source.category === 'approval' ? 'other' : e.source.category;
      if (c === t.expect.category) category++;
    }
  }
  const validUnfound = unfound.filter((k) => byKey.get(k)?.expect.validity === 'valid').length;
  const noTime = entries.filter((e) => e.accepted && !Number.isFinite(e.at)).length;
  const judging = `submissions without a time ${noTime}; real stages on ${n} valid records: accepted ${accepted}, division as truth ${division}, category as truth ${category}; valid records with no submission ${validUnfound}`;
  return { entries, truth, judging };
}

function sideOf(entry: Entry, bands: Dedup.BandOptions): { side: Dedup.MatchSide; keys: string[]; ms: number } {
  const t0 = now();
  const f = dedup.extractIncidentFeatures(entry.source);
  const signature = dedup.minhash(f.shingles);
  const complainantKey = dedup.complainantKeyOf(entry.complainant, PEPPER);
  const keys = dedup.candidateKeys(f, signature, complainantKey, bands);
  const ms = now() - t0;
  const side: Dedup.MatchSide = {
    ...f,
    divisionCode: entry.source.divisionCode ?? null,
    ...(entry.divisionCandidates?.length ? { divisionCandidates: entry.divisionCandidates } : {}),
    category: (entry.source.category as string) ?? null,
    at: entry.at,
    complainantKey,
    signature,
  };
  return { side, keys, ms };
}

interface Run {
  items: Item[];
  cases: Dedup.CaseFeatures[];
  clusterOfEntry: Map<string, number>;
  grey: number;
  uniqueAuto: number;
  soleAuto: number;
  featureMs: number;
  chooseMs: number;
  scored: number;
  probes: number;
  indexRows: number;
}

/**
 * Case-level matching, as the pipeline does it: each case keeps the union of its members' features
 * (mergeCaseFeatures) and its members' keys; a submission is scored against every candidate case
 * (chooseCase) and attaches on 'auto'.
 */
function simulateCases(entries: Entry[], config: Dedup.MatchConfig, bands: Dedup.BandOptions): Run {
  const primary = inProcessingOrder(entries.filter((e) => e.accepted));
  const index = new Map<string, Set<number>>();
  const cases: Dedup.CaseFeatures[] = [];
  const items: Item[] = [];
  const clusterOfEntry = new Map<string, number>();
  const run: Run = { items, cases, clusterOfEntry, grey: 0, uniqueAuto: 0, soleAuto: 0, featureMs: 0, chooseMs: 0, scored: 0, probes: 0, indexRows: 0 };
  for (const entry of primary) {
    const { side, keys, ms } = sideOf(entry, bands);
    run.featureMs += ms;
    const probe = dedup.probeKeys(side.divisionCode, side.category!, keys, side.divisionCandidates);
    run.probes += probe.length;
    const found = new Set<number>();
    for (const k of probe) for (const c of index.get(k) ?? []) found.add(c);
    const t1 = now();
    const choice = dedup.chooseCase(side, [...found].map((c) => ({ caseId: c, features: cases[c], complainantKnown: complainantKnown(side, c) })), config);
    run.chooseMs += now() - t1;
    run.scored += found.size;
    if (argv.includes('--names') && choice.reasons.some((r) => r.startsWith('only a polluter name'))) showNameCandidates(entry, side, [...found], cases, config);
    let cluster: number;
    if (choice.decision === 'suggested') run.grey++;
    // The pipeline attaches a suggested duplicate to the case too (an officer may split it later).
    if (choice.caseId !== null && (choice.decision === 'auto' || (choice.decision === 'suggested' && !autoOnly))) {
      cluster = choice.caseId;
      cases[cluster] = dedup.mergeCaseFeatures(cases[cluster], side);
      if (choice.reasons.some((r) => r.startsWith('polluter name unique'))) run.uniqueAuto++;
      if (choice.reasons.some((r) => r.startsWith('the only case'))) run.soleAuto++;
    } else {
      cluster = cases.length;
      cases.push(dedup.caseFeaturesOf(side));
    }
    const why = `${choice.decision} ${choice.score.toFixed(2)} ${choice.reasons.join('; ')}`;
    items.push({ entry, side, keys, cluster, why });
    clusterOfEntry.set(entry.key, cluster);
    simulatedMembers.set(cluster, [...(simulatedMembers.get(cluster) ?? []), ...entry.records.map((t) => t.expect.incident ?? '-')]);
    if (side.complainantKey) complainantsOf.set(cluster, (complainantsOf.get(cluster) ?? new Set()).add(side.complainantKey));
    for (const k of dedup.storeKeys(cases[cluster].divisionCode, side.category!, keys)) {
      const set = index.get(k);
      if (set) set.add(cluster);
      else index.set(k, new Set([cluster]));
    }
  }
  run.indexRows = [...index.values()].reduce((s, l) => s + l.size, 0);
  return run;
}

/** --names: a submission left alone because its polluter's name is carried by several cases, each such case and how it scores. */
function showNameCandidates(entry: Entry, side: Dedup.MatchSide, found: number[], cases: Dedup.CaseFeatures[], config: Dedup.MatchConfig): void {
  console.log(`names ${show(entry, side)}\n    ${describe(side)}`);
  for (const c of found) {
    const m = dedup.scoreAgainstCase(side, cases[c], config, complainantKnown(side, c));
    if (m.parts.entity !== 'same' && m.parts.entity !== 'similar') continue;
    const incidents = [...new Set(simulatedMembers.get(c) ?? [])].join(',');
    console.log(`    case ${c} [${incidents}] ${m.decision} ${m.score.toFixed(2)} text ${m.parts.text.toFixed(2)} days ${m.parts.days.toFixed(1)} pl=${m.parts.place} pr=${m.parts.problem?.toFixed(2)} div=${m.parts.division} | ${describeCase(cases[c])}`);
  }
}
/** Incidents of each simulated case's members (for the diagnostics). */
const simulatedMembers = new Map<number, string[]>();
/** Complainant keys of each simulated case's members: what the pipeline reads from the members of a candidate case. */
const complainantsOf = new Map<number, Set<string>>();

function complainantKnown(side: Dedup.MatchSide, cluster: number): boolean {
  return !!side.complainantKey && !!complainantsOf.get(cluster)?.has(side.complainantKey);
}

const INGEST_ORDER = ['hotline', 'letter', 'email', 'telegram', 'wechat', 'web'];

/**
 * Submission time order, or with --order ingest the order ../shared/eval/score.mjs feeds the corpus in:
 * channel by channel (hotline, letter, email, telegram, wechat, web), each in time order, as a replay would.
 */
function inProcessingOrder(entries: Entry[]): Entry[] {
  const byTime = [...entries].sort((a, b) => a.at - b.at);
  if (order !== 'ingest') return byTime;
  const channel = (e: Entry) => INGEST_ORDER.indexOf(e.channel);
  return byTime.sort((a, b) => channel(a) - channel(b));
}

/** Report-to-report: each submission against single earlier members (scoreMatch), a diagnostic. */
function simulatePairwise(entries: Entry[], config: Dedup.MatchConfig, bands: Dedup.BandOptions): Run {
  const primary = inProcessingOrder(entries.filter((e) => e.accepted));
  const index = new Map<string, number[]>();
  const items: Item[] = [];
  const clusterOfEntry = new Map<string, number>();
  const clusterDivision: (string | null)[] = [];
  const run: Run = { items, cases: [], clusterOfEntry, grey: 0, uniqueAuto: 0, soleAuto: 0, featureMs: 0, chooseMs: 0, scored: 0, probes: 0, indexRows: 0 };
  for (const entry of primary) {
    const { side, keys, ms } = sideOf(entry, bands);
    run.featureMs += ms;
    const probe = dedup.probeKeys(side.divisionCode, side.category!, keys, side.divisionCandidates);
    run.probes += probe.length;
    const candidates = new Set<number>();
    for (const k of probe) for (const i of index.get(k) ?? []) candidates.add(i);
    const t1 = now();
    let best: { m: Dedup.MatchResult; cluster: number } | null = null;
    for (const i of candidates) {
      if (dedup.refineCaseDivision(clusterDivision[items[i].cluster], side.divisionCode) === 'conflict') continue;
      const m = dedup.scoreMatch(side, items[i].side, config);
      run.scored++;
      if (!best || m.score > best.m.score) best = { m, cluster: items[i].cluster };
    }
    run.chooseMs += now() - t1;
    let cluster: number;
    if (best?.m.decision === 'auto') cluster = best.cluster;
    else {
      if (best?.m.decision === 'suggested') run.grey++;
      cluster = clusterDivision.length;
      clusterDivision.push(null);
    }
    clusterDivision[cluster] = dedup.refineCaseDivision(clusterDivision[cluster], side.divisionCode) as string | null;
    items.push({ entry, side, keys, cluster, why: best ? `${best.m.decision} ${best.m.score.toFixed(2)} ${best.m.reasons.join('; ')}` : 'no candidate' });
    clusterOfEntry.set(entry.key, cluster);
    for (const k of dedup.storeKeys(side.divisionCode, side.category!, keys)) {
      const list = index.get(k);
      if (list) list.push(items.length - 1);
      else index.set(k, [items.length - 1]);
    }
  }
  run.indexRows = [...index.values()].reduce((s, l) => s + l.length, 0);
  return run;
}

/** Tune half: incident ids whose hash is even; holdout: odd. */
function halfOf(incident: string): 'tune' | 'holdout' {
  return (dedup.hash32(incident) & 1) === 0 ? 'tune' : 'holdout';
}

interface Scored {
  t: TruthLine;
  entry: Entry | null;
  cluster: number | null;
}

/** The records score.mjs counts: valid, of an incident, not a redelivery, not a message edited later. */
function scoredRecords(truth: TruthLine[], entries: Entry[], run: Run): Scored[] {
  const entryOf = new Map<string, Entry>();
  for (const e of entries) for (const t of e.records) entryOf.set(truthKeyOf(t), e);
  return truth
    .filter((t) => t.expect.validity === 'valid' && t.expect.incident && !t.expect.redelivery_of && !t.tags.includes('edited_later'))
    .map((t) => {
      const entry = entryOf.get(truthKeyOf(t)) ?? null;
      return { t, entry, cluster: entry ? (run.clusterOfEntry.get(entry.key) ?? null) : null };
    });
}

function pairwise(rows: Scored[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const fps: [Scored, Scored][] = [];
  const fns: [Scored, Scored][] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const same = rows[i].t.expect.incident === rows[j].t.expect.incident;
      const pred = rows[i].cluster !== null && rows[i].cluster === rows[j].cluster;
      if (same && pred) tp++;
      else if (pred) {
        fp++;
        fps.push([rows[i], rows[j]]);
      } else if (same) {
        fn++;
        fns.push([rows[i], rows[j]]);
      }
    }
  }
  return { tp, fp, fn, precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), fps, fns };
}

function figures(label: string, rows: Scored[]): string {
  const pw = pairwise(rows);
  return `${label}: pairwise precision ${pw.precision.toFixed(4)} recall ${pw.recall.toFixed(4)} (tp ${pw.tp}, fp ${pw.fp}, fn ${pw.fn}; ${rows.length} records, ${new Set(rows.map((r) => r.t.expect.incident)).size} incidents)`;
}

function show(e: Entry, side?: Dedup.MatchSide): string {
  const t = e.records[0]?.expect;
  const judged = real ? ` judged ${side?.divisionCode ?? e.source.divisionCode ?? '∅'}/${side?.category ?? e.source.category ?? '∅'}` : '';
  const src = e.source;
  return `${t?.incident} ${t?.division ?? '∅'}/${t?.category}${judged} ${e.key.slice(0, 40)} | ${src.subject ?? ''} | ${src.address ?? ''} | ${`${src.title ? `[${src.title}] ` : ''}${src.text}`.replace(/\s+/g, ' ').slice(0, 110)}`;
}

function describe(side: Dedup.MatchSide): string {
  return `e=${side.entity} al=${side.aliases} k=${side.kind} p=${side.places} t=${side.townships} pr=${side.problemTerms}`;
}

function describeCase(c: Dedup.CaseFeatures): string {
  return `e=${c.entities.map((e) => e.core)} al=${c.aliases} k=${c.kinds} p=${c.places} t=${c.townships} g=${c.problemGroups} div=${c.divisionCode ?? '∅'}`;
}

/** Text-signal comparison within compatible blocks: MinHash Jaccard vs SimHash, and LSH band recall. */
function compareSignatures(items: Item[]) {
  const incident = (it: Item) => it.entry.records[0]?.expect.incident;
  const rows: { same: boolean; j: number; jEst: number; sim: number }[] = [];
  const sims = items.map((it) => dedup.simhash64(it.side.shingles));
  const compatible = (a: Dedup.MatchSide, b: Dedup.MatchSide) => a.category === b.category && dedup.divisionCompatibility(a.divisionCode, b.divisionCode) !== 'conflict';
  for (let i = 0; i < items.length; i++) {
    for (let k = i + 1; k < items.length; k++) {
      const a = items[i].side;
      const b = items[k].side;
      if (!compatible(a, b)) continue;
      rows.push({
        same: incident(items[i]) === incident(items[k]),
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
}

function parseConfig(): Dedup.MatchConfig {
  const config: Dedup.MatchConfig = { ...dedup.DEFAULT_MATCH_CONFIG, weights: { ...dedup.DEFAULT_MATCH_CONFIG.weights } };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--set') continue;
    const [name, value] = argv[i + 1].split('=');
    const [head, tail] = name.split('.');
    if (tail) (config.weights as unknown as Record<string, number>)[tail] = Number(value);
    else (config as unknown as Record<string, unknown>)[head] = value === 'true' ? true : value === 'false' ? false : Number.isNaN(Number(value)) ? value : Number(value);
  }
  return config;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

/** Cost per submission of features + MinHash + keys, and of chooseCase per candidate, medians of repeated passes. */
function measureCost(run: Run, config: Dedup.MatchConfig): string {
  const perFeature: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = now();
    for (const it of run.items) {
      const f = dedup.extractIncidentFeatures(it.entry.source);
      dedup.candidateKeys(f, dedup.minhash(f.shingles), it.side.complainantKey, dedup.DEFAULT_BANDS);
    }
    perFeature.push((now() - t0) / run.items.length);
  }
  // chooseCase against a fixed set of 8 cases per submission (same category and division, so nothing is gated).
  const perCandidate: number[] = [];
  if (run.cases.length) {
    for (let k = 0; k < 7; k++) {
      let n = 0;
      const t0 = now();
      run.items.forEach((it, i) => {
        const cands = [];
        for (let c = 0; c < 8; c++) {
          const f = run.cases[(i * 7 + c * 13) % run.cases.length];
          cands.push({ caseId: c, features: { ...f, category: it.side.category, divisionCode: it.side.divisionCode } });
        }
        dedup.chooseCase(it.side, cands, config);
        n += cands.length;
      });
      perCandidate.push((now() - t0) / n);
    }
  }
  return `cost: features + MinHash + keys ${(median(perFeature) * 1000).toFixed(1)} µs per submission; chooseCase ${(median(perCandidate) * 1000).toFixed(1)} µs per candidate (ungated, median of 7 passes)`;
}

async function main() {
  const records = await loadSamples();
  const config = parseConfig();
  const { entries, truth, judging } = real ? await realEntries(records) : { ...oracleEntries(records), judging: null };
  const pairwiseMode = argv.includes('--pairwise');
  const run = pairwiseMode ? simulatePairwise(entries, config, dedup.DEFAULT_BANDS) : simulateCases(entries, config, dedup.DEFAULT_BANDS);
  const rows = scoredRecords(truth, entries, run);
  const pw = pairwise(rows);

  console.log(`division and category: ${real ? 'real judging stages (defaultStages + judge) on the real adapters\' submissions' : 'truth (oracle)'}`);
  if (judging) console.log(judging);
  console.log(pairwiseMode ? 'mode: report-to-report (scoreMatch against single members)' : 'mode: report-to-case (chooseCase over case features)');
  console.log(`submissions matched ${run.items.length}; cases ${new Set(run.clusterOfEntry.values()).size} vs truth incidents ${new Set(rows.map((r) => r.t.expect.incident)).size}`);
  console.log(figures('all', rows));
  if (argv.includes('--holdout')) {
    console.log(figures('tune (even)', rows.filter((r) => halfOf(r.t.expect.incident!) === 'tune')));
    console.log(figures('holdout (odd)', rows.filter((r) => halfOf(r.t.expect.incident!) === 'holdout')));
    const cross = pw.fps.filter(([a, b]) => halfOf(a.t.expect.incident!) !== halfOf(b.t.expect.incident!)).length;
    console.log(`false pairs across the halves ${cross}`);
  }
  console.log(`grey band (decided 'suggested') ${run.grey}; automatic by a unique polluter name ${run.uniqueAuto}, by the only case of the division ${run.soleAuto}`);
  console.log(`keys: ${(run.probes / run.items.length).toFixed(1)} probes per submission, ${run.indexRows} stored rows; candidates scored ${run.scored} (${(run.scored / run.items.length).toFixed(1)} per submission)`);
  console.log(`in the run: features + keys ${((run.featureMs / run.items.length) * 1000).toFixed(1)} µs per submission, chooseCase ${((run.chooseMs / Math.max(1, run.scored)) * 1000).toFixed(1)} µs per candidate`);
  if (!pairwiseMode) console.log(measureCost(run, config));
  if (argv.includes('--signals')) compareSignatures(run.items);

  const onlyHalf = argv.includes('--half') ? argv[argv.indexOf('--half') + 1] : null;
  const inHalf = (incident: string | null | undefined) => !onlyHalf || (!!incident && halfOf(incident) === onlyHalf);
  if (argv.includes('--splits') && !pairwiseMode) {
    // Every submission that did not join the case of its incident's first report, and why.
    const firstCase = new Map<string, number>();
    const tally = new Map<string, number>();
    const itemOf = new Map(run.items.map((it) => [it.entry.key, it]));
    for (const it of run.items) {
      const inc = it.entry.records.find((t) => t.expect.validity === 'valid')?.expect.incident;
      if (!inc) continue;
      if (!firstCase.has(inc)) {
        firstCase.set(inc, it.cluster);
        continue;
      }
      const target = firstCase.get(inc)!;
      if (it.cluster === target || !inHalf(inc)) continue;
      const m = dedup.scoreAgainstCase(it.side, run.cases[target], config, complainantKnown(it.side, target));
      const p = m.parts;
      const cause =
        m.decision === 'none' && m.score === 0
          ? m.reasons[m.reasons.length - 1].replace(/ \(.*$/, '')
          : `${m.decision} e=${p.entity} pl=${p.place} div=${p.division}`;
      tally.set(cause, (tally.get(cause) ?? 0) + 1);
      const first = run.items.find((x) => x.cluster === target);
      console.log(
        `split ${inc} [${cause}] ${m.score.toFixed(2)} ${m.reasons.join('; ')}\n    ${show(it.entry, it.side)}\n    ${describe(it.side)}\n    → ${it.why.slice(0, 160)}\n    first: ${first ? show(first.entry, first.side) : '?'}\n    case: ${describeCase(run.cases[target])}`,
      );
    }
    // Valid records that were never matched (not accepted by the real stages).
    let unmatched = 0;
    for (const r of rows) if (r.entry && !itemOf.has(r.entry.key) && inHalf(r.t.expect.incident)) unmatched++;
    console.log([...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
    console.log(`${unmatched} valid records in submissions that judging did not accept (no case)`);
  }
  if (argv.includes('--grey')) {
    // Suggested attachments (the pipeline puts them in the case), right or wrong against the case's first member.
    const tally = new Map<string, [number, number]>();
    for (const it of run.items) {
      if (!it.why.startsWith('suggested') || !inHalf(it.entry.records[0]?.expect.incident)) continue;
      const first = run.items.find((x) => x.cluster === it.cluster)!;
      if (first === it) continue;
      const right = first.entry.records[0]?.expect.incident === it.entry.records[0]?.expect.incident;
      const why =
        ['polluter name carried by', 'no identifying evidence'].find((b) => it.why.includes(b)) ?? 'below the automatic threshold';
      const k = `${why} | div ${dedup.divisionCompatibility(it.side.divisionCode, run.cases[it.cluster]?.divisionCode ?? null)}`;
      const t = tally.get(k) ?? [0, 0];
      t[right ? 0 : 1]++;
      tally.set(k, t);
      if (verbose) console.log(`grey ${right ? 'right' : 'WRONG'} ${show(it.entry, it.side)}\n    → ${it.why.slice(0, 200)}`);
    }
    for (const [k, [r, w]] of tally) console.log(`suggested: ${k}: right ${r}, wrong ${w}`);
  }
  if (argv.includes('--causes')) {
    // Missed pairs by what the two reports share: division known on both, names, places.
    const itemOf = new Map(run.items.map((it) => [it.entry.key, it]));
    const tally = new Map<string, number>();
    for (const [a, b] of pw.fns) {
      if (!inHalf(a.t.expect.incident)) continue;
      const ia = a.entry && itemOf.get(a.entry.key);
      const ib = b.entry && itemOf.get(b.entry.key);
      if (!ia || !ib) {
        tally.set('not matched', (tally.get('not matched') ?? 0) + 1);
        continue;
      }
      const div = dedup.divisionCompatibility(ia.side.divisionCode, ib.side.divisionCode);
      const ent = dedup.entityAgreement(ia.side.entityName, ib.side.entityName, ia.side.kind, ib.side.kind);
      const pl = dedup.placeAgreement(ia.side, ib.side);
      const later = ia.entry.at > ib.entry.at ? ia : ib;
      const blocker =
        ['polluter name carried by', 'no identifying evidence', 'no candidate case'].find((b) => later.why.includes(b)) ?? later.why.split(' ').slice(0, 3).join(' ');
      const k = `div=${div} ent=${ent} place=${pl} cat=${ia.side.category === ib.side.category}${argv.includes('--blocker') ? ` | ${blocker}` : ''}`;
      tally.set(k, (tally.get(k) ?? 0) + 1);
      if (argv.includes('--show') && argv[argv.indexOf('--show') + 1] === div) {
        console.log(`${k}\n  ${show(ia.entry, ia.side)}\n    ${describe(ia.side)}\n  ${show(ib.entry, ib.side)}\n    ${describe(ib.side)}\n    → ${ib.why.slice(0, 200)}`);
      }
    }
    console.log([...tally].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
  }
  if (argv.includes('--mixed')) {
    // Cases holding records of more than one incident, each member with why it attached.
    const members = new Map<number, Item[]>();
    for (const it of run.items) members.set(it.cluster, [...(members.get(it.cluster) ?? []), it]);
    for (const [c, its] of members) {
      const incidents = new Set(its.flatMap((it) => it.entry.records.filter((t) => t.expect.validity === 'valid').map((t) => t.expect.incident)));
      if (incidents.size < 2 || ![...incidents].some((i) => inHalf(i))) continue;
      console.log(`\ncase ${c}: ${[...incidents].join(', ')}`);
      for (const it of its) console.log(`  ${show(it.entry, it.side)}\n      ${describe(it.side)}\n      → ${it.why.slice(0, 200)}`);
    }
  }
  if (argv.includes('--incidents')) {
    // Incidents split over several cases, most missed pairs first, each record under its case.
    const byIncident = new Map<string, Scored[]>();
    for (const r of rows) if (inHalf(r.t.expect.incident)) byIncident.set(r.t.expect.incident!, [...(byIncident.get(r.t.expect.incident!) ?? []), r]);
    const itemOf = new Map(run.items.map((it) => [it.entry.key, it]));
    const missed = (rs: Scored[]) => pairwise(rs).fn;
    const split = [...byIncident].filter(([, rs]) => missed(rs) > 0).sort((a, b) => missed(b[1]) - missed(a[1]));
    for (const [inc, rs] of split) {
      console.log(`\n${inc}: ${rs.length} records, ${new Set(rs.map((r) => r.cluster)).size} cases, ${missed(rs)} missed pairs`);
      const seen = new Set<string>();
      for (const r of [...rs].sort((a, b) => (a.entry?.at ?? 0) - (b.entry?.at ?? 0))) {
        if (!r.entry || seen.has(r.entry.key)) continue;
        seen.add(r.entry.key);
        const it = itemOf.get(r.entry.key);
        console.log(`  [case ${r.cluster}] ${new Date(r.entry.at).toISOString().slice(5, 10)} ${show(r.entry, it?.side)}\n      ${it ? describe(it.side) : ''}\n      → ${it?.why.slice(0, 200)}`);
      }
    }
  }
  if (verbose) {
    // Attachments made by a chooseCase rule over the candidate set, right or wrong (against the case's first member).
    for (const it of run.items) {
      const rule = it.why.includes('polluter name unique') ? 'unique-name' : it.why.includes('the only case of') ? 'sole-case' : null;
      if (!rule || !inHalf(it.entry.records[0]?.expect.incident)) continue;
      const first = run.items.find((x) => x.cluster === it.cluster)!;
      const right = first.entry.records[0]?.expect.incident === it.entry.records[0]?.expect.incident;
      console.log(`${rule} ${right ? 'right' : 'WRONG'} ${show(it.entry, it.side)}\n    ${describe(it.side)}\n    case: ${describeCase(run.cases[it.cluster])}`);
    }
  }
  if (verbose) {
    const itemOf = new Map(run.items.map((it) => [it.entry.key, it]));
    console.log('\nFalse merges:');
    for (const [a, b] of pw.fps.slice(0, 60)) {
      if (!inHalf(a.t.expect.incident) && !inHalf(b.t.expect.incident)) continue;
      const ia = itemOf.get(a.entry!.key)!;
      const ib = itemOf.get(b.entry!.key)!;
      console.log(`  ${show(ia.entry, ia.side)}\n    ← ${ia.why.slice(0, 220)}\n  ${show(ib.entry, ib.side)}\n    ← ${ib.why.slice(0, 220)}\n`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
