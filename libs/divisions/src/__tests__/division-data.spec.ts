import * as fs from 'node:fs';
import * as path from 'node:path';
import { basinOf, loadBasinTable } from '../basin';
import { currentCodeOf, divisionName, findDivision, isKnownDivisionCode } from '../division-codes';
import { DATA_DIR, getDivisionIndex, isZoneCode } from '../division-index';
import { cityShortForms, countyShortForms, provinceShortForms } from '../name.util';

describe('division codes', () => {
  it('knows current codes and refuses pseudo-codes', () => {
    expect(isKnownDivisionCode('320102')).toBe(true);
    expect(isKnownDivisionCode('320100')).toBe(true);
    expect(isKnownDivisionCode('320000')).toBe(true);
    expect(isKnownDivisionCode('320576')).toBe(false);
    expect(isKnownDivisionCode('999999')).toBe(false);
  });

  it('maps retired and renamed codes to the current county', () => {
    expect(currentCodeOf('320103')).toBe('320104'); // 白下区 → 秦淮区
    expect(currentCodeOf('340824')).toBe('340882'); // 潜山县 → 潜山市
    expect(currentCodeOf('320102')).toBe('320102');
    expect(currentCodeOf('320576')).toBe('320500');
    expect(currentCodeOf('140971')).toBe('140922'); // 五台山风景名胜区 lies in 五台县
    expect(currentCodeOf('000000')).toBeNull();
  });

  it('names divisions', () => {
    expect(divisionName('320102')).toBe('玄武区');
    expect(divisionName('320102', undefined, true)).toBe('江苏省南京市玄武区');
    expect(divisionName('110105', undefined, true)).toBe('北京市朝阳区');
    expect(findDivision('440306020')).toMatchObject({ kind: 'township', countyCode: '440306', cityCode: '440300' });
    expect(findDivision('nope')).toBeNull();
  });

  it('derives short forms', () => {
    expect(provinceShortForms('广西壮族自治区')).toEqual(['广西']);
    expect(provinceShortForms('江苏省')).toEqual(['江苏']);
    expect(cityShortForms('黔西南布依族苗族自治州')).toEqual(['黔西南', '黔西南州']);
    expect(cityShortForms('深圳市')).toEqual(['深圳']);
    expect(countyShortForms('孟村回族自治县')).toEqual(['孟村', '孟村县']);
    expect(countyShortForms('宝安区')).toEqual(['宝安']);
    expect(countyShortForms('城区')).toEqual([]);
    expect(countyShortForms('神农架林区')).toEqual(['神农架']);
    expect(countyShortForms('万柏林区')).toEqual(['万柏林']);
    expect(countyShortForms('浦东新区')).toEqual(['浦东']);
  });
});

describe('data tables', () => {
  const index = getDivisionIndex();

  it('retired codes point to current counties and are no current county themselves', () => {
    const table = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'renamed-codes.json'), 'utf8'));
    for (const [oldCode, entry] of Object.entries<{ code: string }>(table.codes)) {
      expect(index.byCode.get(entry.code)?.kind).toBe('county');
      expect(index.byCode.get(oldCode)?.kind).not.toBe('county');
    }
  });

  it('development zones resolve to a real county or city, never to a pseudo-code', () => {
    for (const code of index.zoneTarget.keys()) {
      const target = currentCodeOf(code)!;
      expect(isZoneCode(target)).toBe(false);
      expect(['county', 'city']).toContain(index.byCode.get(target)?.kind);
    }
  });

  it('maps every province to one of the seven bureaus', () => {
    const table = loadBasinTable();
    expect(table.bureaus).toHaveLength(7);
    for (const d of index.byCode.values()) {
      if (d.kind !== 'province') continue;
      expect(table.bureaus).toContain(basinOf(d.code));
    }
    for (const b of [...Object.values(table.basin), ...Object.values(table.sea)]) expect(table.bureaus).toContain(b);
  });

  it('splits provinces between basins by city and coasts by sea', () => {
    expect(basinOf('320102')).toBe('长江流域'); // 南京
    expect(basinOf('320303')).toBe('淮河流域'); // 徐州
    expect(basinOf('320508')).toBe('太湖流域东海海域'); // 苏州
    expect(basinOf('440306')).toBe('珠江流域南海海域');
    expect(basinOf('230102')).toBe('松辽流域');
    expect(basinOf('620102')).toBe('黄河流域');
    expect(basinOf('130102')).toBe('海河流域北海海域');
    expect(basinOf('330203', 'marine')).toBe('太湖流域东海海域');
    expect(basinOf('420102', 'marine')).toBe('长江流域'); // inland: the basin
    expect(basinOf('abc')).toBeNull();
  });
});
