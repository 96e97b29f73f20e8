import { compileTextModel, gramsOf, readModel, RunTable, trainTextModel } from '../text-model.util';

const CLASSES = ['air', 'water', 'noise'] as const;
type C = (typeof CLASSES)[number];
const EXAMPLES: { text: string; label: C }[] = [
  { text: '烟囱冒黑烟，呛得人咳嗽', label: 'air' },
  { text: '半夜冒黑烟，窗户都不敢开', label: 'air' },
  { text: '一股焦糊味，呛得睡不着', label: 'air' },
  { text: '河水发黑发臭，鱼都死了', label: 'water' },
  { text: '鱼塘里的鱼翻白肚，河水发黑', label: 'water' },
  { text: '暗管往河里排，河水发臭', label: 'water' },
  { text: '半夜轰隆隆的，吵得睡不着', label: 'noise' },
  { text: '机器轰隆隆响一整夜，吵得人心慌', label: 'noise' },
];
const META = { name: 'category-model' as const, version: 't1', sha256: 'a'.repeat(64) };

describe('text model', () => {
  it('reads each Han character, and every two and three in a row, never across anything else (Latin letters included)', () => {
    expect([...gramsOf('黑烟，ab3c')].sort()).toEqual(['烟', '黑', '黑烟'].sort());
    expect(gramsOf('黑烟ab黑烟')).toEqual(new Set(['黑', '烟', '黑烟']));
    expect(gramsOf('Black smoke every night')).toEqual(new Set());
    expect(gramsOf('冒黑烟')).toEqual(new Set(['冒', '黑', '烟', '冒黑', '黑烟', '冒黑烟']));
  });

  it('keeps only runs that two or more labelled texts share', () => {
    const table = trainTextModel(EXAMPLES, CLASSES, META);
    const grams = table.grams.split(' ');
    expect(grams).toContain('黑烟');
    expect(grams).toContain('轰隆隆');
    expect(grams).not.toContain('焦糊'); // one complaint only
    expect(table.counts).toHaveLength(grams.length * CLASSES.length);
    expect(table.documents).toEqual([3, 3, 2]);
    expect(table.trainedOn).toEqual({ texts: 8, sha256: META.sha256 });
  });

  it('names the class whose texts share the most of a new text’s wording, with its margin', () => {
    const model = compileTextModel(trainTextModel(EXAMPLES, CLASSES, META));
    const water = readModel(model, '村口河水发黑，鱼也死了')!;
    expect(water.best).toBe('water');
    expect(water.margin).toBeGreaterThan(1);
    expect(readModel(model, '又冒黑烟了')!.best).toBe('air');
    expect(readModel(model, '楼下轰隆隆的')!.best).toBe('noise');
  });

  it('counts a run once however often a text repeats it', () => {
    const model = compileTextModel(trainTextModel(EXAMPLES, CLASSES, META));
    expect(readModel(model, '黑烟黑烟黑烟')).toEqual(readModel(model, '黑烟'));
  });

  it('knows nothing of a text none of whose runs it has seen', () => {
    const model = compileTextModel(trainTextModel(EXAMPLES, CLASSES, META));
    expect(readModel(model, '您好')).toBeNull();
    expect(readModel(model, '12345 !!!')).toBeNull();
  });

  it('finds every run it holds, and no other, however full its table', () => {
    const table = new RunTable(5000);
    for (let i = 0; i < 5000; i++) table.set(32768 + (i % 3) * 32768 + (i % 977), i * 7919, i);
    expect(table.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(table.get(32768 + (i % 3) * 32768 + (i % 977), i * 7919)).toBe(i);
    expect(table.get(32768, 1)).toBe(-1);
    table.set(32768, 0, 42);
    expect([table.get(32768, 0), table.size]).toEqual([42, 5000]);
  });

  it('refuses a table whose counts do not fit its runs and categories', () => {
    const table = trainTextModel(EXAMPLES, CLASSES, META);
    expect(() => compileTextModel({ ...table, counts: table.counts.slice(1) })).toThrow(/counts for \d+ runs of 3 classes/);
    expect(() => compileTextModel({ ...table, counts: table.counts.map((n: number, i: number) => (i === 0 ? -1 : n)) })).toThrow(/not a whole number/);
    expect(() => compileTextModel({ ...table, documents: [1, 2] })).toThrow(/2 document counts for 3 classes/);
    expect(() => compileTextModel({ ...table, grams: table.grams.replace(/^\S+/, 'ab') })).toThrow(/run "ab" is not one to three Han characters/);
  });
});
