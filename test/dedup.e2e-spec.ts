import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { startStack, type Stack } from './support/stack';
import { waitFor } from './support/env';
import { getJson, postJson, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';
import { assignCases, DATA_SOURCE, dedupSettingsFor, IntakeQueue } from '@huiliu/intake';
import { dedupInputOf, judge, defaultStages } from '@huiliu/pipeline';
import { CaseChangedError, CaseIndexRepository, ConversationRepository, createDataSource, SubmissionRepository } from '@huiliu/store';
import { parseSubmission, SUBMISSION_SCHEMA_VERSION } from '@huiliu/contracts';
import { exportLine } from '../apps/cli/src/commands/export.command';

const ADMIN = { authorization: 'Bearer test-admin-token' };

/** Five neighbours over three weeks, each in their own words, about one factory's black smoke. */
const NEIGHBOURS = [
  { at: '2024-09-01T21:10:00+08:00', phone: '13900000001', content: '中山路100号宏达化工厂每天晚上排放黑烟，气味刺鼻，窗户都不敢开。' },
  { at: '2024-09-05T22:30:00+08:00', phone: '13900000002', content: '宏达化工那边的烟囱又冒黑烟了，晚上特别严重，呛得人直咳嗽。' },
  { at: '2024-09-10T20:05:00+08:00', phone: '13900000003', content: '投诉宏达化工厂废气扰民，连续一周晚上都有刺鼻气味和黑烟。' },
  { at: '2024-09-15T23:40:00+08:00', phone: '13900000004', content: '玄武区中山路的宏达化工厂夜里偷排废气，黑烟滚滚，请环保部门查处。' },
  { at: '2024-09-21T21:55:00+08:00', phone: '13900000005', content: '中山路100号那家化工厂（宏达化工）又在排黑烟，邻居们都受不了了。' },
];

async function judged(gw: RunningGateway, body: Record<string, unknown>) {
  const res = await postJson(`${gw.url}/v1/submissions`, body);
  expect(res.status).toBe(202);
  return waitFor(async () => {
    const r = await getJson(`${gw.url}/v1/submissions/${res.json.id}`, ADMIN);
    return r.json.status !== 'pending' ? r.json : undefined;
  });
}

const neighbour = (n: (typeof NEIGHBOURS)[number], over: Record<string, unknown> = {}) =>
  webForm({ title: null, content: n.content, submitted_at: n.at, contact_phone: n.phone, address: null, district_code: '320102', ...over });

/** Amends a recorded submission as an edited chat message does, and waits for it to be judged again. */
async function amended(stack: Stack, id: string, text: string) {
  const ds = stack.worker.app.get<DataSource>(DATA_SOURCE);
  const conversations = new ConversationRepository(ds);
  const { rows } = await stack.db.query(`SELECT source_key, ref FROM submissions WHERE id = $1`, [id]);
  const done = await conversations.inTransaction((em) =>
    conversations.amendSubmission(em, { sourceKey: rows[0].source_key, text, refs: [rows[0].ref], location: null, editRaw: null, editedRef: `${rows[0].ref}-edit` }),
  );
  await stack.worker.app.get(IntakeQueue).enqueue([{ submissionId: done!.id, sourceKey: done!.sourceKey, attempt: done!.replayCount }]);
  return waitFor(async () => {
    const r = await getJson(`${stack.gw.url}/v1/submissions/${id}`, ADMIN);
    return r.json.status !== 'pending' ? r.json : undefined;
  });
}

async function caseRow(db: Client, id: string) {
  const { rows } = await db.query(`SELECT status, features, submission_count, repeat_count, suggested_count FROM cases WHERE id = $1`, [id]);
  const { rows: keys } = await db.query(`SELECT key::text || '|' || division AS k FROM case_keys WHERE case_id = $1 ORDER BY 1`, [id]);
  return { ...rows[0], keys: keys.map((k) => k.k as string) };
}

describe('duplicates: one incident, one case', () => {
  let stack: Stack;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack();
    ({ gw, db } = stack);
  });
  afterAll(async () => stack?.close());

  it('attaches repeat reports in other words to one case, with count, channels, first and latest report and timeline', async () => {
    const subs = [];
    for (const n of NEIGHBOURS) subs.push(await judged(gw, neighbour(n)));
    expect(subs.map((s) => s.status)).toEqual(Array(5).fill('accepted'));
    expect(new Set(subs.map((s) => s.caseId)).size).toBe(1);
    expect(subs.map((s) => s.match)).toEqual(['new', 'auto', 'auto', 'auto', 'auto']);

    const c = (await getJson(`${gw.url}/v1/cases/${subs[0].caseId}`, ADMIN)).json;
    expect(c.counts).toMatchObject({ submissions: 5, repeatPetitions: 0, newReports: 5, identifiedComplainants: 5 });
    expect(c.channels).toEqual(['web']);
    expect(new Date(c.firstReportedAt).toISOString()).toBe(new Date(NEIGHBOURS[0].at).toISOString());
    expect(new Date(c.lastReportedAt).toISOString()).toBe(new Date(NEIGHBOURS[4].at).toISOString());
    expect(c.timeline.map((t: { submissionId: string }) => t.submissionId)).toEqual(subs.map((s) => s.id));
    // The timeline tells how and when, never who.
    expect(JSON.stringify(c)).not.toContain('13900000001');
  });

  it('keeps the same words about another factory, and another problem at the same address, apart', async () => {
    const first = await judged(gw, neighbour(NEIGHBOURS[0], { client_token: 'apart-0', contact_phone: '13900000010' }));
    const otherFactory = await judged(gw, neighbour(NEIGHBOURS[0], { content: NEIGHBOURS[0].content.replace('宏达', '华泰'), contact_phone: '13900000011' }));
    const noise = await judged(gw, neighbour(NEIGHBOURS[0], { content: '中山路100号宏达化工厂晚上机器轰鸣，噪音很大，吵得整夜睡不着。', contact_phone: '13900000012' }));
    expect(otherFactory.status).toBe('accepted');
    expect(noise.category).toBe('noise');
    expect(otherFactory.caseId).not.toBe(first.caseId);
    expect(noise.caseId).not.toBe(first.caseId);
    expect(otherFactory.match).toBe('new');
    expect(noise.match).toBe('new');
  });

  it('marks the same complainant repeating the same matter as a repeat petition, and the case shows both counts', async () => {
    const again = await judged(gw, neighbour(NEIGHBOURS[2], { content: '我上周已经投诉过宏达化工厂排黑烟，到现在还在排，晚上根本没法开窗。', submitted_at: '2024-09-25T21:00:00+08:00', contact_phone: '+86 139 0000 0003' }));
    expect(again.match).toBe('auto');
    expect(again.repeatPetition).toBe(true);
    const c = (await getJson(`${gw.url}/v1/cases/${again.caseId}`, ADMIN)).json;
    expect(c.counts).toMatchObject({ submissions: 7, repeatPetitions: 1, newReports: 6, identifiedComplainants: 6 });
  });

  it('opens a new case for a recurrence outside the window', async () => {
    const later = await judged(gw, neighbour(NEIGHBOURS[0], { submitted_at: '2025-03-01T21:10:00+08:00', contact_phone: '13900000021' }));
    const early = await judged(gw, neighbour(NEIGHBOURS[1], { client_token: 'window-early' }));
    expect(later.match).toBe('new');
    expect(later.caseId).not.toBe(early.caseId);
  });

  it('rebuilds the case an amended submission leaves: its features, counts and index rows no longer carry it, and a case left alone is empty', async () => {
    // Months after the other reports of this file, so no earlier case is a candidate.
    const river = { title: null, address: null, district_code: '320102', submitted_at: '2025-08-02T09:00:00+08:00' };
    const a = await judged(gw, webForm({ ...river, content: '北京东路88号金鹏印染厂往河里偷排污水，河水发黑发臭。', contact_phone: '13900000041' }));
    const alone = await caseRow(db, a.caseId);
    const b = await judged(gw, webForm({ ...river, submitted_at: '2025-08-03T09:00:00+08:00', content: '金鹏印染厂又往北京东路那段河里排污水，水又黑又臭，还漂着泡沫。', contact_phone: '13900000042' }));
    expect(b.caseId).toBe(a.caseId);
    const grown = await caseRow(db, a.caseId);
    expect(grown.submission_count).toBe(2);
    expect(grown.keys).not.toEqual(alone.keys);

    const moved = await amended(stack, b.id, '珠江路上的永兴饭店油烟直排，熏得人睁不开眼。');
    expect(moved.category).toBe('air');
    expect(moved.caseId).not.toBe(a.caseId);
    const left = await caseRow(db, a.caseId);
    expect(left).toMatchObject({ status: 'open', submission_count: 1, repeat_count: 0, suggested_count: 0 });
    // What the case knows is again what its one remaining member told it.
    expect(left.features).toEqual(alone.features);
    expect(left.keys).toEqual(alone.keys);
    const other = await caseRow(db, moved.caseId);
    expect(other).toMatchObject({ status: 'open', submission_count: 1 });
    expect(other.features.members).toBe(1);

    // The only member leaves: the case is empty and no longer attracts reports.
    const solo = await judged(gw, webForm({ title: null, address: null, district_code: '320102', submitted_at: '2025-08-05T23:00:00+08:00', content: '玄武区龙蟠路的建筑工地半夜打桩，噪音很大。', contact_phone: '13900000043' }));
    const elsewhere = await amended(stack, solo.id, '玄武区龙蟠路边有人乱倒建筑垃圾，堆得像小山一样。');
    expect(elsewhere.caseId).not.toBe(solo.caseId);
    expect(await caseRow(db, solo.caseId)).toMatchObject({ status: 'empty', submission_count: 0, repeat_count: 0, features: null, keys: [] });
  });

  it('rebuilds the case an amended submission stays in, so the old text is forgotten', async () => {
    const first = await judged(gw, webForm({ title: null, address: null, district_code: '320102', submitted_at: '2025-08-08T23:00:00+08:00', content: '玄武区太平门街的东方洗车店晚上机器噪音很大。', contact_phone: '13900000044' }));
    const stayed = await amended(stack, first.id, '玄武区太平门街的东方洗车店晚上机器噪音很大，一直吵到凌晨两点，根本睡不着。');
    expect(stayed.caseId).toBe(first.caseId);
    const c = await caseRow(db, first.caseId);
    expect(c).toMatchObject({ status: 'open', submission_count: 1 });
    expect(c.features.members).toBe(1);
    expect(c.features.signatures).toHaveLength(1);
  });

  it('recognises a repeat petition however many people reported the case before', async () => {
    // Months after the other reports of this file, about another factory: a case of its own.
    const report = (i: number, phone: string, content?: string) =>
      neighbour(NEIGHBOURS[i % NEIGHBOURS.length], {
        content: content ?? NEIGHBOURS[i % NEIGHBOURS.length].content.replaceAll('宏达化工', '北辰化工').replace('中山路100号', '中山路500号'),
        submitted_at: `2025-12-${String(i + 1).padStart(2, '0')}T21:00:00+08:00`,
        contact_phone: phone,
      });
    const phones = Array.from({ length: 10 }, (_, i) => `1390000051${i}`);
    const first = [];
    for (const [i, phone] of phones.entries()) first.push(await judged(gw, report(i, phone)));
    const caseId = first[0].caseId;
    expect(first.every((s) => s.caseId === caseId && !s.repeatPetition)).toBe(true);
    const counts = async () => (await getJson(`${gw.url}/v1/cases/${caseId}`, ADMIN)).json.counts;
    expect(await counts()).toMatchObject({ submissions: 10, repeatPetitions: 0, identifiedComplainants: 10 });

    const again = '我之前已经投诉过北辰化工厂排黑烟，到现在还在排，晚上根本没法开窗。';
    const firstAgain = await judged(gw, report(10, phones[0], again));
    expect(firstAgain).toMatchObject({ caseId, repeatPetition: true });
    const lastAgain = await judged(gw, report(11, phones[9], again));
    expect(lastAgain).toMatchObject({ caseId, repeatPetition: true });
    expect(await counts()).toMatchObject({ submissions: 12, repeatPetitions: 2, identifiedComplainants: 10 });

    const newcomer = await judged(gw, report(12, '13900000520'));
    expect(newcomer).toMatchObject({ caseId, repeatPetition: false });
    expect(await counts()).toMatchObject({ submissions: 13, repeatPetitions: 2, identifiedComplainants: 11 });
    const { rows } = await db.query(`SELECT repeat_count FROM cases WHERE id = $1`, [caseId]);
    expect(rows[0].repeat_count).toBe(2);
  });

  it('keeps the inbox rule: a redelivery is no second submission and no second member', async () => {
    const body = neighbour(NEIGHBOURS[3], { client_token: 'redelivered-1', submitted_at: '2024-09-16T08:00:00+08:00' });
    const a = await judged(gw, body);
    const b = await postJson(`${gw.url}/v1/submissions`, body);
    expect(b.json.id).toBe(a.id);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM submissions WHERE ref = 'redelivered-1'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('duplicates: officers decide the grey band', () => {
  let stack: Stack;
  let gw: RunningGateway;
  let db: Client;

  beforeAll(async () => {
    // A high automatic threshold (and no sole-case rule) puts every match in the grey band: each is a suggestion for an officer.
    stack = await startStack({ DEDUP_AUTO_THRESHOLD: '1.5', DEDUP_SUGGEST_THRESHOLD: '0.2', DEDUP_SOLE_CASE: 'false' });
    ({ gw, db } = stack);
  });
  afterAll(async () => stack?.close());

  it('attaches a grey-band match as suggested; an officer confirms or splits it, audited, and a re-run keeps it', async () => {
    const a = await judged(gw, neighbour(NEIGHBOURS[0]));
    const b = await judged(gw, neighbour(NEIGHBOURS[1]));
    const c = await judged(gw, neighbour(NEIGHBOURS[2]));
    expect(a.match).toBe('new');
    expect([b.match, c.match]).toEqual(['suggested', 'suggested']);
    expect(b.caseId).toBe(a.caseId);
    const caseId = a.caseId;
    expect((await getJson(`${gw.url}/v1/cases/${caseId}`, ADMIN)).json.counts.suggested).toBe(2);

    // Export line: the case the suggestion belongs to, and how it got there.
    const entity = (await stack.worker.app.get(SubmissionRepository).findById(b.id))!;
    expect(exportLine(entity, 'web')).toMatchObject({ caseId, match: 'suggested' });

    const noAuth = await postJson(`${gw.url}/v1/cases/${caseId}/submissions/${b.id}/confirm`, { by: 'officer-li' });
    expect(noAuth.status).toBe(401);
    const bad = await postJson(`${gw.url}/v1/cases/${caseId}/submissions/${b.id}/confirm`, { reason: 'x' }, ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.json.fields[0].field).toBe('by');

    const confirmed = await postJson(`${gw.url}/v1/cases/${caseId}/submissions/${b.id}/confirm`, { by: 'officer-li', reason: '同一工厂' }, ADMIN);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.counts.suggested).toBe(1);
    const split = await postJson(`${gw.url}/v1/cases/${caseId}/submissions/${c.id}/split`, { by: 'officer-li', reason: '另一起' }, ADMIN);
    expect(split.status).toBe(200);
    const newCaseId = split.json.newCase.id;
    expect(split.json.case.counts.submissions).toBe(2);
    expect(split.json.newCase.counts.submissions).toBe(1);
    expect(split.json.newCase.timeline[0]).toMatchObject({ submissionId: c.id, match: 'manual' });

    const events = (await getJson(`${gw.url}/v1/cases/${caseId}/events`, ADMIN)).json;
    expect(events.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual(['confirm:officer-li', 'split:officer-li']);
    expect(events[1].details.to).toBe(newCaseId);

    // A re-run of the pipeline (the submission goes back to pending and is judged again) keeps both decisions.
    await db.query(`UPDATE submissions SET status = 'pending' WHERE id = ANY($1::uuid[])`, [[b.id, c.id]]);
    const queue = stack.worker.app.get((await import('@huiliu/intake')).IntakeQueue);
    await queue.enqueue([
      { submissionId: b.id, sourceKey: `web:rerun-${b.id}`, attempt: 1 },
      { submissionId: c.id, sourceKey: `web:rerun-${c.id}`, attempt: 1 },
    ]);
    await waitFor(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM submissions WHERE id = ANY($1::uuid[]) AND status = 'accepted'`, [[b.id, c.id]]);
      return rows[0].n === 2 ? true : undefined;
    });
    const { rows } = await db.query(`SELECT id, case_id, match FROM submissions WHERE id = ANY($1::uuid[]) ORDER BY received_at`, [[b.id, c.id]]);
    expect(rows).toEqual([
      { id: b.id, case_id: caseId, match: 'confirmed' },
      { id: c.id, case_id: newCaseId, match: 'manual' },
    ]);
    const after = (await getJson(`${gw.url}/v1/cases/${caseId}`, ADMIN)).json;
    expect(after.counts.submissions).toBe(2);
  });

  it('merges two cases and moves a submission by hand, refusing what cannot be done', async () => {
    const x = await judged(gw, neighbour(NEIGHBOURS[3], { content: '太平北路永安化工厂排黑烟。', contact_phone: '13900000031', submitted_at: '2024-10-01T20:00:00+08:00' }));
    const y = await judged(gw, webForm({ content: '珠江路上的金鹏饭店油烟直排，熏得人睁不开眼。', district_code: '320102', contact_phone: '13900000032', submitted_at: '2024-10-01T20:00:00+08:00' }));
    expect(y.caseId).not.toBe(x.caseId);
    const merged = await postJson(`${gw.url}/v1/cases/${x.caseId}/merge`, { by: 'officer-wang', caseId: y.caseId }, ADMIN);
    expect(merged.status).toBe(200);
    expect(merged.json.moved).toBe(1);
    const gone = (await getJson(`${gw.url}/v1/cases/${y.caseId}`, ADMIN)).json;
    expect(gone).toMatchObject({ status: 'merged', mergedInto: x.caseId });
    expect((await getJson(`${gw.url}/v1/submissions/${y.id}`, ADMIN)).json).toMatchObject({ caseId: x.caseId, match: 'manual' });
    const { rows: keys } = await db.query(`SELECT count(*)::int AS n FROM case_keys WHERE case_id = $1`, [y.caseId]);
    expect(keys[0].n).toBe(0);

    expect((await postJson(`${gw.url}/v1/cases/${x.caseId}/merge`, { by: 'officer-wang', caseId: y.caseId }, ADMIN)).status).toBe(409);
    expect((await postJson(`${gw.url}/v1/cases/${x.caseId}/merge`, { by: 'officer-wang', caseId: x.caseId }, ADMIN)).status).toBe(400);
    expect((await postJson(`${gw.url}/v1/cases/00000000-0000-4000-8000-000000000000/merge`, { by: 'o', caseId: x.caseId }, ADMIN)).status).toBe(404);

    const z = await judged(gw, webForm({ content: '玄武区某小区旁的工地夜间施工噪音扰民。', district_code: '320102', contact_phone: '13900000033' }));
    const moved = await postJson(`${gw.url}/v1/cases/${x.caseId}/submissions`, { by: 'officer-wang', submissionId: z.id, reason: '同一投诉人补充' }, ADMIN);
    expect(moved.status).toBe(200);
    expect(moved.json.counts.submissions).toBe(3);
    expect((await getJson(`${gw.url}/v1/cases/${z.caseId}`, ADMIN)).json.status).toBe('empty');
    expect((await postJson(`${gw.url}/v1/cases/${x.caseId}/submissions`, { by: 'officer-wang', submissionId: z.id }, ADMIN)).status).toBe(409);
  });
});

describe('duplicates: racing workers', () => {
  let stack: Stack;
  let ds1: DataSource;
  let ds2: DataSource;

  beforeAll(async () => {
    stack = await startStack();
    ds1 = await createDataSource(stack.env.config.DATABASE_URL).initialize();
    ds2 = await createDataSource(stack.env.config.DATABASE_URL).initialize();
  });
  afterAll(async () => {
    await ds1?.destroy();
    await ds2?.destroy();
    await stack?.close();
  });

  it('serialises two near-duplicates decided at the same moment in two transactions: the second joins the first one\'s case', async () => {
    const settings = dedupSettingsFor(stack.env.config);
    const stages = defaultStages();
    const inputOf = (n: (typeof NEIGHBOURS)[number]) => {
      const submission = parseSubmission({ schemaVersion: SUBMISSION_SCHEMA_VERSION, channelType: 'web', ref: n.phone, text: n.content, submittedAt: n.at, location: { address: null, districtCode: '320102', region: null, lat: null, lng: null, label: null } });
      const judgement = judge({ submission, channelHomeDivision: null }, stages);
      return dedupInputOf(submission, judgement, { channelType: 'web', receivedAt: new Date(n.at), pepper: settings.pepper })!;
    };
    const index = new CaseIndexRepository();
    const first = { id: '10000000-0000-4000-8000-000000000001', channelType: 'web', title: 'a', input: inputOf(NEIGHBOURS[0]), pinned: null };
    const second = { id: '10000000-0000-4000-8000-000000000002', channelType: 'web', title: 'b', input: inputOf(NEIGHBOURS[1]), pinned: null };

    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstDecided!: (id: string) => void;
    const firstCase = new Promise<string>((r) => (firstDecided = r));
    const t1 = ds1.transaction(async (em) => {
      const m = await assignCases(em, index, [first], settings.match);
      firstDecided(m.get(first.id)!.caseId);
      await firstHolds;
      return m.get(first.id)!;
    });
    const caseOfFirst = await firstCase;
    let secondDone = false;
    const t2 = ds2
      .transaction((em) => assignCases(em, index, [second], settings.match))
      .then((m) => {
        secondDone = true;
        return m.get(second.id)!;
      });
    // The second transaction waits on the block lock while the first has not committed.
    await new Promise((r) => setTimeout(r, 400));
    expect(secondDone).toBe(false);
    releaseFirst();
    const [a, b] = await Promise.all([t1, t2]);
    expect(a.match).toBe('new');
    expect(b).toMatchObject({ caseId: caseOfFirst, match: 'auto' });
    const { rows } = await stack.db.query(`SELECT submission_count FROM cases WHERE id = $1`, [caseOfFirst]);
    expect(rows[0].submission_count).toBe(2);
  });

  it('refuses to write a candidate case another transaction changed since it was read (the decision runs again)', async () => {
    const index = new CaseIndexRepository();
    const id = '20000000-0000-4000-8000-000000000001';
    const row = { id, isNew: true, status: 'open', features: null, divisionCode: '320102', divisionLevel: 'county', category: 'air', title: 't', submissionCount: 1, channelTypes: ['web'], firstReportedAt: new Date(), lastReportedAt: new Date(), repeatCount: 0, suggestedCount: 0 };
    await ds1.transaction((em) => index.save(em, [row]));
    const [read] = (await ds1.transaction((em) => index.probeAndLoad(em, [], [id]))).cases;
    expect(read.version).toMatch(/^\d+$/);
    // Another worker adds a member in between.
    await ds2.transaction((em) => index.save(em, [{ ...read, isNew: false, submissionCount: 2 }]));
    const stale = ds1.transaction((em) => index.save(em, [{ ...read, isNew: false, submissionCount: 2 }]));
    await expect(stale).rejects.toBeInstanceOf(CaseChangedError);
    await expect(stale).rejects.toMatchObject({ code: '40001' });
    const { rows } = await stack.db.query(`SELECT submission_count FROM cases WHERE id = $1`, [id]);
    expect(rows[0].submission_count).toBe(2);
  });

  it('ends with one case per incident when many near-duplicates race through two workers', async () => {
    const second = await (await import('./support/apps')).startWorkerInProcess(stack.env.config);
    try {
      const incidents = ['宏达化工', '金鹏化工', '华泰化工', '永兴化工', '蓝天化工', '绿源化工', '北辰化工', '汇丰化工'];
      const bodies = incidents.flatMap((name, i) =>
        NEIGHBOURS.slice(0, 3).map((n, k) =>
          neighbour(n, { content: n.content.replaceAll('宏达化工', name).replace('中山路100号', `中山路${200 + i}号`), contact_phone: `1380000${i}${k}00`, client_token: `race-${i}-${k}` }),
        ),
      );
      const posted = await Promise.all(bodies.map((b) => postJson(`${stack.gw.url}/v1/submissions`, b)));
      expect(posted.every((p) => p.status === 202)).toBe(true);
      const rows = await waitFor(async () => {
        const r = await stack.db.query(`SELECT ref, case_id, status FROM submissions WHERE ref LIKE 'race-%'`);
        return r.rows.length === bodies.length && r.rows.every((x) => x.status !== 'pending') ? r.rows : undefined;
      });
      const casesOf = new Map<string, Set<string>>();
      for (const r of rows) {
        const incident = r.ref.split('-')[1];
        casesOf.set(incident, (casesOf.get(incident) ?? new Set()).add(r.case_id));
      }
      expect([...casesOf.values()].map((s) => s.size)).toEqual(Array(incidents.length).fill(1));
      const { rows: shared } = await stack.db.query(`SELECT case_id, array_agg(DISTINCT split_part(ref, '-', 2)) AS incidents FROM submissions WHERE ref LIKE 'race-%' GROUP BY case_id HAVING count(DISTINCT split_part(ref, '-', 2)) > 1`);
      expect(shared).toEqual([]);
      expect(new Set(rows.map((r) => r.case_id)).size).toBe(incidents.length);
    } finally {
      await second.close();
    }
  });
});
