/**
 * Runs every sample e-mail and every external MIME fixture through parseEmail and reports outcomes,
 * U+FFFD in decoded text, crashes and slow parses, and agreement with the samples' truth.
 *
 *   npx swc scripts/dev/email-eval.ts libs -d /tmp/mail-eval --config-file .swcrc -q && node /tmp/mail-eval/scripts/dev/email-eval.js
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseEmail } from '@huiliu/adapters/email/email.parser';
import { isEmailParseFailure, type EmailParseResult } from '@huiliu/adapters/email/email.types';

const SAMPLES = '/work/shared/samples';
const EXTERNAL = '/work/shared/external/mime';

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else if (!/\.(json|py|md|txt\.json|go)$/i.test(name) || /\.txt$/.test(name)) out.push(p);
  }
  return out;
}

interface Row {
  file: string;
  /** The raw bytes already contain U+FFFD (EF BF BD): the sender's text has it, nothing to repair. */
  fffdInSource: boolean;
  result: EmailParseResult;
  ms: number;
  fffd: string[];
}

async function run(files: string[], root: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const f of files) {
    const raw = readFileSync(f);
    const t0 = process.hrtime.bigint();
    let result: EmailParseResult;
    try {
      result = await parseEmail(raw);
    } catch (err) {
      console.log(`CRASH ${relative(root, f)}: ${(err as Error).stack}`);
      continue;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const fffd: string[] = [];
    if (!isEmailParseFailure(result)) {
      const s = result.submission;
      for (const [k, v] of [['title', s.title], ['text', s.text], ['name', s.complainant?.name], ...(s.attachments ?? []).map((a) => ['filename', a.filename] as const)] as const) {
        if (typeof v === 'string' && v.includes('\ufffd')) fffd.push(`${k}: ${JSON.stringify(v.slice(Math.max(0, v.indexOf('\ufffd') - 20), v.indexOf('\ufffd') + 20))}`);
      }
    }
    rows.push({ file: relative(root, f), fffdInSource: raw.includes(Buffer.from([0xef, 0xbf, 0xbd])), result, ms, fffd });
  }
  return rows;
}

function summarize(label: string, rows: Row[]): void {
  const counts = { submission: 0, rejected: 0, unparseable: 0 };
  for (const r of rows) {
    if (isEmailParseFailure(r.result)) counts.unparseable++;
    else if (r.result.submission.rejectHint) counts.rejected++;
    else counts.submission++;
  }
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]?.toFixed(3);
  const total = times.reduce((a, b) => a + b, 0);
  console.log(`\n== ${label}: ${rows.length} messages`);
  console.log(`   outcomes: submission ${counts.submission}, rejected-with-hint ${counts.rejected}, unparseable ${counts.unparseable}`);
  console.log(`   parse ms: median ${pct(0.5)}, p90 ${pct(0.9)}, p99 ${pct(0.99)}, max ${pct(1)}; ${(rows.length / (total / 1000)).toFixed(0)} msg/s sequential`);
  for (const r of rows) {
    if (r.ms > 1000) console.log(`   SLOW ${r.file}: ${r.ms.toFixed(0)} ms`);
    if (isEmailParseFailure(r.result)) console.log(`   unparseable ${r.file}: ${r.result.error.detail}`);
    else {
      const lossy = r.result.submission.flags?.includes('undecodable_bytes');
      const why = r.fffdInSource ? ' (U+FFFD is in the source bytes)' : lossy ? ' (bytes flagged undecodable)' : ' (DECODABLE BYTES)';
      for (const f of r.fffd) console.log(`   U+FFFD ${r.file}${why} ${f}`);
    }
  }
}

interface Truth {
  channel: string;
  ref: { file: string; message_id: string };
  expect: { validity: string; reason?: string; redelivery_of?: { file: string; message_id: string } };
}

async function main(): Promise<void> {
  const sampleFiles = readdirSync(join(SAMPLES, 'email')).filter((f) => f.endsWith('.eml')).sort().map((f) => join(SAMPLES, 'email', f));
  await run(sampleFiles, SAMPLES); // warm-up: the timings below are for a running process, not a cold JIT
  const sampleRows = await run(sampleFiles, SAMPLES);
  summarize('samples/email', sampleRows);

  const truth = readFileSync(join(SAMPLES, 'truth.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Truth).filter((t) => t.channel === 'email');
  const byFile = new Map(sampleRows.map((r) => [r.file, r]));
  let idOk = 0;
  let hintOk = 0;
  let hintExpected = 0;
  let falseHints = 0;
  let dupOk = 0;
  let dups = 0;
  for (const t of truth) {
    const row = byFile.get(t.ref.file);
    if (!row || isEmailParseFailure(row.result)) {
      console.log(`   truth: ${t.ref.file} missing or unparseable`);
      continue;
    }
    const s = row.result.submission;
    const wantRef = t.ref.message_id.replace(/^<|>$/g, '').trim();
    if (s.ref === wantRef) idOk++;
    else console.log(`   ref mismatch ${t.ref.file}: ${s.ref} vs ${wantRef}`);
    const wantHint = t.expect.reason === 'auto_reply' || t.expect.reason === 'bounce' ? t.expect.reason : null;
    if (wantHint) {
      hintExpected++;
      if (s.rejectHint === wantHint) hintOk++;
      else console.log(`   missed ${wantHint} ${t.ref.file}: got ${s.rejectHint}`);
    } else if (s.rejectHint) {
      falseHints++;
      console.log(`   false ${s.rejectHint} ${t.ref.file} (${t.expect.validity}/${t.expect.reason ?? '-'}): ${(s.extra as Record<string, unknown>)?.rejectReason}`);
    }
    if (t.expect.redelivery_of) {
      dups++;
      const orig = byFile.get(t.expect.redelivery_of.file);
      if (orig && !isEmailParseFailure(orig.result) && orig.result.submission.ref === s.ref) dupOk++;
      else console.log(`   duplicate ref differs: ${t.ref.file} vs ${t.expect.redelivery_of.file}`);
    }
  }
  console.log(`   truth: Message-ID refs ${idOk}/${truth.length}; auto_reply/bounce detected ${hintOk}/${hintExpected}, false hints ${falseHints}; redeliveries same ref ${dupOk}/${dups}`);
  const flagCounts = new Map<string, number>();
  for (const r of sampleRows) if (!isEmailParseFailure(r.result)) for (const f of r.result.submission.flags ?? []) flagCounts.set(f, (flagCounts.get(f) ?? 0) + 1);
  console.log(`   flags: ${[...flagCounts].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);

  const externalFiles = walkFiles(EXTERNAL).filter((f) => !f.includes('/expected/')).sort();
  const extRows = await run(externalFiles, EXTERNAL);
  summarize('external/mime', extRows);

  // Throughput: the whole sample set parsed repeatedly, as the channel would see it.
  const raws = sampleFiles.map((f) => readFileSync(f));
  const t0 = Date.now();
  let n = 0;
  while (Date.now() - t0 < 3000) for (const r of raws) {
    await parseEmail(r);
    n++;
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`\n== throughput (samples, repeated ${secs.toFixed(1)} s): ${(n / secs).toFixed(0)} msg/s, ${((secs * 1000) / n).toFixed(3)} ms/msg`);
  await measureLargeAttachment();
  if (process.argv.includes('--show')) {
    for (const r of [...sampleRows, ...extRows]) {
      if (isEmailParseFailure(r.result)) continue;
      const s = r.result.submission;
      console.log(`\n--- ${r.file} [${(s.flags ?? []).join(',')}] hint=${s.rejectHint} ref=${s.ref}\n title: ${s.title}\n from: ${s.complainant?.name} <${s.complainant?.email}> at ${s.submittedAt}\n text: ${s.text.slice(0, 300).replace(/\n/g, '⏎')}\n att: ${(s.attachments ?? []).map((a) => `${a.filename}|${a.contentType}|${a.size}|${a.refused}`).join('; ')}`);
    }
  }
}

/** Memory and time for a message with a 25 MB attachment: refused by the default cap, and kept under a raised cap. */
async function measureLargeAttachment(): Promise<void> {
  const payload = Buffer.alloc(25 * 1024 * 1024, 0x5a);
  payload[0] = 0xff;
  payload[1] = 0xd8;
  payload[2] = 0xff;
  const raw = Buffer.from(
    `From: a@example.com\r\nMessage-ID: <big@x>\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n--m\r\nContent-Type: image/jpeg; name="big.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n${payload.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--m--\r\n`,
  );
  for (const [label, opts] of [['default caps (10 MB per file)', {}], ['cap raised to 30 MB', { maxAttachmentBytes: 30 * 1024 * 1024, maxTotalAttachmentBytes: 30 * 1024 * 1024 }]] as const) {
    (global as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
    const t0 = Date.now();
    const r = await parseEmail(raw, opts);
    const ms = Date.now() - t0;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    clearInterval(timer);
    const a = isEmailParseFailure(r) ? null : r.attachments[0];
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`\n== 25 MB attachment, ${label}: raw ${mb(raw.length)} MB, ${ms} ms, refused=${a?.meta.refused}, size=${a?.meta.size}, arrayBuffers before ${mb(before.arrayBuffers)} MB, sampled peak ${mb(peak)} MB`);
  }
}

void main();
