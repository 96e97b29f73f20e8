/**
 * Reads the labelled sample corpus (/work/shared/samples) natively, just enough for measuring dedup:
 * text, title, subject, address, time and complainant of every source record, joined with its truth line.
 * Development only; the real adapters live under libs/adapters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

// Resolved from the working directory (the repository root), so the compiled script also runs from /tmp.
const requireFromRepo = createRequire(path.join(process.cwd(), 'package.json'));
const iconv: typeof import('iconv-lite') = requireFromRepo('iconv-lite');
const { parse: parseCsv }: typeof import('csv-parse/sync') = requireFromRepo('csv-parse/sync');
const { XMLParser }: typeof import('fast-xml-parser') = requireFromRepo('fast-xml-parser');
const ExcelJS = requireFromRepo('exceljs');

export interface TruthLine {
  channel: string;
  ref: Record<string, unknown>;
  expect: {
    validity: 'valid' | 'out_of_scope' | 'invalid';
    division: string | null;
    division_level: string | null;
    category: string | null;
    incident: string | null;
    reason?: string;
    redelivery_of?: Record<string, unknown>;
    /** With an ambiguous county name: every county of that name. */
    division_candidates?: string[];
  };
  tags: string[];
}

export interface SampleRecord {
  key: string;
  truth: TruthLine;
  text: string;
  title: string | null;
  subject: string | null;
  address: string | null;
  at: number;
  complainant: { phone?: string | null; email?: string | null; handle?: string | null };
  /** Key of the record this one is gathered into (a location message folded into the text after it). */
  foldedInto?: string;
}

const ROOT = process.env.SAMPLES_DIR ?? '/work/shared/samples';

function truthKey(channel: string, ref: Record<string, unknown>): string {
  switch (channel) {
    case 'hotline':
      return `hotline|${ref.file}|${ref.row}`;
    case 'letters':
      return `letters|${ref.file}|${ref.row}`;
    case 'email':
      return `email|${ref.file}`;
    case 'telegram':
      return `telegram|${ref.file}|${ref.index}`;
    case 'wechat':
      return `wechat|${ref.file}`;
    case 'web':
      return `web|${ref.file}`;
    default:
      throw new Error(`unknown channel ${channel}`);
  }
}

/** Beijing wall-clock strings in the exports: `2024/9/3 8:05`, `2024-09-03 08:05:00`, `2024年9月3日`, `2024.9.3`. */
function parseBeijing(s: string): number {
  const m = /(\d{4})\D(\d{1,2})\D(\d{1,2})\D*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', se = '0'] = m;
  return Date.UTC(+y, +mo - 1, +d, +h - 8, +mi, +se);
}

function readHotlineCsv(file: string, out: Map<string, Partial<SampleRecord>>): void {
  const text = iconv.decode(fs.readFileSync(path.join(ROOT, file)), 'gbk');
  const body = text.slice(text.indexOf('\n') + 1);
  const rows: string[][] = parseCsv(body, { relax_column_count: true, skip_empty_lines: false, relax_quotes: true });
  let row = 0;
  for (const r of rows.slice(1)) {
    if (r.every((c) => c.trim() === '')) continue;
    row += 1;
    out.set(`hotline|${file}|${row}`, {
      text: r[9] ?? '',
      subject: r[7] || null,
      address: r[5] || null,
      title: null,
      at: parseBeijing(r[1] ?? ''),
      complainant: { phone: r[3] || null },
    });
  }
}

async function readHotlineXlsx(file: string, out: Map<string, Partial<SampleRecord>>): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(ROOT, file));
  const ws = wb.worksheets[0];
  ws.eachRow((r: { getCell(i: number): { value: unknown; text: string } }, n: number) => {
    if (n < 3) return;
    const cell = (i: number): string => {
      const v = r.getCell(i).value;
      if (v instanceof Date) return v.toISOString();
      return v == null ? '' : String(typeof v === 'object' ? r.getCell(i).text : v);
    };
    const when = r.getCell(2).value;
    out.set(`hotline|${file}|${n}`, {
      text: cell(10),
      subject: cell(8) || null,
      address: cell(6) || null,
      title: null,
      // Excel dates hold Beijing wall-clock as if it were UTC.
      at: when instanceof Date ? when.getTime() - 8 * 3600_000 : parseBeijing(cell(2)),
      complainant: { phone: cell(4) || null },
    });
  });
}

function readLetters(file: string, out: Map<string, Partial<SampleRecord>>): void {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^\uFEFF/, '');
  const rows: string[][] = parseCsv(text, { relax_column_count: true });
  rows.slice(1).forEach((r, i) => {
    out.set(`letters|${file}|${i + 1}`, {
      text: r[5] ?? '',
      subject: null,
      address: r[3] || null,
      title: null,
      at: parseBeijing(r[1] ?? ''),
      complainant: { phone: r[4] || null },
    });
  });
}

function readWeb(file: string, out: Map<string, Partial<SampleRecord>>): void {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  } catch {
    return;
  }
  out.set(`web|${file}`, {
    text: String(j.content ?? ''),
    title: (j.title as string) ?? null,
    subject: null,
    address: (j.address as string) ?? null,
    at: Date.parse(String(j.submitted_at)),
    complainant: { phone: (j.contact_phone as string) ?? null },
  });
}

function readWechat(file: string, out: Map<string, Partial<SampleRecord>>): void {
  const x = new XMLParser({ parseTagValue: false }).parse(fs.readFileSync(path.join(ROOT, file), 'utf8')).xml;
  const text = x.MsgType === 'text' ? String(x.Content ?? '') : x.MsgType === 'voice' ? String(x.Recognition ?? '') : '';
  out.set(`wechat|${file}`, {
    text,
    title: null,
    subject: null,
    address: x.MsgType === 'location' ? String(x.Label ?? '') : null,
    at: Number(x.CreateTime) * 1000,
    complainant: { handle: `wechat:${x.FromUserName}` },
    // kept for gathering below
    ...({ _kind: x.MsgType, _chat: x.FromUserName } as object),
  });
}

function readTelegram(file: string, out: Map<string, Partial<SampleRecord>>): void {
  const j = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  j.result.forEach((u: Record<string, any>, index: number) => {
    const m = u.message ?? u.edited_message;
    if (!m) return;
    const kind = m.location ? 'location' : m.photo ? 'image' : m.text != null ? 'text' : 'other';
    out.set(`telegram|${file}|${index}`, {
      text: String(m.text ?? m.caption ?? ''),
      title: null,
      subject: null,
      address: null,
      at: (m.edit_date ?? m.date) * 1000,
      complainant: { handle: `telegram:${m.from?.id}` },
      ...({ _kind: kind, _chat: m.chat?.id } as object),
    });
  });
}

async function readEmail(file: string, out: Map<string, Partial<SampleRecord>>): Promise<void> {
  const PostalMime = requireFromRepo('postal-mime').default;
  const email = await PostalMime.parse(fs.readFileSync(path.join(ROOT, file)));
  const html = String(email.html ?? '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ');
  out.set(`email|${file}`, {
    text: String(email.text ?? html),
    title: email.subject ?? null,
    subject: null,
    address: null,
    at: email.date ? Date.parse(email.date) : NaN,
    complainant: { email: email.from?.address ?? null },
  });
}

export async function loadSamples(): Promise<SampleRecord[]> {
  const truth: TruthLine[] = fs
    .readFileSync(path.join(ROOT, 'truth.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const raw = new Map<string, Partial<SampleRecord>>();
  for (const f of fs.readdirSync(path.join(ROOT, 'hotline')).sort()) {
    const rel = `hotline/${f}`;
    if (f.endsWith('.csv')) readHotlineCsv(rel, raw);
    else if (f.endsWith('.xlsx')) await readHotlineXlsx(rel, raw);
  }
  for (const f of fs.readdirSync(path.join(ROOT, 'letters')).sort()) readLetters(`letters/${f}`, raw);
  for (const f of fs.readdirSync(path.join(ROOT, 'web')).sort()) readWeb(`web/${f}`, raw);
  for (const f of fs.readdirSync(path.join(ROOT, 'wechat')).sort()) readWechat(`wechat/${f}`, raw);
  for (const f of fs.readdirSync(path.join(ROOT, 'telegram')).sort()) readTelegram(`telegram/${f}`, raw);
  for (const f of fs.readdirSync(path.join(ROOT, 'email')).sort()) await readEmail(`email/${f}`, raw);

  const records: SampleRecord[] = [];
  for (const t of truth) {
    const key = truthKey(t.channel, t.ref);
    const r = raw.get(key);
    if (!r) throw new Error(`no source record for truth ${key}`);
    records.push({ ...(r as SampleRecord), key, truth: t });
  }
  gatherChats(records);
  return records;
}

/**
 * What the conversation gatherer does: a location message is folded into the next text of the same chat;
 * an image without caption into the text next to it. The folded record's label joins the text's address.
 */
function gatherChats(records: SampleRecord[]): void {
  const chatOf = (r: SampleRecord) => (r as unknown as { _chat?: unknown })._chat;
  const kindOf = (r: SampleRecord) => (r as unknown as { _kind?: string })._kind;
  const byChat = new Map<string, SampleRecord[]>();
  for (const r of records) {
    if (r.truth.channel !== 'telegram' && r.truth.channel !== 'wechat') continue;
    const k = `${r.truth.channel}|${chatOf(r)}`;
    byChat.set(k, [...(byChat.get(k) ?? []), r]);
  }
  for (const msgs of byChat.values()) {
    msgs.sort((a, b) => a.at - b.at);
    msgs.forEach((m, i) => {
      const kind = kindOf(m);
      if ((kind !== 'location' && kind !== 'image') || m.text.trim() !== '') return;
      const near = [msgs[i + 1], msgs[i - 1]].find(
        (n) => n && kindOf(n) === 'text' && n.text.trim() !== '' && Math.abs(n.at - m.at) < 30 * 60_000,
      );
      if (!near) return;
      m.foldedInto = near.key;
      if (kind === 'location' && m.address) near.address = [near.address, m.address].filter(Boolean).join(' ');
    });
  }
}
