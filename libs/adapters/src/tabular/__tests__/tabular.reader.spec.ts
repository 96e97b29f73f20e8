import * as ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { readTabular, TabularRejection, type TabularOptions, type TabularRecord } from '..';
import { safeSpreadsheetCell, isFormulaLike } from '../spreadsheet-cell.util';
import { toHalfWidth } from '../width.util';

const dir = mkdtempSync(join(tmpdir(), 'tabular-spec-'));
const HEADER = '受理编号,来电时间,举报人,举报内容';
const isHeader = (cells: string[]) => cells.includes('受理编号');

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(input: string | NodeJS.ReadableStream, opts: TabularOptions = { isHeader }) {
  const stream = readTabular(input, opts);
  const records: TabularRecord[] = [];
  for await (const r of stream) records.push(r);
  return { records, summary: stream.summary };
}

/** Chunks of a few bytes, so multi-byte characters and CRLF are split across chunk boundaries. */
function tinyChunks(buf: Buffer, size = 3): NodeJS.ReadableStream {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('readTabular: CSV', () => {
  const body = `12369环保举报受理记录导出 2024-09\r\n${HEADER}\r\nA-1,2024/9/3 8:05,张三,"西侧工厂排放黑烟,气味刺鼻\r\n请核实"\r\nA-2,2024-09-03 08:05:00,李四,夜间施工噪声\r\n,,,\r\n,,,\r\n\r\n`;

  it('decodes GBK with a streaming decoder, skips the title line and blank trailing rows, and gives exact byte offsets', async () => {
    const bytes = iconv.encode(body, 'gbk');
    for (const input of [write('gbk.csv', bytes), tinyChunks(bytes)]) {
      const { records, summary } = await readAll(input);
      expect(summary.encoding).toBe('gb18030');
      expect(summary.headerLine).toBe(2);
      expect(summary.preamble).toEqual(['12369环保举报受理记录导出 2024-09']);
      expect(summary.blankRows).toBe(3);
      expect(records.map((r) => [r.row, r.line, r.lineEnd])).toEqual([
        [1, 3, 4],
        [2, 5, 5],
      ]);
      expect(records[0].cells[3]).toBe('西侧工厂排放黑烟,气味刺鼻\r\n请核实');
      for (const r of records) {
        const slice = bytes.subarray(r.byteOffset!, r.byteOffset! + r.byteLength!);
        expect(iconv.decode(slice, 'gbk')).toMatch(new RegExp(`^${r.cells[0]},.*\\r\\n$`, 's'));
      }
    }
  });

  it('reads UTF-8 with BOM and counts the BOM in the offsets', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\nA-1,2024-09-01,王五,内容\n`)]);
    const { records, summary } = await readAll(write('bom.csv', bytes));
    expect(summary).toMatchObject({ encoding: 'utf8', bomBytes: 3, headerLine: 1 });
    expect(records[0].byteOffset).toBe(3 + Buffer.byteLength(`${HEADER}\n`));
    expect(bytes.subarray(records[0].byteOffset!, records[0].byteOffset! + records[0].byteLength!).toString()).toBe('A-1,2024-09-01,王五,内容\n');
  });

  it('reads tab-delimited UTF-16LE and UTF-16BE "Unicode text" with BOM', async () => {
    const text = `受理编号\t来电时间\t举报人\t举报内容\r\nA-1\t2024/9/3 8:05\t张三\t有异味,很严重\r\n`;
    for (const [enc, bom] of [
      ['utf-16le', [0xff, 0xfe]],
      ['utf-16be', [0xfe, 0xff]],
    ] as const) {
      const body16 = enc === 'utf-16le' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf16le').swap16();
      const { records, summary } = await readAll(tinyChunks(Buffer.concat([Buffer.from(bom), body16]), 5));
      expect(summary.delimiter).toBe('\t');
      expect(summary.encoding).toBe(enc === 'utf-16le' ? 'utf16le' : 'utf16be');
      expect(records[0].cells).toEqual(['A-1', '2024/9/3 8:05', '张三', '有异味,很严重']);
      expect(records[0].byteOffset).toBe(2 + (HEADER.length + 2) * 2);
    }
  });

  it('detects semicolon and pipe delimiters', async () => {
    expect((await readAll(write('semi.csv', `${HEADER.replace(/,/g, ';')}\nA-1;x;y;z,w\n`))).records[0].cells).toEqual(['A-1', 'x', 'y', 'z,w']);
    expect((await readAll(write('pipe.csv', `${HEADER.replace(/,/g, '|')}\nA-1|x|y|z\n`))).summary.delimiter).toBe('|');
  });

  it('keeps ragged rows as malformed records with row, line and reason, and goes on', async () => {
    const { records, summary } = await readAll(write('ragged.csv', `${HEADER}\nA-1,t,n,ok\nA-2,t,建设路\nA-3,t,n,a,b,c\nA-4,t,n,ok\n`));
    expect(records.map((r) => r.error)).toEqual([
      null,
      { row: 2, line: 3, reason: 'expected 4 columns, found 3' },
      { row: 3, line: 4, reason: 'expected 4 columns, found 6' },
      null,
    ]);
    expect(summary.malformed).toBe(2);
  });

  it('accepts empty surplus cells from a trailing delimiter', async () => {
    const { records } = await readAll(write('trail.csv', `${HEADER}\nA-1,t,n,ok,,\n`));
    expect(records[0].error).toBeNull();
    expect(records[0].cells).toHaveLength(4);
    expect(records[0].flags).toContain('trailing_empty_cells');
  });

  it('removes NUL bytes and flags them; handles bare CR and mixed newlines', async () => {
    const { records } = await readAll(write('nul.csv', `${HEADER}\rA-1,t,n\u0000n,x\r\nA-2,t,n,y\nA-3,t,n,z`));
    expect(records.map((r) => [r.cells[0], r.line])).toEqual([
      ['A-1', 2],
      ['A-2', 3],
      ['A-3', 4],
    ]);
    expect(records[0].cells[2]).toBe('nn');
    expect(records[0].flags).toContain('nul_removed');
  });

  it('marks a file ending inside quotes as a malformed record', async () => {
    const { records } = await readAll(write('unterminated.csv', `${HEADER}\nA-1,t,n,ok\nA-2,t,n,"never closed\nmore\n`));
    expect(records[1].error?.reason).toMatch(/unterminated/);
  });

  it('keeps stray quotes as text', async () => {
    const { records } = await readAll(write('stray.csv', `${HEADER}\nA-1,t,n,"他说"不行"了"\n`));
    expect(records[0].cells[3]).toBe('他说"不行"了');
    expect(records[0].flags).toContain('stray_quote');
  });

  it('rejects a header that is never found, an empty file and too many columns', async () => {
    await expect(readAll(write('nohdr.csv', 'a,b\n1,2\n'))).rejects.toMatchObject({ code: 'header_not_found' });
    await expect(readAll(write('empty.csv', ''))).rejects.toMatchObject({ code: 'empty_file' });
    const wide = Array.from({ length: 1500 }, (_, i) => `c${i}`).join(',');
    await expect(readAll(write('wide.csv', `${wide}\n`), {})).rejects.toBeInstanceOf(TabularRejection);
    await expect(readAll(write('wide2.csv', `${wide}\n`), {})).rejects.toMatchObject({ code: 'too_many_columns' });
  });

  it('rejects a runaway cell instead of buffering it', async () => {
    const big = `${HEADER}\nA-1,t,n,"${'x'.repeat(200_000)}`;
    await expect(readAll(write('bigcell.csv', big), { isHeader, limits: { maxCellChars: 50_000 } })).rejects.toMatchObject({ code: 'cell_too_large' });
  });

  it('stops trusting byte offsets after undecodable bytes', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\nA-1,t,n,ok\n`), Buffer.from([0x41, 0x2d, 0x32, 0x2c, 0xff, 0x2c, 0x6e, 0x2c, 0x78, 0x0a])]);
    const { records, summary } = await readAll(write('bad.csv', bytes), { isHeader, encoding: 'utf8' });
    expect(summary.offsetsExact).toBe(false);
    expect(records[1].byteOffset).toBeNull();
    expect(records[1].flags).toContain('undecodable_bytes');
  });
});

describe('readTabular: XLSX', () => {
  async function workbook(fill: (ws: ExcelJS.Worksheet) => void): Promise<string> {
    const wb = new ExcelJS.Workbook();
    fill(wb.addWorksheet('受理记录'));
    const path = join(dir, `wb-${Math.random().toString(36).slice(2)}.xlsx`);
    await wb.xlsx.writeFile(path);
    return path;
  }

  it('reads a merged title row, real Excel dates as Beijing wall-clock, and numbers with their type', async () => {
    const path = await workbook((ws) => {
      ws.addRow(['12369环保举报受理记录导出（补录）']);
      ws.mergeCells('A1:D1');
      ws.addRow(['受理编号', '来电时间', '联系电话', '举报内容']);
      ws.addRow(['A-1', new Date(Date.UTC(2024, 8, 3, 8, 5, 0)), 5718765432, '内容一']);
      ws.getCell('B3').numFmt = 'yyyy/m/d h:mm';
      ws.addRow(['A-2', '2024/9/3 8:05', '13800001111', '内容二']);
      ws.addRow([4.40301e17, 45538.5, 13800001111, '内容三']);
    });
    const { records, summary } = await readAll(path);
    expect(summary).toMatchObject({ format: 'xlsx', sheet: '受理记录', headerLine: 2 });
    expect(records.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(records[0].cells[1]).toBe('2024-09-03 08:05:00');
    expect(records[0].typed?.[1]).toEqual({ kind: 'date', wallClock: '2024-09-03 08:05:00' });
    expect(records[0].typed?.[2]).toEqual({ kind: 'number', value: 5718765432 });
    expect(records[1].typed).toBeNull();
    expect(records[2].cells[0]).toBe('4.40301E+17');
  });

  it('reads an XLSX from a stream (buffered under a cap)', async () => {
    const path = await workbook((ws) => {
      ws.addRow(['受理编号', '来电时间', '举报人', '举报内容']);
      ws.addRow(['A-1', 't', 'n', 'x']);
    });
    const { records } = await readAll(Readable.from([readFileSync(path)]));
    expect(records[0].cells).toEqual(['A-1', 't', 'n', 'x']);
  });

  it('refuses a worksheet with too many columns', async () => {
    const path = await workbook((ws) => {
      ws.addRow(Array.from({ length: 1200 }, (_, i) => `c${i}`));
    });
    await expect(readAll(path, {})).rejects.toMatchObject({ code: 'too_many_columns' });
  });

  it('refuses a zip whose central directory declares a bomb, before inflating anything', async () => {
    await expect(readAll(write('bomb.xlsx', zipWithDeclaredSize(5 * 1024 ** 3)))).rejects.toMatchObject({ code: 'zip_bomb' });
    // A moderate total but a huge ratio on one large entry.
    await expect(readAll(write('ratio.xlsx', zipWithDeclaredSize(50 * 1024 ** 2)))).rejects.toMatchObject({ code: 'zip_bomb' });
  });

  it('refuses a file that claims to be XLSX but is no zip', async () => {
    await expect(readAll(write('fake.xlsx', 'not a zip at all'))).rejects.toMatchObject({ code: 'zip_unreadable' });
  });
});

/** A one-entry zip whose headers declare `declared` uncompressed bytes for a tiny deflated payload. */
function zipWithDeclaredSize(declared: number): Buffer {
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const data = deflateRawSync(Buffer.alloc(1000));
  const size32 = Math.min(declared, 0xfffffffe);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size32, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size32, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + name.length + data.length;
  const cd = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, data, cd, end]);
}

describe('cell utilities', () => {
  it('turns full-width digits and letters into half-width', () => {
    expect(toHalfWidth('ＨＢＪＢ－２０２４　１３８')).toBe('HBJB-2024 138');
  });

  it('recognises formula-like cells but not phones or signed numbers, and escapes them for export', () => {
    expect(isFormulaLike('=HYPERLINK("http://x")')).toBe(true);
    expect(isFormulaLike('@SUM(A1)')).toBe(true);
    expect(isFormulaLike('+cmd|calc')).toBe(true);
    expect(isFormulaLike('+86 138 0000 1111')).toBe(false);
    expect(isFormulaLike('-12.5')).toBe(false);
    expect(safeSpreadsheetCell('=1+1')).toBe("'=1+1");
    expect(safeSpreadsheetCell('+86 138')).toBe("'+86 138");
    expect(safeSpreadsheetCell('普通文本')).toBe('普通文本');
  });
});
