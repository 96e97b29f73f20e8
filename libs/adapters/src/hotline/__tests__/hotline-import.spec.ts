import * as iconv from 'iconv-lite';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSubmission } from '@huiliu/contracts';
import { readTabular, type TabularRecord } from '../../tabular';
import {
  bindProfile,
  bundledProfiles,
  headerMatcher,
  loadProfilesFromDir,
  malformedRowSubmission,
  mapTabularRecord,
  normalizePhone,
  parseExportDate,
  parseProfile,
  pickProfile,
  readRef,
  DEFAULT_DATE_FORMATS,
  type MappedRow,
} from '..';

const dir = mkdtempSync(join(tmpdir(), 'hotline-spec-'));
const H12369 = '受理编号,来电时间,举报人,联系电话,是否匿名,事发地址,所属区域,被举报对象,污染类型,举报内容,受理坐席,办理状态';

async function importCsv(name: string, text: string, encoding = 'gbk'): Promise<MappedRow[]> {
  const path = join(dir, name);
  writeFileSync(path, iconv.encode(text, encoding));
  const profiles = bundledProfiles();
  const stream = readTabular(path, { isHeader: headerMatcher(profiles) });
  const rows: MappedRow[] = [];
  for await (const record of stream) {
    const binding = bindProfile(pickProfile(record.header, profiles)!, record.header);
    rows.push(mapTabularRecord(record, binding, { fileRef: `imports/${name}` }));
  }
  return rows;
}

describe('profiles', () => {
  it('ships valid profiles for 12369, 12345 and the three registers', () => {
    expect(bundledProfiles().map((p) => p.id).sort()).toEqual(['12345-work-order', '12369-export', 'letter-register', 'transfer-register', 'visit-register']);
  });

  it('picks the profile whose headers match, or none', () => {
    const profiles = bundledProfiles();
    expect(pickProfile(H12369.split(','), profiles)?.id).toBe('12369-export');
    expect(pickProfile(['工单编号', '受理时间', '来电人', '来电号码', '工单内容', '问题地址', '区县', '问题分类'], profiles)?.id).toBe('12345-work-order');
    expect(pickProfile(['登记编号', '来信日期', '来信人', '地址', '联系电话', '信件内容摘要', '原件扫描文件名', '登记人'], profiles)?.id).toBe('letter-register');
    expect(pickProfile(['登记编号', '来访日期', '来访人', '来访人数', '是否群体访', '反映问题'], profiles)?.id).toBe('visit-register');
    expect(pickProfile(['转办编号', '来文单位', '来文文号', '收文日期', '办理期限', '反映内容'], profiles)?.id).toBe('transfer-register');
    expect(pickProfile(['姓名', '年龄'], profiles)).toBeNull();
  });

  it('loads an operator profile from a directory and refuses a wrong one with its problems named', () => {
    const opDir = mkdtempSync(join(tmpdir(), 'profiles-'));
    writeFileSync(
      join(opDir, 'city-x.profile.json'),
      JSON.stringify({ id: 'city-x', name: 'X市热线', channelType: 'hotline', columns: { ref: ['流水号'], text: ['情况描述'] }, required: ['ref', 'text'] }),
    );
    const [profile] = loadProfilesFromDir(opDir);
    expect(profile.dateFormats).toEqual(DEFAULT_DATE_FORMATS);
    expect(pickProfile(['流水号', '情况描述'], [...bundledProfiles(), profile])?.id).toBe('city-x');
    expect(() => parseProfile({ id: 'Bad Id', name: 'x', channelType: 'fax', columns: {}, required: ['text'] }, 'bad.json')).toThrow(
      /bad\.json: .*id.*channelType/s,
    );
  });
});

describe('12369 CSV export → submissions', () => {
  const csv = [
    '12369环保举报受理记录导出 2024-09-01至2024-09-30',
    H12369,
    'HBJB-20240903-0004,2024/9/3 8:05,马先生,+86 193 3080 4196,否,湖南省邵阳市武冈市龙溪镇团结路,湖南省/邵阳市/武冈市,瑞丰化工,土壤污染,"来电反映：\r\n1、地块没有修复，就要盖房子；\r\n2、挖开的土有刺鼻味道。",坐席07 李婷,待分派',
    'ＨＢＪＢ－２０２４０９０３－０００５,２０２４年９月３日,匿名,,是,,,,大气污染,有黑烟,坐席02,已受理',
    'HBJB-20240909-9100,2024-09-09 09:37:50,,195 0712 8775,否,建设路',
    '4.40301E+17,2024.9.2,=cmd|calc,0571-8765 4321,否,杭州,,,,=HYPERLINK("x"),坐席,',
    ',,,,,,,,,,,',
    '',
  ].join('\r\n');

  let rows: MappedRow[];
  beforeAll(async () => {
    rows = await importCsv('12369.csv', csv);
  });

  it('maps the columns into a valid submission', () => {
    const s = parseSubmission(rows[0].submission);
    expect(s).toMatchObject({
      channelType: 'hotline',
      ref: 'HBJB-20240903-0004',
      subject: '瑞丰化工',
      declaredCategory: '土壤污染',
      submittedAt: '2024-09-03T08:05:00+08:00',
      complainant: { name: '马先生', phone: '19330804196', anonymous: false },
      location: { address: '湖南省邵阳市武冈市龙溪镇团结路', region: '湖南省/邵阳市/武冈市' },
      extra: { agent: '坐席07 李婷', status: '待分派', row: 1, line: 3 },
    });
    expect(s.text).toBe('来电反映：\n1、地块没有修复，就要盖房子；\n2、挖开的土有刺鼻味道。');
    expect(rows[0].byteOffset).toBeGreaterThan(0);
  });

  it('normalizes full-width ids and dates; 匿名 means anonymous', () => {
    const s = rows[1].submission;
    expect(s.ref).toBe('HBJB-20240903-0005');
    expect(s.submittedAt).toBe('2024-09-03T00:00:00+08:00');
    expect(s.complainant).toMatchObject({ name: null, anonymous: true });
  });

  it('turns a cut-off row into a malformed_row submission under its own id', () => {
    expect(rows[2].malformed).toBe(true);
    expect(rows[2].submission).toMatchObject({
      ref: 'HBJB-20240909-9100',
      rejectHint: 'malformed_row',
      extra: { row: 3, line: 7, error: { row: 3, line: 7, reason: 'expected 12 columns, found 6' } },
    });
    expect(() => parseSubmission(rows[2].submission)).not.toThrow();
  });

  it('flags a mangled id without inventing digits, and formula-like cells stay text', () => {
    const s = rows[3].submission;
    expect(s.ref).toBe('imports/12369.csv#row4');
    expect(s.extra).toMatchObject({ givenRef: '4.40301E+17' });
    expect(s.flags).toEqual(expect.arrayContaining(['precision_loss', 'formula_like_cell']));
    expect(s.text).toBe('=HYPERLINK("x")');
    expect(s.complainant?.phone).toBe('057187654321');
    expect(s.submittedAt).toBe('2024-09-02T00:00:00+08:00');
  });

  it('does not turn blank trailing rows into records', () => {
    expect(rows).toHaveLength(4);
  });
});

describe('malformedRowSubmission', () => {
  it('uses <file-ref>#row<n> when the row id is unusable', () => {
    const record: TabularRecord = {
      format: 'csv',
      row: 7,
      line: 9,
      lineEnd: 9,
      cells: ['', 'x'],
      typed: null,
      header: ['受理编号', 'a', 'b'],
      byteOffset: 10,
      byteLength: 5,
      flags: [],
      error: { row: 7, line: 9, reason: 'expected 3 columns, found 2' },
    };
    expect(malformedRowSubmission(record, { fileRef: 'f.csv' }, 'hotline')).toMatchObject({ ref: 'f.csv#row7', rejectHint: 'malformed_row' });
  });
});

describe('dates', () => {
  const f = DEFAULT_DATE_FORMATS;
  it.each([
    ['2024/9/3 8:05', '2024-09-03T08:05:00+08:00'],
    ['2024-09-03 08:05:00', '2024-09-03T08:05:00+08:00'],
    ['2024.9.2', '2024-09-02T00:00:00+08:00'],
    ['2024年9月2日', '2024-09-02T00:00:00+08:00'],
    ['２０２４／９／３　８：０５', '2024-09-03T08:05:00+08:00'],
    ['45538.5', '2024-09-03T12:00:00+08:00'],
    ['20240903', '2024-09-03T00:00:00+08:00'],
  ])('%s → %s', (text, iso) => {
    expect(parseExportDate(text, f).iso).toBe(iso);
  });

  it('refuses impossible dates and honours the profile list', () => {
    expect(parseExportDate('2024/2/30', f).iso).toBeNull();
    expect(parseExportDate('2024/9/3 25:00', f).iso).toBeNull();
    expect(parseExportDate('2024.9.2', ['yyyy-M-d']).iso).toBeNull();
    expect(parseExportDate('', f, { kind: 'date', wallClock: '2024-09-01 20:42:09' }).iso).toBe('2024-09-01T20:42:09+08:00');
    expect(parseExportDate('45538', ['excel_serial'], { kind: 'number', value: 45538 }).iso).toBe('2024-09-03T00:00:00+08:00');
  });
});

describe('phones', () => {
  it.each([
    ['+86 19330804196', '19330804196'],
    ['8615965235809', '15965235809'],
    ['0086-138-0013-8000', '13800138000'],
    ['183 1182 1596', '18311821596'],
    ['１５６０１１３１６２５', '15601131625'],
    ['0592-0712608', '05920712608'],
    ['+86 10 6512 3456', '01065123456'],
  ])('%s → %s', (text, phone) => {
    expect(normalizePhone(text).phone).toBe(phone);
  });

  it('flags a number cell that lost its leading 0 and keeps it as given', () => {
    const r = normalizePhone('5718765432', { kind: 'number', value: 5718765432 });
    expect(r).toEqual({ phone: '5718765432', others: [], flags: ['phone_leading_zero_lost'] });
    expect(normalizePhone('13800001111', { kind: 'number', value: 13800001111 }).flags).toEqual([]);
  });

  it('keeps extra numbers and flags what it cannot read', () => {
    expect(normalizePhone('13800001111；0571-87654321')).toEqual({ phone: '13800001111', others: ['057187654321'], flags: ['multiple_phones'] });
    expect(normalizePhone('打不通').flags).toContain('phone_unrecognised');
  });
});

describe('record ids', () => {
  it('flags precision loss from scientific notation and oversized number cells', () => {
    expect(readRef('4.40301E+17')).toMatchObject({ usable: false, flags: ['precision_loss'] });
    expect(readRef('440301000000000000', { kind: 'number', value: 440301000000000000 })).toMatchObject({ usable: false, flags: ['precision_loss'] });
    expect(readRef('440301199001011234')).toMatchObject({ usable: true, flags: [] });
    expect(readRef('  ')).toMatchObject({ text: null, usable: false });
  });
});

describe('HotlineAdapter.readFiles', () => {
  it('reads a file with the channel’s own column profile, and refuses it with a reason without one', async () => {
    const { HotlineAdapter } = await import('../hotline.adapter');
    const path = join(dir, 'county-export.csv');
    writeFileSync(path, '编号,内容,地点,时间\nQX-001,化工厂夜里偷排废水，河水发黑,宝安区福永街道凤凰路,2024-09-02 10:00\n');
    const read = async (settings: Record<string, unknown>) => {
      const out = [];
      for await (const r of new HotlineAdapter().readFiles([path], { maxRecordBytes: 1 << 20, maxAttachmentBytes: 1 << 20, channel: { id: 'c', name: 'county', settings } })) out.push(r);
      return out;
    };
    expect(await read({})).toEqual([expect.objectContaining({ ok: false, reason: 'header_not_found' })]);
    const profile = { id: 'county-export', name: '县局导出', channelType: 'hotline', columns: { ref: ['编号'], text: ['内容'], address: ['地点'], submittedAt: ['时间'] }, required: ['ref', 'text'] };
    const [rec] = await read({ profiles: [profile] });
    expect(rec).toMatchObject({ ok: true, submission: expect.objectContaining({ ref: 'QX-001', text: '化工厂夜里偷排废水，河水发黑' }) });
  });
});
