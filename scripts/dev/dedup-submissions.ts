/**
 * The labelled sample corpus as the running pipeline sees it, for measuring dedup with the real stages:
 * every channel's files go through its real adapter (`readFiles`, the CLI's ingest path), redeliveries fold
 * by source key (and letters by their identity, as the importer does), and each submission is judged by
 * `judge(defaultStages())`. Each submission lists the truth records it carries (a gathered chat carries the
 * location message and the text), found the way ../shared/eval/score.mjs finds them: by natural id.
 * Development only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChannelAdapter } from '../../libs/adapters/src';
import type * as Contracts from '../../libs/contracts/src';
import type * as Pipeline from '../../libs/pipeline/src';
import type { TruthLine } from './dedup-samples';

export interface JudgedSubmission {
  /** Source key (channel type + natural id). */
  sourceKey: string;
  submission: Contracts.Submission;
  judgement: Contracts.Judgement;
  /** Truth keys (dedup-samples' `<channel>|<file>|<row>` form) of the records this submission carries. */
  records: string[];
  /** Submission time, epoch ms (submittedAt; NaN when the source gave none). */
  at: number;
}

const ROOT = process.env.SAMPLES_DIR ?? '/work/shared/samples';

/* eslint-disable @typescript-eslint/no-require-imports */
function load() {
  const adapters = require('../../libs/adapters/src') as typeof import('../../libs/adapters/src');
  const contracts = require('../../libs/contracts/src') as typeof Contracts;
  const pipeline = require('../../libs/pipeline/src') as typeof Pipeline;
  return { adapters, contracts, pipeline };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** As score.mjs: ids compared without brackets, punctuation or case. */
function refKey(channel: string, ref: string): string {
  return `${channel}|${String(ref).trim().replace(/^<|>$/g, '').replace(/[^0-9A-Za-z\u4e00-\u9fff@._:+-]/g, '').toLowerCase()}`;
}

const CHANNEL_OF_TRUTH: Record<string, string> = { hotline: 'hotline', letters: 'letter', email: 'email', telegram: 'telegram', wechat: 'wechat', web: 'web' };

function truthKey(t: TruthLine): string {
  const r = t.ref as Record<string, unknown>;
  if (t.channel === 'hotline' || t.channel === 'letters') return `${t.channel}|${r.file}|${r.row}`;
  if (t.channel === 'telegram') return `telegram|${r.file}|${r.index}`;
  return `${t.channel}|${r.file}`;
}

/** The natural ids a truth record may be exported under (score.mjs `candidates`). */
function candidateRefs(t: TruthLine, telegramPages: Map<string, Record<string, any>[]>): string[] {
  const ref = t.ref as Record<string, any>;
  const out: string[] = [];
  const push = (v: unknown) => {
    if (v != null && String(v).trim() !== '') out.push(String(v).trim());
  };
  push(ref.id);
  push(ref.client_token);
  if (ref.message_id) push(String(ref.message_id).replace(/^<|>$/g, ''));
  push(ref.MsgId);
  if (ref.file && t.channel === 'telegram') {
    const u = telegramPages.get(ref.file)?.[ref.index];
    const m = u && (u.message ?? u.edited_message);
    if (m) push(`${m.chat.id}:${m.message_id}`);
  }
  if (ref.file && t.channel === 'wechat' && !ref.MsgId) {
    const s = fs.readFileSync(path.join(ROOT, ref.file), 'utf8');
    const tag = (n: string) => (s.match(new RegExp(`<${n}>(?:<!\\[CDATA\\[)?([^<\\]]*)`)) ?? [])[1];
    for (const sep of [':', '+', '-', '_', '']) push(`${tag('FromUserName')}${sep}${tag('CreateTime')}`);
  }
  if (ref.file) {
    push(path.basename(ref.file));
    push(path.basename(ref.file).replace(/\.[^.]+$/, ''));
  }
  return out;
}

function filesOf(dir: string): string[] {
  const full = path.join(ROOT, dir);
  return fs
    .readdirSync(full)
    .filter((f) => !f.startsWith('.') && f.toLowerCase() !== 'readme.md')
    .sort()
    .map((f) => path.join(full, f));
}

export async function loadJudgedSubmissions(truth: TruthLine[]): Promise<{ submissions: JudgedSubmission[]; unfound: string[] }> {
  const { adapters, contracts, pipeline } = load();
  const byType: Record<string, [ChannelAdapter, string]> = {
    hotline: [new adapters.HotlineAdapter(), 'hotline'],
    letter: [new adapters.LetterAdapter(), 'letters'],
    email: [new adapters.EmailAdapter(), 'email'],
    telegram: [new adapters.TelegramAdapter(), 'telegram'],
    wechat: [new adapters.WechatAdapter(), 'wechat'],
    web: [new adapters.WebAdapter(), 'web'],
  };
  const stages = pipeline.defaultStages();
  const bySourceKey = new Map<string, JudgedSubmission>();
  const byLetterIdentity = new Map<string, JudgedSubmission>();
  const ordered: JudgedSubmission[] = [];
  for (const [type, [adapter, dir]] of Object.entries(byType)) {
    for await (const rec of adapter.readFiles(filesOf(dir), { maxRecordBytes: 1024 * 1024, maxAttachmentBytes: 512 * 1024 })) {
      if (!rec.ok) continue;
      let submission: Contracts.Submission;
      try {
        submission = contracts.parseSubmission(rec.submission);
      } catch {
        continue;
      }
      const sourceKey = contracts.sourceKeyOf(submission.channelType, submission.ref);
      const identity = type === 'letter' ? letterIdentityOf(adapters, submission) : null;
      const earlier = bySourceKey.get(sourceKey) ?? (identity ? byLetterIdentity.get(identity) : undefined);
      if (earlier) {
        // A redelivery (same source key) or a letter registered again: its ids fold into the first.
        earlier.submission.refs = [...new Set([...earlier.submission.refs, submission.ref, ...submission.refs])];
        continue;
      }
      const judgement = pipeline.judge({ submission, channelHomeDivision: null }, stages);
      const js: JudgedSubmission = { sourceKey, submission, judgement, records: [], at: submission.submittedAt ? Date.parse(submission.submittedAt) : NaN };
      bySourceKey.set(sourceKey, js);
      if (identity) byLetterIdentity.set(identity, js);
      ordered.push(js);
    }
  }

  // Truth records → submissions by natural id, as the scorer does.
  const index = new Map<string, JudgedSubmission>();
  for (const js of ordered) {
    for (const r of new Set([js.submission.ref, ...js.submission.refs])) {
      const k = refKey(js.submission.channelType, r);
      if (!index.has(k)) index.set(k, js);
    }
  }
  const telegramPages = new Map<string, Record<string, any>[]>();
  for (const f of filesOf('telegram')) telegramPages.set(`telegram/${path.basename(f)}`, JSON.parse(fs.readFileSync(f, 'utf8')).result);
  const unfound: string[] = [];
  for (const t of truth) {
    const channel = CHANNEL_OF_TRUTH[t.channel];
    const hit = candidateRefs(t, telegramPages)
      .map((c) => index.get(refKey(channel, c)))
      .find((x) => x !== undefined);
    if (hit) hit.records.push(truthKey(t));
    else unfound.push(truthKey(t));
  }
  return { submissions: ordered, unfound };
}

function letterIdentityOf(adapters: typeof import('../../libs/adapters/src'), submission: Contracts.Submission): string | null {
  const scans = (submission.extra as { scanFiles?: string[] }).scanFiles ?? [];
  return adapters.letterIdentity({
    sender: submission.complainant.name ?? (submission.complainant.anonymous ? '匿名' : null),
    date: submission.submittedAt ?? '',
    scanFiles: scans,
  });
}
