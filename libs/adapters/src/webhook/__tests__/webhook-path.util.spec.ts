import { compilePath, PathSyntaxError, selectAll, selectOne } from '../webhook-path.util';

const payload = { data: { content: '夜间施工', 'the key': 1, items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }, source: 'city-app' };

describe('JSON paths', () => {
  it('selects by name, quoted name, index, index from the end and [*]', () => {
    expect(selectOne(compilePath('$.data.content'), payload, payload)).toBe('夜间施工');
    expect(selectOne(compilePath("$.data['the key']"), payload, payload)).toBe(1);
    expect(selectOne(compilePath('$.data.items[1].id'), payload, payload)).toBe('b');
    expect(selectOne(compilePath('$.data.items[-1].id'), payload, payload)).toBe('c');
    expect(selectAll(compilePath('$.data.items[*].id'), payload, payload)).toEqual(['a', 'b', 'c']);
    expect(selectOne(compilePath('$'), payload, payload)).toBe(payload);
  });

  it('reads $$ from the whole payload while $ is the batch item', () => {
    const item = payload.data.items[0];
    expect(selectOne(compilePath('$.id'), item, payload)).toBe('a');
    expect(selectOne(compilePath('$$.source'), item, payload)).toBe('city-app');
  });

  it('yields nothing for missing steps and never follows inherited properties', () => {
    expect(selectOne(compilePath('$.data.missing.deeper'), payload, payload)).toBeUndefined();
    expect(selectOne(compilePath('$.data.items[9]'), payload, payload)).toBeUndefined();
    expect(selectOne(compilePath('$.data.content[0]'), payload, payload)).toBeUndefined();
    expect(selectOne(compilePath('$.constructor'), payload, payload)).toBeUndefined();
    expect(selectOne(compilePath('$.__proto__'), payload, payload)).toBeUndefined();
  });

  it('refuses malformed paths', () => {
    expect(() => compilePath('data.content')).toThrow(PathSyntaxError);
    expect(() => compilePath('$.')).toThrow(PathSyntaxError);
    expect(() => compilePath('$.a[')).toThrow(PathSyntaxError);
    expect(() => compilePath('$ .a')).toThrow(PathSyntaxError);
  });
});
