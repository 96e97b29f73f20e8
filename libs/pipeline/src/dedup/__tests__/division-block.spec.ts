import { anchorKeys, probeKeys, storeKeys } from '../candidate-keys.util';
import { divisionCompatibility, probeBlocks, refineCaseDivision, storeBlocks } from '../division-block.util';
import { extractIncidentFeatures } from '../features.util';
import { minhash } from '../minhash.util';

describe('divisionCompatibility', () => {
  it.each([
    ['320106', '320106', 'same'],
    ['320106', '320100', 'within_city'],
    ['320100', '320106', 'within_city'],
    ['320106', '320000', 'within_province'],
    ['320106', '320102', 'conflict'],
    ['320106', '330100', 'conflict'],
    ['320100', '320200', 'conflict'],
    ['320106', null, 'unknown'],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(divisionCompatibility(a, b)).toBe(expected);
  });
});

describe('blocks', () => {
  const reaches = (stored: string | null, probing: string | null) =>
    storeBlocks(stored, 'air').some((b) => probeBlocks(probing, 'air').includes(b));

  it('lets every compatible pair meet in some block, and no conflicting one', () => {
    expect(reaches('320106', '320106')).toBe(true);
    expect(reaches('320106', '320100')).toBe(true);
    expect(reaches('320100', '320106')).toBe(true);
    expect(reaches('320106', null)).toBe(true);
    expect(reaches(null, '320106')).toBe(true);
    expect(reaches('320106', '320102')).toBe(false);
    expect(reaches('320100', '320200')).toBe(false);
  });

  it('keeps categories apart', () => {
    expect(storeBlocks('320106', 'air').some((b) => probeBlocks('320106', 'noise').includes(b))).toBe(false);
  });

  it('looks up only name and text keys across the whole category when the division is unknown', () => {
    const f = extractIncidentFeatures({ text: '迎宾大道的金鹏化工有限公司排放黑烟' });
    const keys = anchorKeys(f, minhash(f.shingles));
    const probes = probeKeys(null, 'air', keys);
    expect(probes.some((k) => k.endsWith('|e:金鹏化工'))).toBe(true);
    expect(probes.some((k) => k.includes('|p:'))).toBe(false);
    const stored = storeKeys('320106', 'air', keys);
    expect(probes.filter((k) => stored.includes(k)).length).toBeGreaterThan(0);
  });
});

describe('refineCaseDivision', () => {
  it('keeps the most specific division and refuses a conflicting one', () => {
    expect(refineCaseDivision(null, '320106')).toBe('320106');
    expect(refineCaseDivision('320100', '320106')).toBe('320106');
    expect(refineCaseDivision('320106', '320100')).toBe('320106');
    expect(refineCaseDivision('320106', null)).toBe('320106');
    expect(refineCaseDivision('320106', '320102')).toBe('conflict');
  });
});
