import { normalizeForRules } from '../text-normalize.util';

describe('normalizeForRules', () => {
  it('turns full-width letters, digits and punctuation into half-width', () => {
    expect(normalizeForRules('ＫＴＶ１２３，！　')).toBe('ktv123,! ');
  });

  it('turns traditional (Taiwan and Hong Kong) characters into simplified ones', () => {
    expect(normalizeForRules('廢氣汙染嚴重，噪聲擾民')).toBe('废气污染严重,噪声扰民');
    expect(normalizeForRules('電鍍廠偷排廢水')).toBe('电镀厂偷排废水');
  });

  it('leaves simplified text as it is, including characters OpenCC would treat as variants', () => {
    expect(normalizeForRules('这是什么问题，著名的化工厂')).toBe('这是什么问题,著名的化工厂');
  });

  it('folds English case and keeps the length of BMP text', () => {
    const text = 'Black SMOKE from 工廠';
    expect(normalizeForRules(text)).toBe('black smoke from 工厂');
    expect(normalizeForRules(text)).toHaveLength(text.length);
  });
});
