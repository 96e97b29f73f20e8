import { JsonBatchBuffer } from '../json-batch.buffer';
import { hasNul } from '../nul.util';

describe('JsonBatchBuffer', () => {
  it('writes rows as one UTF-8 JSON array, growing past its first size', () => {
    const buf = new JsonBatchBuffer(8);
    const rows = [{ text: '南京市玄武区中山路的化工厂每晚排放黑烟' }, { text: 'a"b\\c', n: 2 }, { text: '𠮷' }];
    for (const r of rows) buf.push(JSON.stringify(r));
    expect(buf.rows).toBe(3);
    expect(JSON.parse(buf.document().toString('utf8'))).toEqual(rows);
  });

  it('writes a subset of its rows in the order asked', () => {
    const buf = new JsonBatchBuffer();
    ['一', '二', '三', '四'].forEach((t) => buf.push(JSON.stringify({ t })));
    expect(JSON.parse(buf.documentOf([3, 1]).toString('utf8'))).toEqual([{ t: '四' }, { t: '二' }]);
    expect(JSON.parse(buf.documentOf([]).toString('utf8'))).toEqual([]);
  });

  it('starts empty again after reset and is reused', () => {
    const buf = new JsonBatchBuffer(16);
    buf.push(JSON.stringify({ a: 'x'.repeat(100) }));
    buf.reset();
    expect(buf.rows).toBe(0);
    expect(buf.document().toString()).toBe('[]');
    buf.push('{"b":1}');
    expect(buf.document().toString()).toBe('[{"b":1}]');
  });
});

describe('hasNul', () => {
  it('finds U+0000 in nested strings and keys, and nothing in clean values', () => {
    expect(hasNul({ a: [{ b: 'x\u0000y' }] })).toBe(true);
    expect(hasNul({ ['k\u0000']: 1 })).toBe(true);
    expect(hasNul({ a: ['clean', 1, null, { d: new Date(0) }], b: Buffer.from([0]) })).toBe(false);
  });
});
