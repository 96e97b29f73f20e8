import { PROBE_LIMITS, probeKeys, storeKeys } from '../candidate-keys.util';
import { indexEntries, keyHash, probeEntries, probeHits } from '../case-index.util';

const DIVISIONS = [null, '320000', '320100', '320106', '320102', '320200', '320211', '330000', '330100', '330106'];
const KEYS = ['b0:1a2b', 'b3:ffee', 'e:金鹏化工', 'e:华泰化工', 'k:化工', 'p:迎宾大道', 't:燕子矶街道', 'g:smoke', 'g:odor', 'c:tel:0a1b'];
/** Candidate counties of an ambiguous place, for a submission without a division. */
const CANDIDATES = [[], ['320106', '330106'], ['320102', '320211', '330106']];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('case index rows', () => {
  it('meet exactly when the block keys of storeKeys and probeKeys meet', () => {
    const rand = rng(7);
    const pick = (n: number) => KEYS.filter(() => rand() < n);
    let meetings = 0;
    for (let i = 0; i < 3000; i++) {
      const stored = DIVISIONS[Math.floor(rand() * DIVISIONS.length)];
      const probing = DIVISIONS[Math.floor(rand() * DIVISIONS.length)];
      const candidates = CANDIDATES[Math.floor(rand() * CANDIDATES.length)];
      const category = rand() < 0.8 ? 'air' : 'noise';
      const sKeys = pick(0.3);
      const pKeys = pick(0.3);
      const blocks = new Set(storeKeys(stored, 'air', sKeys));
      const expected = probeKeys(probing, category, pKeys, candidates).some((k) => blocks.has(k));
      const rows = indexEntries(stored, 'air', sKeys);
      const actual = probeEntries(probing, category, pKeys, candidates).some((p) => rows.some((r) => probeHits(p, r)));
      if (actual !== expected) throw new Error(`stored ${stored} ${sKeys} / probing ${probing} (${candidates}) ${category} ${pKeys}: expected ${expected}`);
      if (expected) meetings++;
    }
    expect(meetings).toBeGreaterThan(300);
  });

  it('hashes keys as stored rows expect them: the first 8 bytes of MD5, signed, whatever the release', () => {
    expect(keyHash('air', 'g:smoke')).toBe('7939399594266656804');
    expect(keyHash('water', 'e:金鹏化工')).toBe('2043092334064232998');
  });

  it('stores one row per key, with the division as a number, and only names for a case without a division', () => {
    expect(indexEntries('320106', 'air', ['g:smoke', 'e:金鹏化工', 'g:smoke'])).toEqual([
      { key: keyHash('air', 'g:smoke'), division: 320106 },
      { key: keyHash('air', 'e:金鹏化工'), division: 320106 },
    ]);
    expect(indexEntries(null, 'air', ['g:smoke', 'e:金鹏化工'])).toEqual([{ key: keyHash('air', 'e:金鹏化工'), division: 0 }]);
  });

  it('probes a city-level submission across its counties, and a name nationwide', () => {
    const probes = probeEntries('320100', 'air', ['g:smoke', 'e:金鹏化工']);
    expect(probes).toContainEqual(expect.objectContaining({ key: keyHash('air', 'g:smoke'), lo: 320100, hi: 320199 }));
    expect(probes).toContainEqual(expect.objectContaining({ key: keyHash('air', 'e:金鹏化工'), lo: 0, hi: 999999 }));
    expect(probes.filter((p) => p.key === keyHash('air', 'g:smoke'))).toHaveLength(2);
    // A problem group brings back fewer cases than a name: alone it never singles one out.
    expect(new Set(probes.filter((p) => p.key === keyHash('air', 'g:smoke')).map((p) => p.limit))).toEqual(new Set([PROBE_LIMITS.weak]));
    expect(new Set(probes.filter((p) => p.key === keyHash('air', 'e:金鹏化工')).map((p) => p.limit))).toEqual(new Set([PROBE_LIMITS.anchor]));
  });

  it('probes a submission without a division in its candidate counties, and its complainant nationwide', () => {
    const probes = probeEntries(null, 'air', ['p:迎宾大道', 'c:tel:0a1b'], ['320106', '330106']);
    expect(probes).toContainEqual(expect.objectContaining({ key: keyHash('air', 'p:迎宾大道'), lo: 320106, hi: 320106 }));
    expect(probes).toContainEqual(expect.objectContaining({ key: keyHash('air', 'p:迎宾大道'), lo: 330100, hi: 330100 }));
    expect(probes).toContainEqual(expect.objectContaining({ key: keyHash('air', 'c:tel:0a1b'), lo: 0, hi: 999999 }));
    expect(probes.some((p) => p.key === keyHash('air', 'p:迎宾大道') && p.lo === 0)).toBe(false);
    expect(indexEntries(null, 'air', ['p:迎宾大道', 'c:tel:0a1b'])).toEqual([{ key: keyHash('air', 'c:tel:0a1b'), division: 0 }]);
    // With a division, the complainant's other cases that can take it: its own divisions and those without one.
    const located = probeEntries('320106', 'air', ['c:tel:0a1b']);
    expect(located).toContainEqual(expect.objectContaining({ key: keyHash('air', 'c:tel:0a1b'), lo: 0, hi: 0 }));
    expect(located.some((p) => p.lo === 0 && p.hi === 999999)).toBe(false);
  });

  it('hashes to a signed 64-bit integer that differs by category', () => {
    const k = BigInt(keyHash('air', 'g:smoke'));
    expect(k >= -(2n ** 63n) && k < 2n ** 63n).toBe(true);
    expect(keyHash('air', 'g:smoke')).not.toBe(keyHash('noise', 'g:smoke'));
  });

  it('refuses a division code that is not one', () => {
    expect(() => indexEntries('3201', 'air', ['g:smoke'])).toThrow(/GB\/T 2260/);
  });
});
