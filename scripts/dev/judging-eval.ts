/**
 * Development-only reader of the labelled sample corpus for the judging eval: turns each channel's native
 * files into rough `Submission`s and pairs them with their truth lines. It is deliberately simpler than the
 * real adapters (it only needs what validate/classify read), so it lives beside the eval, not in libs/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import type { Submission, SubmissionInput } from '@huiliu/contracts';

// The compiled script runs from /tmp, where nothing resolves bare package names: point Node at the
// repository's node_modules (run from the repository root) before any package is loaded.
const repoRoot = process.cwd();
process.env.NODE_PATH = path.join(repoRoot, 'node_modules');
(Module as unknown as { _initPaths(): void })._initPaths();

/* eslint-disable @typescript-eslint/no-require-imports */
const iconv = require('iconv-lite') as typeof import('iconv-lite');
const { parse: parseCsv } = require('csv-parse/sync') as typeof import('csv-parse/sync');
const ExcelJS = require('exceljs') as typeof import('exceljs');
const { XMLParser } = require('fast-xml-parser') as typeof import('fast-xml-parser');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface TruthLine {
  channel: string;
  ref: Record<string, unknown>;
  expect: { validity: 'valid' | 'out_of_scope' | 'invalid'; reason?: string; category: string | null };
  tags: string[];
}

/** One source record of the corpus and the submission it takes part in (a gathered chat may be shared). */
export interface CorpusRecord {
  key: string;
  submission: Submission;
}

const CHAT_GATHER_WINDOW_S = 15 * 60;

export function truthKey(t: TruthLine): string {
  const r = t.ref as Record<string, string | number>;
  switch (t.channel) {
    case 'hotline':
    case 'letters':
      return `${r.file}#${r.row}`;
    case 'telegram':
      return `${r.file}#${r.index}`;
    default:
      return String(r.file);
  }
}

export function readTruth(corpus: string): TruthLine[] {
  return fs
    .readFileSync(path.join(corpus, 'truth.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TruthLine);
}

let parseSubmission: (input: unknown) => Submission;

function sub(input: Omit<SubmissionInput, 'schemaVersion'>): Submission {
  return parseSubmission({ schemaVersion: 1, ...input });
}

// ---- hotline -----------------------------------------------------------------------------------------

const HOTLINE_COLUMNS = 12;

function hotlineSubmission(cells: string[], ref: string): Submission {
  const malformed = cells.length !== HOTLINE_COLUMNS;
  const [id, , name, , , address, region, subject, declared, content] = cells.map((c) => (c ?? '').toString());
  return sub({
    channelType: 'hotline',
    ref: id || ref,
    text: content ?? '',
    subject: subject || null,
    declaredCategory: declared || null,
    complainant: { name: name || null },
    location: { address: address || null, region: region || null },
    rejectHint: malformed ? 'malformed_row' : null,
  });
}

function readHotlineCsv(corpus: string, file: string): CorpusRecord[] {
  const text = iconv.decode(fs.readFileSync(path.join(corpus, file)), 'gb18030');
  const body = text.slice(text.indexOf('\n') + 1);
  const rows = parseCsv(body, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  const out: CorpusRecord[] = [];
  let n = 0;
  for (const cells of rows.slice(1)) {
    if (cells.every((c) => c.trim() === '')) continue;
    n += 1;
    out.push({ key: `${file}#${n}`, submission: hotlineSubmission(cells, `${file}#${n}`) });
  }
  return out;
}

async function readHotlineXlsx(corpus: string, file: string): Promise<CorpusRecord[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(corpus, file));
  const ws = wb.worksheets[0];
  const out: CorpusRecord[] = [];
  ws.eachRow((row, rowNumber) => {
    if (rowNumber <= 2) return;
    const cells: string[] = [];
    for (let c = 1; c <= HOTLINE_COLUMNS; c += 1) {
      const v = row.getCell(c).value;
      cells.push(v == null ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? String((v as { text?: string }).text ?? '') : String(v));
    }
    if (cells.every((c) => c.trim() === '')) return;
    out.push({ key: `${file}#${rowNumber}`, submission: hotlineSubmission(cells, `${file}#${rowNumber}`) });
  });
  return out;
}

// ---- letters -----------------------------------------------------------------------------------------

function readLetters(corpus: string, file: string): CorpusRecord[] {
  const text = fs.readFileSync(path.join(corpus, file), 'utf8').replace(/^\uFEFF/, '');
  const rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  return rows.slice(1).map((cells, i) => {
    const [id, , name, address, , summary] = cells;
    return {
      key: `${file}#${i + 1}`,
      submission: sub({
        channelType: 'letter',
        ref: id,
        text: summary ?? '',
        complainant: { name: name || null },
        location: { address: address || null },
        rejectHint: cells.length !== 8 ? 'malformed_row' : null,
      }),
    };
  });
}

// ---- web ---------------------------------------------------------------------------------------------

const WEB_MAX_BYTES = 1024 * 1024;

function readWeb(corpus: string): CorpusRecord[] {
  const dir = path.join(corpus, 'web');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = `web/${f}`;
      const bytes = fs.readFileSync(path.join(dir, f));
      const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      const content = typeof body.content === 'string' ? body.content : '';
      let rejectHint: string | null = null;
      if (bytes.length > WEB_MAX_BYTES) rejectHint = 'oversized_payload';
      else if (content.includes('\uFFFD')) rejectHint = 'undecodable_content';
      const attachments = Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : [];
      return {
        key: file,
        submission: sub({
          channelType: 'web',
          ref: String(body.client_token ?? file),
          title: typeof body.title === 'string' ? body.title : null,
          text: rejectHint === 'oversized_payload' ? '' : content,
          declaredCategory: typeof body.pollution_type === 'string' ? body.pollution_type : null,
          location: { address: typeof body.address === 'string' ? body.address : null },
          attachments: attachments.map((a) => ({ filename: String(a.filename ?? ''), contentType: String(a.content_type ?? ''), size: Number(a.size ?? 0) })),
          rejectHint,
        }),
      };
    });
}

// ---- e-mail ------------------------------------------------------------------------------------------

async function readEmail(corpus: string): Promise<CorpusRecord[]> {
  // postal-mime ships CommonJS under `require`; loaded lazily so the rest of the reader stays synchronous.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PostalMime = require('postal-mime').default ?? require('postal-mime');
  const dir = path.join(corpus, 'email');
  const out: CorpusRecord[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.eml')).sort()) {
    const raw = fs.readFileSync(path.join(dir, f));
    const mail = await PostalMime.parse(raw);
    const header = (name: string): string => (mail.headers as { key: string; value: string }[]).find((h) => h.key === name)?.value ?? '';
    const from: string = mail.from?.address ?? '';
    const subject: string = mail.subject ?? '';
    let rejectHint: string | null = null;
    if (/mailer-daemon|postmaster/i.test(from) || /multipart\/report/i.test(header('content-type'))) rejectHint = 'bounce';
    else if (/auto-replied|auto-generated/i.test(header('auto-submitted')) || header('x-autoreply')) rejectHint = 'auto_reply';
    const text: string = mail.text ?? (mail.html ? String(mail.html).replace(/<[^>]+>/g, ' ') : '');
    out.push({
      key: `email/${f}`,
      submission: sub({
        channelType: 'email',
        ref: mail.messageId ?? f,
        title: subject || null,
        text,
        attachments: (mail.attachments ?? []).map((a: { filename?: string; mimeType?: string; content?: ArrayBuffer }) => ({
          filename: a.filename ?? null,
          contentType: a.mimeType ?? 'application/octet-stream',
          size: a.content ? a.content.byteLength : 0,
        })),
        rejectHint,
      }),
    });
  }
  return out;
}

// ---- chats (telegram, wechat) ------------------------------------------------------------------------

interface ChatMsg {
  key: string;
  chat: string;
  at: number;
  kind: 'text' | 'photo' | 'location' | 'command' | 'sticker' | 'event' | 'voice';
  text: string;
  lat?: number;
  lng?: number;
  label?: string;
  edited?: boolean;
}

/**
 * Gathers chat messages the way the conversation gatherer does: a location or a bare photo takes the
 * nearest text of the same chat within a few minutes, and that text takes the location/photo back.
 */
function gatherChat(channelType: 'telegram' | 'wechat', msgs: ChatMsg[]): CorpusRecord[] {
  const partner = new Map<number, number>();
  msgs.forEach((m, i) => {
    if (!(m.kind === 'location' || (m.kind === 'photo' && !m.text))) return;
    let best = -1;
    let bestGap = Infinity;
    msgs.forEach((o, j) => {
      if (j === i || o.chat !== m.chat || !(o.kind === 'text' || o.kind === 'voice') || !o.text) return;
      const gap = Math.abs(o.at - m.at) + (o.at < m.at ? 1 : 0);
      if (gap <= CHAT_GATHER_WINDOW_S && gap < bestGap) {
        best = j;
        bestGap = gap;
      }
    });
    if (best >= 0) {
      partner.set(i, best);
      if (!partner.has(best)) partner.set(best, i);
    }
  });
  return msgs.map((m, i) => {
    const p = partner.get(i);
    const parts = p === undefined ? [m] : [m, msgs[p]];
    const textMsg = parts.find((x) => x.kind === 'text' || x.kind === 'voice');
    const loc = parts.find((x) => x.kind === 'location');
    const photo = parts.find((x) => x.kind === 'photo');
    let rejectHint: string | null = null;
    if (m.kind === 'event') rejectHint = 'event_subscribe';
    else if (m.kind === 'sticker') rejectHint = 'sticker';
    return {
      key: m.key,
      submission: sub({
        channelType,
        ref: m.key,
        text: m.kind === 'command' ? m.text : textMsg?.text ?? (m.kind === 'photo' ? m.text : ''),
        location: { lat: loc?.lat ?? null, lng: loc?.lng ?? null, label: loc?.label ?? null },
        attachments: photo ? [{ filename: null, contentType: 'image/jpeg', size: 1000 }] : [],
        rejectHint,
      }),
    };
  });
}

function readTelegram(corpus: string): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  const dir = path.join(corpus, 'telegram');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const body = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { result: Record<string, any>[] };
    const msgs: ChatMsg[] = body.result.map((u, index) => {
      const m = u.message ?? u.edited_message ?? {};
      const base = { key: `telegram/${f}#${index}`, chat: String(m.chat?.id), at: Number(m.edit_date ?? m.date ?? 0), edited: !!u.edited_message };
      if (m.location) return { ...base, kind: 'location', text: '', lat: m.location.latitude, lng: m.location.longitude };
      if (m.sticker) return { ...base, kind: 'sticker', text: '' };
      if (m.photo) return { ...base, kind: 'photo', text: m.caption ?? '' };
      const text: string = m.text ?? '';
      const isCommand = (m.entities ?? []).some((e: { type: string; offset: number }) => e.type === 'bot_command' && e.offset === 0);
      return { ...base, kind: isCommand ? 'command' : 'text', text };
    });
    out.push(...gatherChat('telegram', msgs));
  }
  return out;
}

function readWechat(corpus: string): CorpusRecord[] {
  const parser = new XMLParser({ parseTagValue: false });
  const dir = path.join(corpus, 'wechat');
  const msgs: ChatMsg[] = fs
    .readdirSync(dir)
    .filter((x) => x.endsWith('.xml'))
    .sort()
    .map((f) => {
      const x = parser.parse(fs.readFileSync(path.join(dir, f), 'utf8')).xml as Record<string, string>;
      const base = { key: `wechat/${f}`, chat: x.FromUserName, at: Number(x.CreateTime) };
      switch (x.MsgType) {
        case 'event':
          return { ...base, kind: 'event', text: '' };
        case 'image':
          return { ...base, kind: 'photo', text: '' };
        case 'location':
          return { ...base, kind: 'location', text: '', lat: Number(x.Location_X), lng: Number(x.Location_Y), label: x.Label };
        case 'voice':
          return { ...base, kind: 'voice', text: x.Recognition ?? '' };
        default:
          return { ...base, kind: 'text', text: x.Content ?? '' };
      }
    });
  return gatherChat('wechat', msgs);
}

export async function readCorpus(corpus: string): Promise<CorpusRecord[]> {
  return [
    ...readHotlineCsv(corpus, 'hotline/12369_export_2024-09.csv'),
    ...(await readHotlineXlsx(corpus, 'hotline/12369_export_2024-09_supplement.xlsx')),
    ...(await readEmail(corpus)),
    ...readTelegram(corpus),
    ...readWechat(corpus),
    ...readWeb(corpus),
    ...readLetters(corpus, 'letters/letters_2024-09.csv'),
  ];
}

// ---- evaluation --------------------------------------------------------------------------------------

const EXPECTED_STATUS = { valid: 'accepted', out_of_scope: 'out_of_scope', invalid: 'rejected' } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
}

function confusion(title: string, pairs: [string, string][]): void {
  const labels = [...new Set(pairs.flat())].sort();
  const count = new Map<string, number>();
  for (const [t, p] of pairs) count.set(`${t}|${p}`, (count.get(`${t}|${p}`) ?? 0) + 1);
  console.log(`\n${title} (rows: truth, columns: predicted)`);
  const w = Math.max(...labels.map((l) => l.length), 6) + 1;
  console.log(''.padEnd(w) + labels.map((l) => l.slice(0, 8).padStart(9)).join(''));
  for (const t of labels) console.log(t.padEnd(w) + labels.map((p) => String(count.get(`${t}|${p}`) ?? '.').padStart(9)).join(''));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const corpus = path.resolve(args.find((a) => !a.startsWith('--')) ?? '/work/shared/samples');
  const verbose = args.includes('--verbose');

  // swc does not copy the JSON rule tables next to the compiled stages: put them where the loader looks.
  fs.cpSync(path.join(repoRoot, 'libs/pipeline/rules'), path.resolve(__dirname, '../../libs/pipeline/rules'), { recursive: true });
  ({ parseSubmission } = await import('@huiliu/contracts'));
  const { validate, classify, normalizeForRules } = await import('@huiliu/pipeline');
  const { createOpenccConverter } = await import('@huiliu/pipeline/validate/text-normalize.util');

  const truth = readTruth(corpus);
  const records = new Map((await readCorpus(corpus)).map((r) => [r.key, r]));

  let validityRight = 0;
  let validTotal = 0;
  let categoryRight = 0;
  let categoryRightStrict = 0;
  const validityPairs: [string, string][] = [];
  const categoryPairs: [string, string][] = [];
  const mistakes: string[] = [];
  let missing = 0;

  for (const t of truth) {
    const rec = records.get(truthKey(t));
    if (!rec) {
      missing += 1;
      mistakes.push(`MISSING ${truthKey(t)}`);
      continue;
    }
    const input = { submission: rec.submission };
    const v = validate(input);
    const c = classify(input);
    const expected = EXPECTED_STATUS[t.expect.validity];
    validityPairs.push([expected, v.status]);
    const snippet = `${rec.submission.title ? `[${rec.submission.title}] ` : ''}${rec.submission.text}`.replace(/\s+/g, ' ').slice(0, 110);
    if (v.status === expected) validityRight += 1;
    else mistakes.push(`VALIDITY ${rec.key} truth=${expected}/${t.expect.reason ?? ''} got=${v.status}/${v.reason ?? ''} ${JSON.stringify(v.reasons.map((r) => [r.rule, r.terms]))} :: ${snippet}`);
    if (t.expect.validity === 'valid') {
      validTotal += 1;
      const predicted = c.primary === 'approval' ? 'other' : (c.primary ?? 'none');
      categoryPairs.push([t.expect.category ?? 'none', predicted]);
      if (predicted === t.expect.category) {
        categoryRight += 1;
        if (v.status === 'accepted') categoryRightStrict += 1;
      } else {
        mistakes.push(`CATEGORY ${rec.key} truth=${t.expect.category} got=${c.primary} declared=${rec.submission.declaredCategory ?? ''} ${JSON.stringify(c.reasons.map((r) => [r.rule, r.terms, r.detail]))} :: ${snippet}`);
      }
    }
  }

  // Cost: validate + classify on fresh submission objects (no cached scan), several passes, median per call.
  const subs = [...records.values()].map((r) => r.submission);
  const timings: number[] = [];
  for (let pass = 0; pass < 6; pass += 1) {
    const fresh = subs.map((s) => structuredClone(s));
    for (const s of fresh) {
      const t0 = process.hrtime.bigint();
      validate({ submission: s });
      classify({ submission: s });
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (pass > 0) timings.push(dt);
    }
  }
  // Normalisation cost: the character map against OpenCC's phrase converter, on the same texts.
  const texts = subs.map((s) => s.text).filter((x) => x);
  const opencc = createOpenccConverter('tw');
  const timeEach = (fn: (x: string) => string): number => {
    const ts: number[] = [];
    for (let pass = 0; pass < 3; pass += 1) {
      for (const x of texts) {
        const t0 = process.hrtime.bigint();
        fn(x);
        ts.push(Number(process.hrtime.bigint() - t0) / 1e3);
      }
    }
    return median(ts);
  };
  const mapUs = timeEach(normalizeForRules);
  const openccUs = timeEach(opencc);

  confusion('Validity', validityPairs);
  confusion('Primary category on valid records (approval counted as other)', categoryPairs);
  if (verbose || mistakes.length <= 60) {
    console.log('\nMistakes:');
    for (const m of mistakes) console.log('  ' + m);
  } else {
    console.log(`\n${mistakes.length} mistakes (run with --verbose to list them)`);
  }
  const summary = {
    records: truth.length,
    missing,
    validity_accuracy: +(validityRight / truth.length).toFixed(4),
    category_accuracy: +(categoryRight / validTotal).toFixed(4),
    category_accuracy_accepted_only: +(categoryRightStrict / validTotal).toFixed(4),
    judging_median_ms: +median(timings).toFixed(4),
    judging_p95_ms: +[...timings].sort((a, b) => a - b)[Math.floor(timings.length * 0.95)].toFixed(4),
    normalize_charmap_median_us: +mapUs.toFixed(2),
    normalize_opencc_median_us: +openccUs.toFixed(2),
  };
  console.log('\nvalidity accuracy        ', summary.validity_accuracy, '(target >= 0.97)');
  console.log('primary category accuracy', summary.category_accuracy, '(target >= 0.95)');
  console.log('judging median per record', summary.judging_median_ms, 'ms (target < 0.5 ms)');
  console.log('normalise: char map', summary.normalize_charmap_median_us, 'us vs OpenCC converter', summary.normalize_opencc_median_us, 'us per text');
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
