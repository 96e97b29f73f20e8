import type { Category } from '@huiliu/contracts';
import { compileCategoryModel, gramsOf, readCategory, trainCategoryModel } from '../category-model.util';

const CATS: Category[] = ['air', 'water', 'noise'];
const EXAMPLES: { text: string; category: Category }[] = [
  { text: '烟囱冒黑烟，呛得人咳嗽', category: 'air' },
  { text: '半夜冒黑烟，窗户都不敢开', category: 'air' },
  { text: '一股焦糊味，呛得睡不着', category: 'air' },
  { text: '河水发黑发臭，鱼都死了', category: 'water' },
  { text: '鱼塘里的鱼翻白肚，河水发黑', category: 'water' },
  { text: '暗管往河里排，河水发臭', category: 'water' },
  { text: '半夜轰隆隆的，吵得睡不着', category: 'noise' },
  { text: '机器轰隆隆响一整夜，吵得人心慌', category: 'noise' },
];
const META = { version: 't1', sha256: 'a'.repeat(64) };

describe('category model', () => {
  it('reads each Han character, and every two and three letters in a row, never across a separator or a digit', () => {
    expect([...gramsOf('黑烟，ab3c')].sort()).toEqual(['ab', '烟', '黑', '黑烟'].sort());
    expect(gramsOf('冒黑烟')).toEqual(new Set(['冒', '黑', '烟', '冒黑', '黑烟', '冒黑烟']));
  });

  it('keeps only runs that two or more labelled complaints share', () => {
    const table = trainCategoryModel(EXAMPLES, CATS, META);
    const grams = table.grams.split(' ');
    expect(grams).toContain('黑烟');
    expect(grams).toContain('轰隆隆');
    expect(grams).not.toContain('焦糊'); // one complaint only
    expect(table.counts).toHaveLength(grams.length * CATS.length);
    expect(table.documents).toEqual([3, 3, 2]);
    expect(table.trainedOn).toEqual({ texts: 8, sha256: META.sha256 });
  });

  it('names the category whose complaints share the most of a new text’s wording, with its margin', () => {
    const model = compileCategoryModel(trainCategoryModel(EXAMPLES, CATS, META));
    const water = readCategory(model, '村口河水发黑，鱼也死了')!;
    expect(water.best).toBe('water');
    expect(water.margin).toBeGreaterThan(1);
    expect(readCategory(model, '又冒黑烟了')!.best).toBe('air');
    expect(readCategory(model, '楼下轰隆隆的')!.best).toBe('noise');
  });

  it('counts a run once however often a text repeats it', () => {
    const model = compileCategoryModel(trainCategoryModel(EXAMPLES, CATS, META));
    expect(readCategory(model, '黑烟黑烟黑烟')).toEqual(readCategory(model, '黑烟'));
  });

  it('knows nothing of a text none of whose runs it has seen', () => {
    const model = compileCategoryModel(trainCategoryModel(EXAMPLES, CATS, META));
    expect(readCategory(model, '您好')).toBeNull();
    expect(readCategory(model, '12345 !!!')).toBeNull();
  });

  it('refuses a table whose counts do not fit its runs and categories', () => {
    const table = trainCategoryModel(EXAMPLES, CATS, META);
    expect(() => compileCategoryModel({ ...table, counts: table.counts.slice(1) })).toThrow(/counts for \d+ runs of 3 categories/);
    expect(() => compileCategoryModel({ ...table, counts: table.counts.map((n, i) => (i === 0 ? -1 : n)) })).toThrow(/not a whole number/);
    expect(() => compileCategoryModel({ ...table, documents: [1, 2] })).toThrow(/2 document counts for 3 categories/);
  });
});
