/**
 * Measures the Telegram adapter and the conversation gatherer against the labelled sample corpus.
 *
 *   npx swc scripts/dev/telegram-eval.ts libs -d /tmp/tg-eval --config-file .swcrc -q && \
 *     NODE_PATH=$PWD/node_modules node /tmp/tg-eval/scripts/dev/telegram-eval.js
 *
 * (NODE_PATH because the compiled tree under /tmp has no node_modules of its own to find zod in.)
 *
 * Samples root: $HUILIU_SAMPLES (default /work/shared/samples); external fixtures: $HUILIU_EXTERNAL
 * (default /work/shared/external). Development only: tests never read these folders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSubmission } from '@huiliu/contracts';
import { ConversationGatherer } from '@huiliu/adapters/conversation';
import type { ConversationMessage, GathererAction } from '@huiliu/adapters/conversation';
import { dedupeUpdates, parseGetUpdatesFile, readUpdate } from '@huiliu/adapters/telegram';
import type { TgUpdate } from '@huiliu/adapters/telegram';

const SAMPLES = process.env.HUILIU_SAMPLES ?? '/work/shared/samples';
const EXTERNAL = process.env.HUILIU_EXTERNAL ?? '/work/shared/external';
const PAGES = ['telegram/getUpdates_1.json', 'telegram/getUpdates_2.json'];

interface Truth {
  channel: string;
  ref: Record<string, any>;
  expect: { validity: string; reason?: string; incident: string | null };
  tags: string[];
  redelivery_of?: unknown;
}

function loadTruth(channel: string): Truth[] {
  return fs
    .readFileSync(path.join(SAMPLES, 'truth.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Truth)
    .filter((t) => t.channel === channel);
}

interface RunResult {
  actions: GathererAction[];
  refOfUpdate: Map<number, string>;
  notMessages: Map<string, number>;
}

/** Feeds the pages through the adapter and the gatherer the way the poller does: tick to each message's time, then accept. */
function run(dedupeAcrossPages: boolean): RunResult {
  const gatherer = new ConversationGatherer();
  const seen = new Set<number>();
  const actions: GathererAction[] = [];
  const refOfUpdate = new Map<number, string>();
  const notMessages = new Map<string, number>();
  for (const page of PAGES) {
    const raw = fs.readFileSync(path.join(SAMPLES, page), 'utf8');
    let updates: TgUpdate[] = parseGetUpdatesFile(raw);
    if (dedupeAcrossPages) updates = dedupeUpdates(updates, seen);
    for (const update of updates) {
      const reading = readUpdate(update);
      if (!reading.ok) {
        notMessages.set(reading.reason, (notMessages.get(reading.reason) ?? 0) + 1);
        continue;
      }
      refOfUpdate.set(update.update_id as number, reading.message.ref);
      actions.push(...gatherer.tick(reading.message.at), ...gatherer.accept(reading.message));
    }
  }
  actions.push(...gatherer.closeAll());
  return { actions, refOfUpdate, notMessages };
}

function check(label: string, result: RunResult, truth: Truth[]): boolean {
  const submits = result.actions.filter((a): a is Extract<GathererAction, { type: 'submit' }> => a.type === 'submit');
  const ignored = result.actions.filter((a): a is Extract<GathererAction, { type: 'ignored' }> => a.type === 'ignored');
  const amends = result.actions.filter((a) => a.type === 'amend');
  const count = (type: GathererAction['type']) => result.actions.filter((a) => a.type === type).length;

  let schemaErrors = 0;
  for (const s of submits) {
    try {
      parseSubmission(s.draft);
    } catch (error) {
      schemaErrors++;
      console.log(`  schema error in ${s.draft.ref}: ${(error as Error).message}`);
    }
  }
  const submitsByRef = new Map<string, number[]>();
  submits.forEach((s, i) => s.messageRefs.forEach((r) => submitsByRef.set(r, [...(submitsByRef.get(r) ?? []), i])));
  const ignoredReasons = new Map<string, string[]>();
  for (const a of ignored) ignoredReasons.set(a.ref, [...(ignoredReasons.get(a.ref) ?? []), a.reason]);
  const sourceKeys = submits.map((s) => s.draft.ref);
  const duplicateSourceKeys = sourceKeys.length - new Set(sourceKeys).size;

  let mapped = 0;
  let ignoredInvalid = 0;
  let invalidSubmitted = 0;
  const failures: string[] = [];
  const incidentsBySubmit = new Map<number, Set<string>>();
  for (const t of truth) {
    const ref = result.refOfUpdate.get(t.ref.update_id);
    const where = `${t.ref.file}#${t.ref.index} (update ${t.ref.update_id})`;
    if (!ref) {
      failures.push(`${where}: not read as a message`);
      continue;
    }
    const inSubmits = submitsByRef.get(ref) ?? [];
    if (inSubmits.length === 1) {
      mapped++;
      if (t.expect.validity === 'invalid') invalidSubmitted++;
      const set = incidentsBySubmit.get(inSubmits[0]) ?? new Set<string>();
      set.add(t.expect.incident ?? `invalid:${t.expect.reason}`);
      incidentsBySubmit.set(inSubmits[0], set);
    } else if (inSubmits.length > 1) {
      failures.push(`${where}: ref ${ref} in ${inSubmits.length} submissions`);
    } else if (ignoredReasons.has(ref) && t.expect.validity === 'invalid') {
      ignoredInvalid++;
    } else {
      failures.push(`${where}: ref ${ref} (${t.expect.validity}/${t.expect.reason ?? ''}) neither submitted nor rightly ignored [${ignoredReasons.get(ref) ?? '-'}]`);
    }
  }
  const mixed = [...incidentsBySubmit.entries()].filter(([, s]) => s.size > 1);
  for (const [i, s] of mixed) failures.push(`submission ${submits[i].draft.ref} mixes ${[...s].join(', ')}`);
  // A location message and the text after it must be one submission.
  const byIndex = new Map(truth.map((t) => [`${t.ref.file}#${t.ref.index}`, t]));
  let pairs = 0;
  let pairsTogether = 0;
  for (const t of truth) {
    if (!t.tags.includes('text_after_location')) continue;
    const prev = byIndex.get(`${t.ref.file}#${t.ref.index - 1}`);
    if (!prev) continue;
    pairs++;
    const a = submitsByRef.get(result.refOfUpdate.get(t.ref.update_id) ?? '')?.[0];
    const b = submitsByRef.get(result.refOfUpdate.get(prev.ref.update_id) ?? '')?.[0];
    if (a !== undefined && a === b) pairsTogether++;
    else failures.push(`location ${prev.ref.update_id} and text ${t.ref.update_id} not in one submission`);
  }

  const reasons = new Map<string, number>();
  for (const a of ignored) reasons.set(a.reason, (reasons.get(a.reason) ?? 0) + 1);
  const closedBy = new Map<string, number>();
  for (const s of submits) closedBy.set(s.closedBy, (closedBy.get(s.closedBy) ?? 0) + 1);
  console.log(`\n== ${label}`);
  console.log(`  truth records: ${truth.length}; mapped to exactly one submission: ${mapped} (of which truth-invalid: ${invalidSubmitted}); ignored & truth-invalid: ${ignoredInvalid}; failures: ${failures.length}`);
  console.log(`  submissions: ${submits.length} (closed by ${fmt(closedBy)}), schema errors: ${schemaErrors}, duplicate source keys: ${duplicateSourceKeys}`);
  console.log(`  amends: ${amends.length}, cancelled: ${count('cancelled')}, status queries: ${count('status_query')}, replies: ${count('reply')}`);
  console.log(`  ignored: ${ignored.length} (${fmt(reasons)}); not messages: ${fmt(result.notMessages) || 'none'}`);
  console.log(`  location+text pairs in one submission: ${pairsTogether}/${pairs}; submissions mixing incidents: ${mixed.length}`);
  for (const f of failures.slice(0, 30)) console.log(`  FAIL ${f}`);
  return failures.length === 0 && schemaErrors === 0 && duplicateSourceKeys === 0;
}

function fmt(m: Map<string, number>): string {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function external(): boolean {
  const files = walk(path.join(EXTERNAL, 'telegram')).filter((f) => f.endsWith('.json'));
  console.log(`\n== external Telegram fixtures: ${files.length}`);
  let crashes = 0;
  let unexplained = 0;
  for (const file of files.sort()) {
    const name = path.relative(path.join(EXTERNAL, 'telegram'), file);
    try {
      const reading = readUpdate(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (reading.ok) {
        const m: ConversationMessage = reading.message;
        // One gatherer per file: the fixtures reuse the same chat and message ids.
        const gatherer = new ConversationGatherer();
        const actions = [...gatherer.tick(m.at), ...gatherer.accept(m)];
        const outcome = actions.find((a) => a.type === 'ignored') as { reason: string } | undefined;
        const what = [m.kind, m.command ? `/${m.command.name}` : '', m.attachment ? `file:${m.attachment.contentType}` : '', m.location ? 'loc' : '', m.editOf ? 'edit' : '', m.forwarded ? 'fwd' : '', m.contact ? 'contact' : '']
          .filter(Boolean)
          .join(' ');
        console.log(`  ${name.padEnd(58)} message ${what}${outcome ? ` → ignored ${outcome.reason}` : ''}`);
      } else {
        if (!reading.reason) unexplained++;
        console.log(`  ${name.padEnd(58)} not a message: ${reading.reason}`);
      }
    } catch (error) {
      crashes++;
      console.log(`  ${name.padEnd(58)} CRASH ${(error as Error).stack}`);
    }
  }
  console.log(`  crashes: ${crashes}, without a reason: ${unexplained}`);
  return crashes === 0 && unexplained === 0;
}

/** The WeChat grouping check, run only once the WeChat adapter exposes a push → ConversationMessage reader. */
function wechat(): boolean | null {
  const index = path.join(__dirname, '../../libs/adapters/src/wechat/index.js');
  let reader: ((xml: string) => ConversationMessage | null) | null = null;
  if (fs.existsSync(index)) {
    const mod = require(index);
    if (typeof mod.parseWechatXml === 'function' && typeof mod.toConversationMessage === 'function') {
      reader = (xml) => mod.toConversationMessage(mod.parseWechatXml(xml));
    }
  }
  if (!reader) {
    console.log('\n== WeChat: no parseWechatXml + toConversationMessage in libs/adapters/src/wechat yet; skipped');
    return null;
  }
  const truth = loadTruth('wechat');
  const files = fs.readdirSync(path.join(SAMPLES, 'wechat')).filter((f) => f.endsWith('.xml')).sort();
  const gatherer = new ConversationGatherer();
  const actions: GathererAction[] = [];
  const refOfFile = new Map<string, string>();
  let unread = 0;
  for (const f of files) {
    let m: ConversationMessage | null = null;
    try {
      m = reader(fs.readFileSync(path.join(SAMPLES, 'wechat', f), 'utf8'));
    } catch {
      m = null;
    }
    if (!m) {
      unread++;
      continue;
    }
    refOfFile.set(`wechat/${f}`, m.ref);
    actions.push(...gatherer.tick(m.at), ...gatherer.accept(m));
  }
  actions.push(...gatherer.closeAll());
  const submits = actions.filter((a): a is Extract<GathererAction, { type: 'submit' }> => a.type === 'submit');
  const ignoredRefs = new Set(actions.filter((a) => a.type === 'ignored').map((a) => (a as { ref: string }).ref));
  const byRef = new Map<string, number[]>();
  submits.forEach((s, i) => s.messageRefs.forEach((r) => byRef.set(r, [...(byRef.get(r) ?? []), i])));
  let ok = 0;
  const failures: string[] = [];
  const incidents = new Map<number, Set<string>>();
  for (const t of truth) {
    const ref = refOfFile.get(t.ref.file);
    const hits = ref ? (byRef.get(ref) ?? []) : [];
    if (hits.length === 1) {
      ok++;
      const s = incidents.get(hits[0]) ?? new Set<string>();
      s.add(t.expect.incident ?? `invalid:${t.expect.reason}`);
      incidents.set(hits[0], s);
    } else if (ref && ignoredRefs.has(ref) && t.expect.validity === 'invalid') ok++;
    else failures.push(`${t.ref.file}: ${hits.length} submissions (${t.expect.validity}/${t.expect.reason ?? ''})`);
  }
  const mixed = [...incidents.values()].filter((s) => s.size > 1).length;
  // Messages that belong together (an image and the text next to it, a location and the text after it).
  const PAIR_TAGS = ['image_after_text', 'image_before_text', 'text_after_location', 'location_message'];
  const counted = new Set<string>();
  let pairs = 0;
  let together = 0;
  truth.forEach((t, i) => {
    if (!t.tags.some((tag) => PAIR_TAGS.includes(tag)) || !t.expect.incident) return;
    for (const j of [i - 1, i + 1]) {
      const o = truth[j];
      if (!o || o.expect.incident !== t.expect.incident || o.redelivery_of || t.redelivery_of) continue;
      // The same incident reported again later (another `repeat:i/n`) is a separate complaint.
      const repeatOf = (x: Truth) => x.tags.find((tag) => tag.startsWith('repeat:')) ?? '';
      if (repeatOf(o) !== repeatOf(t)) continue;
      const pairKey = [Math.min(i, j), Math.max(i, j)].join('-');
      if (counted.has(pairKey)) continue;
      counted.add(pairKey);
      const a = byRef.get(refOfFile.get(t.ref.file) ?? '')?.[0];
      const b = byRef.get(refOfFile.get(o.ref.file) ?? '')?.[0];
      pairs++;
      if (a !== undefined && a === b) together++;
      else failures.push(`${t.ref.file} and ${o.ref.file} (${t.expect.incident}) not in one submission`);
    }
  });
  console.log(`\n== WeChat: ${files.length} pushes (${unread} unread), ${truth.length} truth records, accounted ${ok}, submissions ${submits.length}, mixing incidents ${mixed}, paired messages together ${together}/${pairs}`);
  for (const f of failures.slice(0, 20)) console.log(`  FAIL ${f}`);
  return failures.length === 0 && mixed === 0;
}

function main(): void {
  const truth = loadTruth('telegram');
  const a = check('Telegram pages, redelivered updates dropped by update_id (offset)', run(true), truth);
  const b = check('Telegram pages as delivered (the gatherer alone must absorb the repeats)', run(false), truth);
  const c = external();
  const d = wechat();
  const ok = a && b && c && d !== false;
  console.log(`\n${ok ? 'OK' : 'FAILED'}`);
  process.exitCode = ok ? 0 : 1;
}

main();
