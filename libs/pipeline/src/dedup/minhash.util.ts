/**
 * Text signatures for candidate lookup: MinHash (Jaccard estimate over shingle sets) with LSH band keys,
 * and SimHash kept for comparison. All hashing is 32-bit integer arithmetic, seeded by constants, so the
 * same text gives the same keys in every process and release (band keys are stored in the case store).
 */

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 for avalanche. */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export interface MinhashOptions {
  /** Number of hash functions (signature length). */
  numHashes?: number;
  /** Changing the seed changes every stored band key: treat it as part of the stored format. */
  seed?: number;
}

export const DEFAULT_NUM_HASHES = 64;
export const DEFAULT_MINHASH_SEED = 0x5eed1e55;

const seedCache = new Map<string, Uint32Array>();

function seedsFor(n: number, seed: number): Uint32Array {
  const key = `${n}:${seed}`;
  let seeds = seedCache.get(key);
  if (!seeds) {
    seeds = new Uint32Array(n);
    let x = seed >>> 0;
    for (let i = 0; i < n; i++) {
      x = fmix32((x + 0x9e3779b9) >>> 0);
      seeds[i] = x;
    }
    seedCache.set(key, seeds);
  }
  return seeds;
}

const EMPTY = 0xffffffff;

/**
 * MinHash signature: for each of `numHashes` seeded mixes of the shingle hash, the minimum over the set.
 * An empty set gives all 0xffffffff, which lshBands turns into no keys (empty texts never collide).
 */
export function minhash(shingles: readonly string[], options: MinhashOptions = {}): Uint32Array {
  const n = options.numHashes ?? DEFAULT_NUM_HASHES;
  const seeds = seedsFor(n, options.seed ?? DEFAULT_MINHASH_SEED);
  const sig = new Uint32Array(n).fill(EMPTY);
  for (const s of shingles) {
    const h = hash32(s);
    for (let i = 0; i < n; i++) {
      let x = h ^ seeds[i];
      x ^= x >>> 16;
      x = Math.imul(x, 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x ^= x >>> 16;
      x >>>= 0;
      if (x < sig[i]) sig[i] = x;
    }
  }
  return sig;
}

/**
 * Fraction of equal positions: an unbiased estimate of the Jaccard similarity of the two shingle sets.
 * A stored case keeps its signatures as JSON number arrays: they are read as they are, not copied.
 */
export function estimateJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error('signatures differ in length');
  let same = 0;
  let empty = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === EMPTY && b[i] === EMPTY) empty++;
    else if (a[i] === b[i]) same++;
  }
  return empty === a.length ? 0 : same / a.length;
}

export interface BandOptions {
  bands: number;
  rows: number;
}

/**
 * LSH band keys `b<index>:<8 hex>`: two signatures share a key when all `rows` values of one band agree,
 * which happens with probability 1 − (1 − J^rows)^bands for Jaccard J. The caller prefixes the keys with
 * the division/category block before storing or probing them.
 */
export function lshBands(signature: Uint32Array, { bands, rows }: BandOptions): string[] {
  if (bands * rows > signature.length) {
    throw new Error(`lshBands: ${bands}×${rows} needs ${bands * rows} hashes, signature has ${signature.length}`);
  }
  if (signature.every((v) => v === EMPTY)) return [];
  const keys: string[] = [];
  for (let b = 0; b < bands; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < rows; r++) h = fmix32((h ^ signature[b * rows + r]) >>> 0);
    keys.push(`b${b.toString().padStart(2, '0')}:${h.toString(16).padStart(8, '0')}`);
  }
  return keys;
}

/** Probability that a pair with Jaccard `j` shares at least one band: for choosing bands × rows. */
export function bandHitProbability(j: number, { bands, rows }: BandOptions): number {
  return 1 - Math.pow(1 - Math.pow(j, rows), bands);
}

/** 64-bit SimHash over the shingles (equal weights), as [high, low] 32-bit words. */
export function simhash64(shingles: readonly string[]): Uint32Array {
  const counts = new Int32Array(64);
  for (const s of shingles) {
    const lo = hash32(s);
    const hi = fmix32((lo ^ 0x27d4eb2f) >>> 0);
    for (let i = 0; i < 32; i++) {
      counts[i] += (lo >>> i) & 1 ? 1 : -1;
      counts[32 + i] += (hi >>> i) & 1 ? 1 : -1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) {
    if (counts[i] > 0) lo |= 1 << i;
    if (counts[32 + i] > 0) hi |= 1 << i;
  }
  return Uint32Array.of(hi >>> 0, lo >>> 0);
}

export function hammingDistance64(a: Uint32Array, b: Uint32Array): number {
  return popcount32(a[0] ^ b[0]) + popcount32(a[1] ^ b[1]);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
