import { namesSpokenOfAsPlaces, neighbourhoodFollows, saidAsHome, spokenOfAsPlace } from '../place-speech.util';

/** The name's span in the text, for the predicates that take one. */
const span = (text: string, name: string): [string, number, number] => [text, text.indexOf(name), text.indexOf(name) + name.length];

describe('how a text speaks of a place', () => {
  it('hears a short form pointed at, with a business or road after it, or where someone is', () => {
    expect(spokenOfAsPlace(...span('监利这边有人清塘', '监利'))).toBe(true);
    expect(spokenOfAsPlace(...span('凯里一家口腔诊所', '凯里'))).toBe(true);
    expect(spokenOfAsPlace(...span('江宁胜太路那个宏达涂装', '江宁'))).toBe(true);
    expect(spokenOfAsPlace(...span('我在义乌，居留许可到期了', '义乌'))).toBe(true);
  });

  it('does not hear a word joined to what precedes it, an everyday place word, a river or a brand word', () => {
    expect(spokenOfAsPlace(...span('消防通道这边堆满了杂物', '通道'))).toBe(false);
    expect(spokenOfAsPlace(...span('我家楼下这边的公司', '楼下'))).toBe(false);
    expect(spokenOfAsPlace(...span('沙河那个口子又排黑水了', '沙河'))).toBe(false);
    expect(spokenOfAsPlace(...span('东方一家化工厂', '东方'))).toBe(false);
    expect(spokenOfAsPlace(...span('监利的鱼塘有人清塘', '监利'))).toBe(false);
  });

  it('hears a short form that is a word of its own, parted by punctuation, a hashtag or a space', () => {
    expect(spokenOfAsPlace(...span('酒厂废水，酸臭，仁怀', '仁怀'))).toBe(true);
    expect(spokenOfAsPlace(...span('#平潭# 海滩上塑料垃圾', '平潭'))).toBe(true);
    // the places locate removed spaces from: 好几车 增城 is read as 好几车增城
    const read = '好几车增城';
    expect(spokenOfAsPlace(read, 3, 5, new Set([3]))).toBe(true);
    expect(spokenOfAsPlace(read, 3, 5)).toBe(false);
    // but never an everyday or brand word, nor one joined to the words beside it
    expect(spokenOfAsPlace(...span('谢谢，东方。', '东方'))).toBe(false);
    expect(spokenOfAsPlace(...span('仁怀酒厂废水', '仁怀'))).toBe(false);
  });

  it('lists the names pointed at, longest first', () => {
    expect(namesSpokenOfAsPlaces('千灯那边田旁边又多了污泥')).toEqual(['千灯']);
    // an everyday place word is never one of them
    expect(namesSpokenOfAsPlaces('我家楼下这边')).not.toContain('楼下');
  });

  it('tells a home or a registered seat, and a home whose neighbourhood is the scene', () => {
    expect(saidAsHome(...span('我住在大连甘井子区，周末去旅顺口区海边', '甘井子区'))).toBe(true);
    expect(saidAsHome(...span('来电人是三明市沙县区的村民', '沙县区'))).toBe(true);
    expect(saidAsHome(...span('注册地苏州市吴中区', '吴中区'))).toBe(true);
    expect(saidAsHome(...span('周末去旅顺口区海边钓鱼', '旅顺口区'))).toBe(false);
    const home = '如今住在常州市武进区湖塘镇。小区北边一墙之隔有一家工厂';
    expect(neighbourhoodFollows(home, home.indexOf('湖塘镇') + 3)).toBe(true);
  });
});
