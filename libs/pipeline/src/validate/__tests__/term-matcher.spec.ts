import { TermMatcher } from '../term-matcher.util';

describe('TermMatcher', () => {
  it('finds every occurrence, overlapping and nested ones included', () => {
    const m = new TermMatcher();
    const terms = ['环评', '没有环评', '评手续', '排污', '污水'].map((t) => m.add(t));
    m.build();
    const hits = m.scan('没有环评手续就排污水').map((h) => [h.term, h.start, h.end]);
    expect(hits).toEqual(
      expect.arrayContaining([
        [terms[1], 0, 4],
        [terms[0], 2, 4],
        [terms[2], 3, 6],
        [terms[3], 7, 9],
        [terms[4], 8, 10],
      ]),
    );
    expect(hits).toHaveLength(5);
  });

  it('follows failure links across partial matches', () => {
    const m = new TermMatcher();
    const abcd = m.add('abcd');
    const bc = m.add('bc');
    m.build();
    expect(m.scan('abcabcd').map((h) => h.term)).toEqual([bc, bc, abcd]);
  });

  it('refuses empty terms and use before build', () => {
    const m = new TermMatcher();
    expect(() => m.add('')).toThrow();
    m.add('x');
    expect(() => m.scan('x')).toThrow();
  });
});
