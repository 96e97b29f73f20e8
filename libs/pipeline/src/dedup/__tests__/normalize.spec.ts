import { foldText, normalizeForMatching } from '../normalize.util';

describe('normalizeForMatching', () => {
  it('turns full-width letters and digits into half-width and folds case', () => {
    expect(normalizeForMatching('民主路１２６号ＫＴＶ')).toBe('民主路126号ktv');
  });

  it('turns traditional characters into simplified ones', () => {
    expect(normalizeForMatching('茶陵縣湖口鎮這邊佳禾汙水處理有限公司出水又黑又臭')).toBe('茶陵县湖口镇这边佳禾污水处理有限公司出水又黑又臭');
  });

  it('removes punctuation, spaces and emoji', () => {
    expect(normalizeForMatching('黑烟，  很大！😡 (每天) “晚上”…')).toBe('黑烟很大每天晚上');
  });

  it('strips petition boilerplate but keeps what identifies the incident', () => {
    const a = normalizeForMatching('来电反映：华泰化工排放黑烟。请相关部门核查处理。');
    const b = normalizeForMatching('来信人反映华泰化工排放黑烟，要求尽快查处！');
    expect(a).toBe('华泰化工排放黑烟');
    expect(b).toBe(a);
  });

  it('does not remove a boilerplate phrase split by a sentence break', () => {
    // 要求尽快 | 查处 across a full stop is not the phrase 要求尽快查处.
    expect(normalizeForMatching('要求尽快。查处化工厂')).toContain('查处化工厂');
  });

  it('is idempotent', () => {
    const once = normalizeForMatching('來電反映：ＡＢＣ化工廠夜裡排放黑煙，氣味刺鼻。');
    expect(normalizeForMatching(once)).toBe(once);
  });

  it('keeps a boundary marker when folding so extractors see sentence ends', () => {
    expect(foldText('华泰化工，排放')).toBe('华泰化工|排放');
  });
});
