import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { Client } from 'pg';
import { FsBlobStore } from '../libs/platform/src';
import { createTestEnv, waitFor, type TestEnv } from './support/env';
import { exited, getJson, spawnApp, startGateway, startWorkerInProcess, type RunningGateway } from './support/apps';
import { H12369, hotlineCsv, hotlineRow, hotlineXlsx, letterCsv, zipBombXlsx } from './support/tabular-fixtures';
import type { WorkerHandle } from '../apps/worker/src/worker';

const ADMIN = { authorization: 'Bearer test-admin-token' };

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

describe('hotline exports and registers imported through the import machinery', () => {
  let env: TestEnv;
  let gw: RunningGateway;
  let worker: WorkerHandle;
  let db: Client;
  let blobs: FsBlobStore;

  beforeAll(async () => {
    // Small batches and frequent progress, so a small file exercises several statements and updates.
    env = await createTestEnv({ IMPORT_MAX_BYTES: '1mb', IMPORT_BATCH_ROWS: '4', IMPORT_PROGRESS_ROWS: '4', IMPORT_JOB_SIZE: '3' });
    gw = await startGateway(env.config);
    worker = await startWorkerInProcess(env.config);
    db = new Client({ connectionString: env.config.DATABASE_URL });
    await db.connect();
    blobs = new FsBlobStore(env.blobRoot);
  });
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await gw?.close();
    await env?.dispose();
  });

  const upload = async (channel: string, body: Buffer, fileName: string, contentType = 'text/csv', headers: Record<string, string> = ADMIN) => {
    const res = await fetch(`${gw.url}/v1/channels/${channel}/imports`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName), ...headers },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const finished = (id: string) =>
    waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/imports/${id}`, ADMIN);
      return r.json.status === 'done' || r.json.status === 'failed' ? r.json : undefined;
    }, { what: `import ${id} finished`, timeoutMs: 30000 });
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);

  const rows = Array.from({ length: 10 }, (_, i) => hotlineRow(`HBJB-20240903-${String(i + 1).padStart(4, '0')}`, i === 2 ? { text: '来电反映：\n1、夜里排黑烟；\n2、气味刺鼻，"很呛"。' } : {}));
  const malformed = 'HBJB-20240909-9100,2024-09-09 09:37:50,,195 0712 8775,否,建设路';
  const firstExport = hotlineCsv([...rows.slice(0, 5), malformed, ...rows.slice(5, 8), hotlineRow('HBJB-20240903-0099', { text: '=HYPERLINK("http://x")举报' })]);

  it('streams an upload into the blob store once, records rows in batches, and reports a malformed row', async () => {
    const res = await upload('hotline', firstExport, '12369_export_2024-09.csv');
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'queued', statusUrl: `/v1/imports/${res.json.id}` });

    const done = await finished(res.json.id);
    expect(done).toMatchObject({ status: 'done', channelType: 'hotline', fileName: '12369_export_2024-09.csv', rowsRead: 10, recorded: 9, duplicates: 0, rejected: 1, error: null });
    expect(done.facts).toMatchObject({ format: 'csv', encoding: 'gb18030', headerLine: 2, profile: '12369-export' });

    const report = await getJson(`${gw.url}/v1/imports/${res.json.id}/report`, ADMIN);
    expect(report.json).toMatchObject({ rejected: 1, truncated: false, rows: [{ row: 6, line: 10, reason: 'malformed_row', detail: 'expected 12 columns, found 6', ref: 'HBJB-20240909-9100' }] });

    // The file is one blob; each row points into it by offset and length.
    const stored = listFiles(path.join(env.blobRoot, 'sha256'));
    expect(stored).toHaveLength(1);
    const r = await db.query(`SELECT ref, raw, payload, status FROM submissions WHERE channel_type = 'hotline' ORDER BY seq`);
    expect(r.rows).toHaveLength(10);
    for (const row of r.rows) expect(row.raw.blobKey).toBe(done.fileBlobKey);
    const third = r.rows.find((x) => x.ref === 'HBJB-20240903-0003');
    const slice = iconv.decode(await blobs.read(third.raw), 'gb18030');
    expect(slice.startsWith('HBJB-20240903-0003,')).toBe(true);
    expect(slice).toContain('"很呛"');
    expect(third.payload.text).toBe('来电反映：\n1、夜里排黑烟；\n2、气味刺鼻，"很呛"。');
    const formula = r.rows.find((x) => x.ref === 'HBJB-20240903-0099');
    expect(formula.payload.text).toBe('=HYPERLINK("http://x")举报');
    expect(formula.payload.flags).toContain('formula_like_cell');

    // The malformed row is a submission the pipeline rejects; the others are judged too.
    const malformedRow = await waitFor(async () => {
      const x = await db.query(`SELECT status, reason FROM submissions WHERE ref = 'HBJB-20240909-9100'`);
      return x.rows[0]?.status !== 'pending' ? x.rows[0] : undefined;
    }, { what: 'malformed row judged' });
    expect(malformedRow).toEqual({ status: 'rejected', reason: 'malformed_row' });
    await waitFor(async () => ((await count(`SELECT count(*) AS n FROM submissions WHERE status = 'pending'`)) === 0 ? true : undefined), { what: 'all judged' });
  });

  it('adds nothing when the same file is imported again, and only the new rows of an overlapping export', async () => {
    const before = await count(`SELECT count(*) AS n FROM submissions`);
    const again = await finished((await upload('hotline', firstExport, 'again.csv')).json.id);
    expect(again).toMatchObject({ status: 'done', rowsRead: 10, recorded: 0, duplicates: 9, rejected: 1 });
    expect(await count(`SELECT count(*) AS n FROM submissions`)).toBe(before);

    // The next export repeats rows 6..8 (and the 0099 row) and adds rows 9 and 10.
    const overlapping = hotlineCsv([...rows.slice(5, 10), hotlineRow('HBJB-20240903-0099', { text: '=HYPERLINK("http://x")举报' })]);
    const o = await finished((await upload('hotline', overlapping, '12369_export_2024-09-b.csv')).json.id);
    expect(o).toMatchObject({ status: 'done', rowsRead: 6, recorded: 2, duplicates: 4, rejected: 0 });
    expect(await count(`SELECT count(*) AS n FROM submissions`)).toBe(before + 2);
  });

  it('imports an XLSX export: title row, typed date and number cells, the worksheet row in extra', async () => {
    const xlsx = await hotlineXlsx([
      { id: 'HBJB-20240920-0001', when: new Date(Date.UTC(2024, 8, 20, 9, 30)), phone: 13800138000, text: '杭州市西湖区转塘街道的永丰印染厂往河里排污水，河水发黑。' },
      { id: 'HBJB-20240920-0002', when: '2024-09-20 10:00:00', phone: '0571-8765 4321', text: '印染厂废水直排，气味很大。' },
    ]);
    const res = await upload('hotline', xlsx, '12369_export_2024-09_supplement.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const done = await finished(res.json.id);
    expect(done).toMatchObject({ status: 'done', rowsRead: 2, recorded: 2, rejected: 0, facts: { format: 'xlsx', sheet: '受理记录', headerLine: 2 } });
    const r = await db.query(`SELECT payload, complainant, raw FROM submissions WHERE ref = 'HBJB-20240920-0001'`);
    expect(r.rows[0].payload).toMatchObject({ submittedAt: '2024-09-20T09:30:00+08:00', extra: { sheet: '受理记录', row: 1, line: 3 } });
    expect(r.rows[0].complainant.phone).toBe('13800138000');
    // The complainant is kept apart from the payload (confidential).
    expect(r.rows[0].payload).not.toHaveProperty('complainant');
    expect(r.rows[0].raw).toMatchObject({ blobKey: done.fileBlobKey, offset: null, length: null });
  });

  it('refuses hostile files with a clear reason and records nothing from them', async () => {
    const before = await count(`SELECT count(*) AS n FROM submissions`);
    const bomb = await finished((await upload('hotline', zipBombXlsx(), 'bomb.xlsx', 'application/octet-stream')).json.id);
    expect(bomb.status).toBe('failed');
    expect(bomb.error).toMatch(/^zip_bomb: XLSX refused/);

    const wide = Buffer.from(`${H12369}${',x'.repeat(5000)}\r\n${'1,'.repeat(5000)}\r\n`);
    const w = await finished((await upload('hotline', wide, 'wide.csv')).json.id);
    expect(w.status).toBe('failed');
    expect(w.error).toMatch(/^too_many_columns:/);

    const noHeader = await finished((await upload('hotline', Buffer.from('姓名,年龄\r\n张三,3\r\n'), 'other.csv')).json.id);
    expect(noHeader).toMatchObject({ status: 'failed' });
    expect(noHeader.error).toMatch(/^header_not_found:/);
    expect(await count(`SELECT count(*) AS n FROM submissions`)).toBe(before);
  });

  it('answers 413 over IMPORT_MAX_BYTES, 404 for an unknown channel, 409 for a channel that takes no files, 401 without the token', async () => {
    const big = hotlineCsv(Array.from({ length: 6000 }, (_, i) => hotlineRow(`HBJB-BIG-${i}`)));
    expect(big.length).toBeGreaterThan(1024 * 1024);
    expect((await upload('hotline', big, 'big.csv')).status).toBe(413);
    expect((await upload('nope', firstExport, 'x.csv')).status).toBe(404);
    expect((await upload('web', firstExport, 'x.csv')).status).toBe(409);
    expect((await upload('hotline', firstExport, 'x.csv', 'text/csv', {})).status).toBe(401);
    expect(await count(`SELECT count(*) AS n FROM imports WHERE file_name IN ('big.csv', 'x.csv')`)).toBe(0);
  });

  it('leaves no temporary file behind when an upload is refused over the limit while streaming, or interrupted', async () => {
    const tmpFiles = () => (existsSync(path.join(env.blobRoot, 'tmp')) ? readdirSync(path.join(env.blobRoot, 'tmp')) : []);
    const stored = () => (existsSync(path.join(env.blobRoot, 'sha256')) ? listFiles(path.join(env.blobRoot, 'sha256')).length : 0);
    const storedBefore = stored();
    const big = hotlineCsv(Array.from({ length: 6000 }, (_, i) => hotlineRow(`HBJB-STREAM-${i}`)));
    // Chunked, without Content-Length: the limit is only found while the body is being stored. Plain
    // connections (no keep-alive) so a reset socket is not reused by the next test's requests.
    const send = (body: Buffer, abortAfter?: number) =>
      new Promise<number | 'aborted'>((resolve, reject) => {
        const req = request(`${gw.url}/v1/channels/hotline/imports`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'text/csv', 'x-file-name': 'chunked-big.csv', 'transfer-encoding': 'chunked', ...ADMIN },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', (err) => (abortAfter === undefined ? reject(err) : resolve('aborted')));
        if (abortAfter === undefined) {
          for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
          req.end();
        } else {
          req.write(body.subarray(0, abortAfter), () => setTimeout(() => req.destroy(), 200));
        }
      });
    expect(await send(big)).toBe(413);
    expect(tmpFiles()).toEqual([]);

    // The client goes away halfway through the body.
    expect(await send(big, 200 * 1024)).toBe('aborted');
    await waitFor(async () => (tmpFiles().length === 0 ? true : undefined), { what: 'temporary upload file removed' });
    expect(stored()).toBe(storedBefore);
    expect(await count(`SELECT count(*) AS n FROM imports WHERE file_name IN ('chunked-big.csv', 'hotline-upload')`)).toBe(0);
  });

  it('shows progress while an import runs', async () => {
    const many = hotlineCsv(Array.from({ length: 400 }, (_, i) => hotlineRow(`HBJB-PROG-${String(i).padStart(4, '0')}`)));
    const res = await upload('hotline', many, 'progress.csv');
    const seen: number[] = [];
    const done = await waitFor(async () => {
      const r = await getJson(`${gw.url}/v1/imports/${res.json.id}`, ADMIN);
      if (r.json.status === 'running') seen.push(r.json.rowsRead);
      return r.json.status === 'done' ? r.json : undefined;
    }, { intervalMs: 10, timeoutMs: 30000, what: 'progress import done' });
    expect(done).toMatchObject({ rowsRead: 400, recorded: 400 });
    expect(seen.some((n) => n > 0 && n < 400)).toBe(true);
  });

  it('ingests from the CLI through the same machinery: summary JSON on stdout, imports visible in the API, a letter registered twice folded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huiliu-imports-cli-'));
    writeFileSync(path.join(dir, 'a.csv'), hotlineCsv([hotlineRow('HBJB-CLI-0001'), malformed.replace('9100', '9101'), hotlineRow('HBJB-CLI-0002')]));
    writeFileSync(path.join(dir, 'b.xlsx'), await hotlineXlsx([{ id: 'HBJB-CLI-0003', when: '2024-09-21 08:00:00', phone: '13800000000', text: '工地夜间施工噪音很大。' }]));
    const child = spawnApp('cli', env.env, ['ingest', '--channel', 'hotline', path.join(dir, 'a.csv'), path.join(dir, 'b.xlsx')]);
    expect(await exited(child, 60000)).toBe(0);
    const lines = child.output().trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]);
    expect(summary).toMatchObject({ channel: 'hotline', channelName: 'hotline-default', files: 2, read: 4, recorded: 3, duplicates: 0, rejected: 1 });
    expect(summary.rejections).toEqual([expect.objectContaining({ ref: 'HBJB-20240909-9101', reason: 'malformed_row', row: 2, detail: 'expected 12 columns, found 6' })]);
    expect(summary.importIds).toHaveLength(2);
    const shown = await getJson(`${gw.url}/v1/imports/${summary.importIds[0]}`, ADMIN);
    expect(shown.json).toMatchObject({ status: 'done', origin: 'cli', recorded: 2, rejected: 1 });

    // Letters: the same letter registered again under another number folds into the first submission.
    const letters = letterCsv([
      'LX20240914-001,2024-09-14,林芳,徐州市贾汪区青山泉镇,13900001111,来信反映其住所附近的化工厂往河里排污水，河水发黑。,scan_0914_001.pdf,何静',
      'LX20240914-002,2024/9/14,赵强,,,来信反映铜山区的搅拌站粉尘很大。,scan_0914_002.pdf,何静',
      'LX20240914-501,2024年9月14日,林芳,徐州市贾汪区青山泉镇,13900001111,来信反映其住所附近的化工厂往河里排污水，河水发黑。,scan_0914_001.pdf,郑伟',
    ]);
    writeFileSync(path.join(dir, 'letters.csv'), letters);
    for (const round of [1, 2]) {
      const c = spawnApp('cli', env.env, ['ingest', '--channel', 'letter', path.join(dir, 'letters.csv')]);
      expect(await exited(c, 60000)).toBe(0);
      const s = JSON.parse(c.output().trim().split('\n').pop()!);
      expect(s).toMatchObject(round === 1 ? { channel: 'letter', read: 3, recorded: 2, duplicates: 1, rejected: 0 } : { read: 3, recorded: 0, duplicates: 3, rejected: 0 });
    }
    const folded = await db.query(`SELECT ref, refs FROM submissions WHERE channel_type = 'letter' ORDER BY seq`);
    expect(folded.rows).toEqual([
      { ref: 'LX20240914-001', refs: ['LX20240914-001', 'LX20240914-501'] },
      { ref: 'LX20240914-002', refs: ['LX20240914-002'] },
    ]);
  });
});
