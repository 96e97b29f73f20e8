import { plainArray } from '../pg-prepared';

describe('plainArray', () => {
  it('writes numbers, decimal bigints, UUIDs, ISO timestamps and nulls as a Postgres array literal', () => {
    expect(plainArray([1, -2, 3.5])).toBe('{1,-2,3.5}');
    expect(plainArray(['-5011223344556677', '7011223344556677'])).toBe('{-5011223344556677,7011223344556677}');
    expect(plainArray(['30000000-0000-4000-8000-000000000001', null])).toBe('{30000000-0000-4000-8000-000000000001,NULL}');
    expect(plainArray([new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)).toISOString()])).toBe('{2026-01-02T03:04:05.006Z}');
    expect(plainArray([])).toBe('{}');
  });

  it('refuses what would need quoting instead of writing a broken or different array', () => {
    for (const bad of ['NULL', 'null', 'a,b', 'a b', '"x"', 'x}', '{x', 'a\\b', '', 'NULL ']) expect(() => plainArray([bad])).toThrow(/needs quoting/);
    expect(() => plainArray([NaN])).toThrow(/finite/);
    expect(() => plainArray([Infinity])).toThrow(/finite/);
  });
});
