import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSubmission } from '@huiliu/contracts';
import { readTabular } from '../../tabular';
import { bindProfile, bundledProfiles, headerMatcher, mapTabularRecord, pickProfile, type MappedRow } from '../../hotline';
import {
  letterEntryToSubmission,
  LetterEntrySchema,
  letterIdentity,
  letterLocationAddress,
  TransferEntrySchema,
  transferEntryToSubmission,
  VisitEntrySchema,
  visitEntryToSubmission,
} from '..';

async function importRegister(text: string): Promise<MappedRow[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'register-spec-')), 'register.csv');
  writeFileSync(path, `\ufeff${text}`);
  const profiles = bundledProfiles();
  const rows: MappedRow[] = [];
  for await (const record of readTabular(path, { isHeader: headerMatcher(profiles) })) {
    rows.push(mapTabularRecord(record, bindProfile(pickProfile(record.header, profiles)!, record.header), { fileRef: 'letters.csv' }));
  }
  return rows;
}

describe('letter register', () => {
  const csv = [
    '登记编号,来信日期,来信人,地址,联系电话,信件内容摘要,原件扫描文件名,登记人',
    'LX20240914-001,2024/9/14,王芳,江苏省徐州市贾汪区滨河路113号,,来信人反映其住所附近一家造纸厂偷排废水,scan_0914_p1.jpg;scan_0914_p2.jpg,何静',
    'LX20240914-501,2024.9.14,王芳,江苏省徐州市贾汪区滨河路113号,,来信人反映住所附近造纸厂偷排废水（重复登记）,scan_0914_p2.jpg；scan_0914_p1.jpg,郑伟',
    'LX20240915-001,2024年9月15日,匿名,临沂市费县上湾村,,来信反映临沂市费县开发大道的鑫源化工有异味,LX20240915-001.pdf,何静',
    '',
  ].join('\r\n');

  it('maps a letter: sender address as location when the summary points at home, always as returnAddress', async () => {
    const [first, second, third] = await importRegister(csv);
    const s = parseSubmission(first.submission);
    expect(s).toMatchObject({
      channelType: 'letter',
      ref: 'LX20240914-001',
      submittedAt: '2024-09-14T00:00:00+08:00',
      location: { address: '江苏省徐州市贾汪区滨河路113号' },
      extra: { returnAddress: '江苏省徐州市贾汪区滨河路113号', scanFiles: ['scan_0914_p1.jpg', 'scan_0914_p2.jpg'], registrar: '何静' },
    });
    expect(third.submission.location).toMatchObject({ address: null });
    expect(third.submission.extra).toMatchObject({ returnAddress: '临沂市费县上湾村' });
    expect(third.submission.complainant).toMatchObject({ name: null, anonymous: true });
    // Registered twice: same sender, same date, same scans in another order → same identity.
    expect(first.identity).not.toBeNull();
    expect(second.identity).toBe(first.identity);
    expect(third.identity).not.toBe(first.identity);
  });

  it('has no identity without scan file names', () => {
    expect(letterIdentity({ sender: '王芳', date: '2024-09-14', scanFiles: '' })).toBeNull();
    expect(letterIdentity({ sender: '王芳', date: '2024-09-14T00:00:00+08:00', scanFiles: ['a.pdf'] })).toBe(
      letterIdentity({ sender: '王 芳', date: '2024-09-14', scanFiles: 'A.pdf' }),
    );
  });

  it('uses the sender address only when the summary has no place of its own', () => {
    expect(letterLocationAddress('反映家门口的汽修厂喷漆', '昆明市五华区经五路281号')).toBe('昆明市五华区经五路281号');
    expect(letterLocationAddress('反映有人烧垃圾，味道很大', '昆明市五华区')).toBe('昆明市五华区');
    expect(letterLocationAddress('反映南京市鼓楼区胜利路的工地夜间施工', '昆明市五华区')).toBeNull();
  });
});

describe('visit and transfer registers', () => {
  it('reads head count and group visit from a visit register', async () => {
    const rows = await importRegister(
      ['登记编号,来访日期,来访人,来访人数,是否群体访,联系电话,住址,反映问题,接待人', 'LF-001,2024-09-05,张强,6,否,13800001111,某村,村口养猪场臭气熏天,李明'].join('\n'),
    );
    expect(rows[0].submission).toMatchObject({ channelType: 'visit', ref: 'LF-001', extra: { visitors: 6, groupVisit: true } });
  });

  it('reads the originating authority, document number and deadline from a transfer register', async () => {
    const rows = await importRegister(
      ['转办编号,来文单位,来文文号,收文日期,办理期限,反映内容', 'ZB-001,省生态环境厅,苏环转〔2024〕12号,2024/9/6,2024/9/20,某化工厂夜间偷排'].join('\n'),
    );
    expect(rows[0].submission).toMatchObject({
      channelType: 'transfer',
      submittedAt: '2024-09-06T00:00:00+08:00',
      extra: { originAuthority: '省生态环境厅', originDocNumber: '苏环转〔2024〕12号', deadline: '2024-09-20T00:00:00+08:00' },
    });
  });
});

describe('staff single entry', () => {
  it('maps a letter entry with scanned pages; a missing number takes the generated ref', () => {
    const entry = LetterEntrySchema.parse({
      receivedDate: '2024-09-14',
      name: '王芳',
      returnAddress: '江苏省徐州市贾汪区滨河路113号',
      phone: '+86 138 0000 1111',
      summary: '来信人反映其住所附近一家造纸厂偷排废水',
      scannedPages: [{ filename: 'p1.jpg', contentType: 'image/jpeg', size: 1234, blobKey: 'blobs/p1' }],
    });
    const { submission, identity } = letterEntryToSubmission(entry, { generatedRef: 'LX-GEN-1' });
    expect(parseSubmission(submission)).toMatchObject({
      ref: 'LX-GEN-1',
      channelType: 'letter',
      submittedAt: '2024-09-14T00:00:00+08:00',
      complainant: { phone: '13800001111' },
      location: { address: '江苏省徐州市贾汪区滨河路113号' },
      attachments: [{ filename: 'p1.jpg', blobKey: 'blobs/p1', size: 1234 }],
      extra: { returnAddress: '江苏省徐州市贾汪区滨河路113号' },
    });
    expect(identity).toBe(letterIdentity({ sender: '王芳', date: '2024-09-14', scanFiles: ['p1.jpg'] }));
  });

  it('validates and maps visits (5+ visitors is a group visit) and transfers', () => {
    expect(VisitEntrySchema.safeParse({ visitDate: '2024-09-05', summary: 'x', visitors: 0 }).success).toBe(false);
    const visit = visitEntryToSubmission(VisitEntrySchema.parse({ registrationNumber: 'LF-9', visitDate: '2024-09-05T09:30', visitors: 5, summary: '臭气' }), {
      generatedRef: 'unused',
    });
    expect(parseSubmission(visit)).toMatchObject({ ref: 'LF-9', submittedAt: '2024-09-05T09:30:00+08:00', extra: { visitors: 5, groupVisit: true } });

    expect(TransferEntrySchema.safeParse({ receivedDate: '2024-09-06', summary: 'x' }).success).toBe(false);
    const transfer = transferEntryToSubmission(
      TransferEntrySchema.parse({ receivedDate: '2024-09-06', originAuthority: '生态环境部', originDocNumber: '环转〔2024〕3号', deadline: '2024-09-20', summary: '偷排' }),
      { generatedRef: 'ZB-GEN-1' },
    );
    expect(parseSubmission(transfer)).toMatchObject({
      ref: 'ZB-GEN-1',
      channelType: 'transfer',
      extra: { originAuthority: '生态环境部', originDocNumber: '环转〔2024〕3号', deadline: '2024-09-20T00:00:00+08:00' },
    });
  });
});
