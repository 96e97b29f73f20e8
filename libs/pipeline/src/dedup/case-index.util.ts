/**
 * The case index as rows: how the block keys of candidate-keys.util are laid out in Postgres, compactly.
 *
 * A block key names a division block (`=320102`, `<320100`, `*`, …) so that a case is reachable from every
 * compatible division. Stored literally, a county case would need its keys under its county, its city, its
 * province and nationwide: four copies. Here a key is stored once, with the case's division as a number,
 * and a probe asks for a division *range* instead: the city-level block `<320100` becomes the range
 * 320100–320199, the province 320000–329999, nationwide 0–999999, no division 0. `probeEntries` and
 * `indexEntries` meet exactly when probeKeys and storeKeys share a block key (proven by a unit test).
 */
import { hash as digestOf } from 'node:crypto';
import { divisionLevelOf } from './division-block.util';
import { bandKey, probeDivisions, probeLimitOf, strongKey } from './candidate-keys.util';

/** One stored row: the hashed `<category>|<key>` and the case's division (0 when it has none). */
export interface IndexEntry {
  /** Signed 64-bit integer as a decimal string (Postgres bigint). */
  key: string;
  division: number;
}

/** One index probe: rows with this key and a division within [lo, hi]. */
export interface ProbeEntry {
  key: string;
  lo: number;
  hi: number;
  /** At most this many cases, the most recent (probeLimitOf). */
  limit: number;
}

const NONE = 0;
const ANY: [number, number] = [0, 999_999];

const HASH_MEMO_SIZE = 50_000;
const recentHashes = new Map<string, string>();

/** A stable 64-bit key for `<category>|<key>`: compact in the index, and equal across processes. */
export function keyHash(category: string, key: string): string {
  const text = `${category}|${key}`;
  let hash = recentHashes.get(text);
  if (hash === undefined) {
    hash = digestOf('md5', text, 'buffer').readBigInt64BE(0).toString();
    // A batch hashes each key twice (probe, then store) and anchors recur across batches; a bounded memo
    // keeps that to once without growing with the traffic.
    if (recentHashes.size >= HASH_MEMO_SIZE) recentHashes.clear();
    recentHashes.set(text, hash);
  }
  return hash;
}

function codeOf(divisionCode: string): number {
  divisionLevelOf(divisionCode);
  return Number(divisionCode);
}

/** Rows to store for a member of a case whose division is `divisionCode`. */
export function indexEntries(divisionCode: string | null | undefined, category: string, keys: readonly string[]): IndexEntry[] {
  const out = new Map<string, IndexEntry>();
  for (const k of keys) {
    // A case without a division is reached only through nationwide probes, which ask for strong keys only.
    if (!divisionCode && !strongKey(k)) continue;
    const key = keyHash(category, k);
    out.set(key, { key, division: divisionCode ? codeOf(divisionCode) : NONE });
  }
  return [...out.values()];
}

/** Division ranges a submission's keys are probed in (its own block and every enclosing or enclosed one). */
function rangesOf(divisionCode: string): [number, number][] {
  const code = codeOf(divisionCode);
  const city = Math.floor(code / 100) * 100;
  const province = Math.floor(code / 10_000) * 10_000;
  switch (divisionLevelOf(divisionCode)) {
    case 'county':
      return [
        [code, code],
        [city, city],
        [province, province],
      ];
    case 'city':
      return [
        [code, code + 99],
        [province, province],
      ];
    case 'province':
      return [[code, code + 9_999]];
  }
}

/**
 * Probes for a new submission: every key within its compatible divisions (without a division, those of its
 * candidate counties: probeDivisions), and its strong keys (polluter names, the complainant) nationwide,
 * which also reaches the cases without a division.
 */
export function probeEntries(
  divisionCode: string | null | undefined,
  category: string,
  keys: readonly string[],
  divisionCandidates?: readonly string[] | null,
): ProbeEntry[] {
  const out: ProbeEntry[] = [];
  const seen = new Set<string>();
  const push = (key: string, [lo, hi]: [number, number], limit: number) => {
    const id = `${key}|${lo}|${hi}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ key, lo, hi, limit });
  };
  const divisions = probeDivisions(divisionCode, divisionCandidates).filter((d): d is string => !!d);
  for (const k of keys) {
    const key = keyHash(category, k);
    const limit = probeLimitOf(k);
    const band = bandKey(k);
    // A name is looked up nationwide (whether it is unique, see chooseCase); a complainant, when the
    // submission has a division, only among the cases without one besides its own divisions.
    if (strongKey(k) && (!divisionCode || k.startsWith('e:'))) push(key, ANY, limit);
    else if (strongKey(k)) push(key, [NONE, NONE], limit);
    for (const d of divisions) {
      const ranges = rangesOf(d);
      // The first range is the division's own block (with the divisions inside it): bands go only there (probeKeys).
      for (const r of band ? ranges.slice(0, 1) : ranges) push(key, r, limit);
    }
  }
  return out;
}

/** Whether a stored row answers a probe (the same test the SQL makes). */
export function probeHits(probe: ProbeEntry, entry: IndexEntry): boolean {
  return probe.key === entry.key && entry.division >= probe.lo && entry.division <= probe.hi;
}
