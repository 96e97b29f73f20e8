import { BoundaryIndex, getBoundaryIndex } from '../boundary.index';
import { getDivisionIndex } from '../division-index';

describe('BoundaryIndex', () => {
  it('finds a point in a hand-made county with a hole', () => {
    // A 1°×1° square (scale 10 → units of 0.1°) with a 0.2° hole, delta-encoded as in the data file.
    const square = [1000, 300, 10, 0, 0, 10, -10, 0];
    const hole = [1040, 340, 2, 0, 0, 2, -2, 0];
    const idx = new BoundaryIndex({ version: 't', scale: 10, counties: [{ code: '111111', rings: [square, hole] }] });
    expect(idx.countyAt(30.5, 100.2)).toBe('111111');
    expect(idx.countyAt(34.5, 104.5)).toBeNull(); // in the hole
    expect(idx.countyAt(31.5, 100.5)).toBeNull(); // outside
    expect(idx.countyAt(Number.NaN, 100)).toBeNull();
  });

  it('locates points inside known counties with the committed boundary file', () => {
    const idx = getBoundaryIndex();
    expect(idx.countyAt(32.0485, 118.7978)).toBe('320102'); // 南京 玄武区
    expect(idx.countyAt(39.02, 88.17)).toBe('652824'); // 若羌县
    expect(idx.countyAt(22.55, 113.88)).toBe('440306'); // 深圳 宝安区
    expect(idx.countyAt(0, 0)).toBeNull();
  });

  it('uses only current county codes', () => {
    const divisions = getDivisionIndex();
    const idx = getBoundaryIndex();
    expect(idx.size).toBeGreaterThan(2800);
    for (const [lat, lng] of [
      [30.59, 114.3],
      [43.88, 125.32],
      [25.04, 102.71],
      [36.06, 103.83],
    ]) {
      const code = idx.countyAt(lat, lng);
      expect(code).not.toBeNull();
      expect(divisions.byCode.get(code!)?.kind).toBe('county');
    }
  });
});
