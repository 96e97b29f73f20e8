import { illegibleShape } from '../gibberish.util';

describe('illegibleShape', () => {
  it('finds keyboard mash and bare digit strings', () => {
    expect(illegibleShape('sdkjf ewoiru xcmvn')).toMatch(/2 of 3/);
    expect(illegibleShape("asdfghjkl;'")).not.toBeNull();
    expect(illegibleShape('1111111111')).toBe('one character repeated');
    expect(illegibleShape('13800001111')).toBe('digits only');
    expect(illegibleShape('啊啊啊啊啊啊')).toBe('one character repeated');
    // sounds typed beside the mash are no words either
    expect(illegibleShape('asdfjkl;qwerty 噢噢噢噢 ggggggg')).toMatch(/3 of 3/);
    expect(illegibleShape('jjjjjjjkkkk哦哦哦l;;;;')).not.toBeNull();
    // letters along one keyboard row, and Zhuyin typed on its own
    expect(illegibleShape('asdfjkl;;;qwe')).toMatch(/2 of 2/);
    expect(illegibleShape('ㄅㄆㄇㄈ哈哈哈11111嗯嗯嗯')).not.toBeNull();
  });

  it('leaves words, pinyin, abbreviations and any Chinese alone', () => {
    expect(illegibleShape('The KTV next door plays loud music')).toBeNull();
    expect(illegibleShape('wo yao jubao gongchang paiwu')).toBeNull();
    expect(illegibleShape('PM2.5 VOC')).toBeNull();
    expect(illegibleShape('sdkjf 工厂冒烟')).toBeNull();
    expect(illegibleShape('12')).toBeNull();
    expect(illegibleShape('KTV 吵死了 啊啊啊')).toBeNull();
    expect(illegibleShape('The factory we live next to dumps waste every night')).toBeNull();
  });
});
