/**
 * Measures the locate stage on the labelled sample corpus (/work/shared/samples): county, city and province
 * accuracy, "no location kept", wrong-city count, and the cost of a point-in-polygon lookup.
 *
 * Run: npx swc scripts/dev/divisions-eval.ts libs/divisions libs/contracts -d /tmp/div-eval --config-file .swcrc -q --copy-files \
 *        && NODE_PATH=node_modules node /tmp/div-eval/scripts/dev/divisions-eval.js [--verbose]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import * as iconv from 'iconv-lite';
import { XMLParser } from 'fast-xml-parser';
import type { JudgingInput, Submission } from '@huiliu/contracts';
import { getBoundaryIndex, getDivisionIndex, locate } from '@huiliu/divisions';

const SAMPLES = process.env.SAMPLES ?? '/work/shared/samples';
const verbose = process.argv.includes('--verbose');

interface Rec {
  key: string;
  sub: Partial<Submission> & { location: Submission['location'] };
}

function sub(p: { title?: string | null; text?: string | null; subject?: string | null; address?: string | null; region?: string | null; districtCode?: string | null; lat?: number | null; lng?: number | null; label?: string | null }): Rec['sub'] {
  return {
    title: p.title ?? null,
    text: p.text ?? '',
    subject: p.subject ?? null,
    location: { address: p.address ?? null, region: p.region ?? null, districtCode: p.districtCode ?? null, lat: p.lat ?? null, lng: p.lng ?? null, label: p.label ?? null },
  };
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function readHotline(out: Map<string, Rec['sub']>): void {
  const file = 'hotline/12369_export_2024-09.csv';
  const text = iconv.decode(fs.readFileSync(path.join(SAMPLES, file)), 'gbk');
  const body = text.slice(text.indexOf('\n') + 1);
  const rows: string[][] = parse(body, { relax_column_count: true, skip_empty_lines: true, relax_quotes: true });
  rows.slice(1).forEach((r, i) => {
    if (r.every((c) => !c.trim())) return;
    out.set(`hotline|${file}|${i + 1}`, sub({ address: r[5], region: r[6], subject: r[7], text: r[9] }));
  });
}

function readLetters(out: Map<string, Rec['sub']>): void {
  const file = 'letters/letters_2024-09.csv';
  const rows: string[][] = parse(fs.readFileSync(path.join(SAMPLES, file), 'utf8').replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
  rows.slice(1).forEach((r, i) => out.set(`letters|${file}|${i + 1}`, sub({ address: r[3], text: r[5] })));
}

function readWeb(out: Map<string, Rec['sub']>): void {
  for (const f of fs.readdirSync(path.join(SAMPLES, 'web')).sort()) {
    let j: any;
    try {
      j = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'web', f), 'utf8'));
    } catch {
      continue;
    }
    const dc = j.district_code == null || j.district_code === '' ? null : String(j.district_code);
    out.set(`web|web/${f}`, sub({ title: j.title, text: j.content ?? '', address: j.address, districtCode: dc, lat: num(j.lat), lng: num(j.lng) }));
  }
}

/** A location message is read with the text right after it from the same chat (and vice versa). */
function gather<T extends { chat: string; kind: string; text: string | null; lat?: number; lng?: number; label?: string | null; id?: string | null }>(all: T[], at: number): Rec['sub'] {
  // Retried pushes (same message id) are one message.
  const msgs = all.filter((x, j) => !x.id || all.findIndex((y) => y.id === x.id) === j);
  const first = all[at].id ? all.find((y) => y.id === all[at].id)! : all[at];
  const i = msgs.indexOf(first);
  const m = msgs[i];
  if (m.kind === 'image') {
    const next = msgs.slice(i + 1).find((n) => n.chat === m.chat);
    const prev = [...msgs.slice(0, i)].reverse().find((n) => n.chat === m.chat);
    const near = next?.kind === 'text' ? next : prev?.kind === 'text' ? prev : null;
    return sub({ text: near?.text ?? '' });
  }
  if (m.kind === 'location') {
    const next = msgs.slice(i + 1).find((n) => n.chat === m.chat);
    return sub({ text: next?.kind === 'text' ? (next.text ?? '') : '', lat: m.lat, lng: m.lng, label: m.label ?? null });
  }
  const prev = [...msgs.slice(0, i)].reverse().find((n) => n.chat === m.chat);
  if (prev?.kind === 'location') return sub({ text: m.text ?? '', lat: prev.lat, lng: prev.lng, label: prev.label ?? null });
  return sub({ text: m.text ?? '' });
}

function readTelegram(out: Map<string, Rec['sub']>): void {
  for (const f of ['telegram/getUpdates_1.json', 'telegram/getUpdates_2.json']) {
    const updates = JSON.parse(fs.readFileSync(path.join(SAMPLES, f), 'utf8')).result;
    const msgs = updates.map((u: any) => {
      const m = u.message ?? u.edited_message ?? {};
      return {
        chat: String(m.chat?.id),
        kind: m.location ? 'location' : 'text',
        text: m.text ?? m.caption ?? null,
        lat: m.location?.latitude,
        lng: m.location?.longitude,
        label: m.venue?.title ?? null,
      };
    });
    msgs.forEach((_: unknown, i: number) => out.set(`telegram|${f}|${i}`, gather(msgs, i)));
  }
}

function readWechat(out: Map<string, Rec['sub']>): void {
  const parser = new XMLParser({ parseTagValue: false });
  const files = fs.readdirSync(path.join(SAMPLES, 'wechat')).sort();
  const msgs = files.map((f) => {
    const x = parser.parse(fs.readFileSync(path.join(SAMPLES, 'wechat', f), 'utf8')).xml;
    return {
      file: f,
      id: x.MsgId ? String(x.MsgId) : null,
      chat: String(x.FromUserName),
      kind: x.MsgType === 'location' ? 'location' : x.MsgType === 'image' ? 'image' : 'text',
      text: x.Content ?? x.Recognition ?? null,
      lat: num(x.Location_X) ?? undefined,
      lng: num(x.Location_Y) ?? undefined,
      label: x.Label ?? null,
    };
  });
  msgs.forEach((m, i) => out.set(`wechat|wechat/${m.file}`, gather(msgs, i)));
}

function main(): void {
  const inputs = new Map<string, Rec['sub']>();
  readHotline(inputs);
  readLetters(inputs);
  readWeb(inputs);
  readTelegram(inputs);
  readWechat(inputs);

  const t0 = process.hrtime.bigint();
  const index = getDivisionIndex();
  const t1 = process.hrtime.bigint();
  const boundaries = getBoundaryIndex();
  const t2 = process.hrtime.bigint();
  console.log(`index built in ${Number(t1 - t0) / 1e6} ms (${index.byCode.size} divisions); boundaries loaded in ${Number(t2 - t1) / 1e6} ms (${boundaries.size} counties)`);

  const truth = fs
    .readFileSync(path.join(SAMPLES, 'truth.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const stats = { county: [0, 0], city: [0, 0], province: [0, 0], nullKept: [0, 0], ambiguous: [0, 0], wrongCity: 0, evaluated: 0 };
  const misses: string[] = [];
  const locateTimes: number[] = [];
  for (const t of truth) {
    const r = t.ref;
    const key =
      t.channel === 'hotline' && r.file.endsWith('.csv')
        ? `hotline|${r.file}|${r.row}`
        : t.channel === 'letters'
          ? `letters|${r.file}|${r.row}`
          : t.channel === 'web'
            ? `web|${r.file}`
            : t.channel === 'telegram'
              ? `telegram|${r.file}|${r.index}`
              : t.channel === 'wechat'
                ? `wechat|${r.file}`
                : null;
    if (!key) continue;
    const s = inputs.get(key);
    if (!s) continue;
    stats.evaluated++;
    const input: JudgingInput = { submission: s as Submission };
    const a = process.hrtime.bigint();
    const d = locate(input, index);
    locateTimes.push(Number(process.hrtime.bigint() - a) / 1e3);
    const want: string | null = t.expect.division;
    const level: string | null = t.expect.division_level;
    const show = (): string =>
      `${key} want=${want ?? 'null'}/${level}${t.expect.division_candidates ? ` cands=${t.expect.division_candidates}` : ''} got=${d.code}/${d.level}${d.candidates.length ? ` cands=${d.candidates}` : ''} [${t.tags.join(',')}]\n    addr=${s.location.address ?? ''} region=${s.location.region ?? ''} dc=${s.location.districtCode ?? ''} ll=${s.location.lat ?? ''},${s.location.lng ?? ''} label=${s.location.label ?? ''} title=${s.title ?? ''}\n    text=${(s.text ?? '').slice(0, 160).replace(/\n/g, ' ')}\n    reasons=${d.reasons.map((x) => `${x.rule}:${x.detail}`).join(' | ')}`;
    if (want === null) {
      const bucket = t.expect.division_candidates ? stats.ambiguous : stats.nullKept;
      bucket[1]++;
      const ok = d.code === null && (!t.expect.division_candidates || [...d.candidates].sort().join() === [...t.expect.division_candidates].sort().join());
      if (ok) bucket[0]++;
      else misses.push(show());
      if (d.code) stats.wrongCity++;
      continue;
    }
    const bucket = level === 'county' ? stats.county : level === 'city' ? stats.city : stats.province;
    bucket[1]++;
    if (d.code === want) bucket[0]++;
    else misses.push(show());
    if (d.code && d.code.slice(0, 4) !== want.slice(0, 4) && !(level === 'province' && d.code.slice(0, 2) === want.slice(0, 2)) && !d.code.endsWith('0000')) stats.wrongCity++;
  }

  // Point-in-polygon cost over random points inside China's box, after a warm-up.
  const pts: [number, number][] = [];
  for (let i = 0; i < 20000; i++) pts.push([22 + Math.random() * 20, 100 + Math.random() * 22]);
  for (const [la, ln] of pts) boundaries.countyAt(la, ln);
  const times: number[] = [];
  for (const [la, ln] of pts) {
    const a = process.hrtime.bigint();
    boundaries.countyAt(la, ln);
    times.push(Number(process.hrtime.bigint() - a) / 1e3);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const pct = ([ok, n]: number[]): string => `${ok}/${n} = ${n ? (ok / n).toFixed(3) : '-'}`;

  if (verbose) for (const m of misses) console.log(m);
  console.log(`records evaluated: ${stats.evaluated} (hotline csv, letters, web, telegram, wechat)`);
  console.log(`county accuracy:   ${pct(stats.county)}`);
  console.log(`city accuracy:     ${pct(stats.city)}`);
  console.log(`province accuracy: ${pct(stats.province)}`);
  console.log(`no location kept:  ${pct(stats.nullKept)}`);
  console.log(`ambiguous exact:   ${pct(stats.ambiguous)}`);
  console.log(`wrong city:        ${stats.wrongCity}`);
  console.log(`locate median:     ${median(locateTimes).toFixed(1)} µs/record`);
  console.log(`point-in-polygon:  median ${median(times).toFixed(2)} µs/lookup over ${times.length} points`);
}

main();
