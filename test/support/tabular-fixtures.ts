import { crc32, deflateRawSync } from 'node:zlib';
import * as ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';

export const H12369 = '受理编号,来电时间,举报人,联系电话,是否匿名,事发地址,所属区域,被举报对象,污染类型,举报内容,受理坐席,办理状态';

/** One 12369 export row (CSV text); `text` may hold line breaks (it is quoted). */
export function hotlineRow(id: string, opts: { when?: string; text?: string; address?: string } = {}): string {
  const text = opts.text ?? `来电反映：${opts.address ?? '江苏省南京市玄武区中山路8号'}的宏达化工厂晚上排放黑烟，气味刺鼻。`;
  return [id, opts.when ?? '2024/9/3 8:05', '马先生', '+86 193 3080 4196', '否', opts.address ?? '江苏省南京市玄武区中山路8号', '江苏省/南京市/玄武区', '宏达化工厂', '大气污染', `"${text.replace(/"/g, '""')}"`, '坐席07 李婷', '待分派'].join(',');
}

/** A GBK 12369 export: title line, header, rows, blank trailing rows, CRLF. */
export function hotlineCsv(rows: string[]): Buffer {
  return iconv.encode(['12369环保举报受理记录导出 2024-09-01至2024-09-30', H12369, ...rows, ',,,,,,,,,,,', ''].join('\r\n'), 'gbk');
}

/** An XLSX export as exported by the platform: merged title row, header on row 2, date and number cells. */
export async function hotlineXlsx(rows: { id: string; when: Date | string; phone: string | number; text: string }[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('受理记录');
  ws.addRow(['12369环保举报受理记录导出（补录）']);
  ws.mergeCells('A1:L1');
  ws.addRow(H12369.split(','));
  for (const r of rows) {
    const row = ws.addRow([r.id, r.when, '王女士', r.phone, '否', '浙江省杭州市西湖区转塘街道', '浙江省/杭州市/西湖区', '永丰印染厂', '水污染', r.text, '坐席02', '已受理']);
    if (r.when instanceof Date) row.getCell(2).numFmt = 'yyyy/m/d h:mm';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * A zip that declares a sheet inflating to `inflated` bytes from a few kilobytes (a zip bomb): only the central
 * directory is ever read by the importer's guard, so the bytes are never inflated.
 */
export function zipBombXlsx(inflated = 64 * 1024 * 1024): Buffer {
  const content = Buffer.alloc(inflated, 0x20);
  const entries: { name: string; data: Buffer; raw: Buffer }[] = [
    { name: '[Content_Types].xml', raw: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'), data: Buffer.alloc(0) },
    { name: 'xl/worksheets/sheet1.xml', raw: content, data: Buffer.alloc(0) },
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    e.data = deflateRawSync(e.raw, { level: 9 });
    const name = Buffer.from(e.name);
    const crc = crc32(e.raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A letter register as offices keep it: UTF-8 with BOM, CRLF. */
export const LETTER_HEADER = '登记编号,来信日期,来信人,地址,联系电话,信件内容摘要,原件扫描文件名,登记人';
export function letterCsv(rows: string[]): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([LETTER_HEADER, ...rows, ''].join('\r\n'))]);
}
