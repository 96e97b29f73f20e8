import { shinglesOf } from '../features.util';
import { normalizeForMatching } from '../normalize.util';
import { shingleJaccard } from '../match-score.util';
import { bandHitProbability, estimateJaccard, hammingDistance64, hash32, lshBands, minhash, simhash64 } from '../minhash.util';

const sh = (t: string) => shinglesOf(normalizeForMatching(t));

/** A small deterministic generator, so the corpus below is the same on every run. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return x / 2 ** 32;
  };
}
const ALPHABET = '化工厂排放黑烟臭味刺鼻废水河道噪音施工夜间垃圾倾倒粉尘扬尘养殖粪污村镇路街道小区附近居民反映严重处理每天晚上凌晨两三点';

describe('minhash', () => {
  it('is deterministic and of the requested length', () => {
    const s = sh('华泰化工凌晨偷偷排放黑烟');
    expect(minhash(s)).toEqual(minhash([...s]));
    expect(minhash(s, { numHashes: 128 })).toHaveLength(128);
    expect(hash32('黑烟')).toBe(hash32('黑烟'));
  });

  it('estimates the Jaccard similarity of the shingle sets', () => {
    const next = rng(7);
    for (let k = 0; k < 20; k++) {
      const base = Array.from({ length: 80 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
      const edited = base.slice(0, 40) + base.slice(50) + '补充';
      const a = shinglesOf(base);
      const b = shinglesOf(edited);
      expect(Math.abs(estimateJaccard(minhash(a, { numHashes: 128 }), minhash(b, { numHashes: 128 })) - shingleJaccard(a, b))).toBeLessThan(0.15);
    }
  });

  it('gives no band keys for an empty text, so empty texts never collide', () => {
    expect(lshBands(minhash([]), { bands: 16, rows: 4 })).toEqual([]);
  });

  it('refuses a banding that needs more hashes than the signature has', () => {
    expect(() => lshBands(minhash(['ab']), { bands: 40, rows: 2 })).toThrow(/needs 80/);
  });
});

describe('LSH recall sanity (fixed seed)', () => {
  it('near-duplicates share at least one band key', () => {
    const next = rng(42);
    let shared = 0;
    const trials = 200;
    for (let k = 0; k < trials; k++) {
      const base = Array.from({ length: 60 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
      // A near-duplicate: one short insertion and one character replaced (a typo).
      const i = Math.floor(next() * 50);
      const dup = `${base.slice(0, i)}请处理${base.slice(i, i + 5)}x${base.slice(i + 6)}`;
      const ka = new Set(lshBands(minhash(shinglesOf(base)), { bands: 32, rows: 2 }));
      if (lshBands(minhash(shinglesOf(dup)), { bands: 32, rows: 2 }).some((x) => ka.has(x))) shared++;
    }
    expect(shared / trials).toBeGreaterThanOrEqual(0.99);
  });

  it('unrelated texts rarely share a band key', () => {
    const next = rng(9);
    let shared = 0;
    const trials = 200;
    const text = () => Array.from({ length: 60 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
    for (let k = 0; k < trials; k++) {
      const ka = new Set(lshBands(minhash(sh(`${text()}金鹏化工`)), { bands: 16, rows: 4 }));
      if (lshBands(minhash(sh(`恒通砖瓦${text()}`)), { bands: 16, rows: 4 }).some((x) => ka.has(x))) shared++;
    }
    expect(shared / trials).toBeLessThan(0.1);
  });

  it('states the banding curve', () => {
    expect(bandHitProbability(0.5, { bands: 16, rows: 4 })).toBeCloseTo(1 - Math.pow(1 - 0.0625, 16), 10);
  });
});

describe('simhash64', () => {
  it('puts near-duplicates closer than unrelated texts', () => {
    const a = simhash64(sh('华泰化工凌晨两三点偷偷排放黑烟，整个小区都是烟味'));
    const b = simhash64(sh('华泰化工凌晨两三点偷偷排放黑烟，整个小区都是烟味，请处理'));
    const c = simhash64(sh('夜色酒吧每天营业到凌晨唱歌声音特别大'));
    expect(hammingDistance64(a, b)).toBeLessThan(hammingDistance64(a, c));
    expect(hammingDistance64(a, a)).toBe(0);
  });
});
