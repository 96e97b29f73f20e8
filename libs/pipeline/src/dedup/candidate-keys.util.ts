/**
 * The keys a case is found by: LSH band keys of the text, plus exact anchors for what paraphrase keeps
 * (the polluter's name, the road or village, the township). Stored as `<block>|<key>` rows with an index,
 * so finding candidates is a handful of index probes whatever the size of the case store.
 */
import { probeBlocks, storeBlocks } from './division-block.util';
import { lshBands, type BandOptions } from './minhash.util';
import type { IncidentFeatures } from './dedup.types';

export const DEFAULT_BANDS: BandOptions = { bands: 16, rows: 4 };

/** Block-free keys of one submission: `b..:hash` bands, `e:` polluter, `p:` place, `t:` township. */
export function anchorKeys(features: IncidentFeatures, signature: Uint32Array, bands: BandOptions = DEFAULT_BANDS): string[] {
  return [
    ...lshBands(signature, bands),
    ...(features.entity ? [`e:${features.entity}`] : []),
    ...features.places.map((p) => `p:${p}`),
    ...features.townships.map((t) => `t:${t}`),
  ];
}

/** Only keys that identify an incident nationwide are looked up across every block (no division known). */
function strongKey(key: string): boolean {
  return key.startsWith('b') || key.startsWith('e:');
}

/** Rows to store for a case member. */
export function storeKeys(divisionCode: string | null | undefined, category: string, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const block of storeBlocks(divisionCode, category)) {
    const nationwide = block.endsWith('|*');
    for (const k of keys) if (!nationwide || strongKey(k)) out.push(`${block}|${k}`);
  }
  return out;
}

/** Keys to look up for a new submission. */
export function probeKeys(divisionCode: string | null | undefined, category: string, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const block of probeBlocks(divisionCode, category)) {
    const nationwide = block.endsWith('|*');
    for (const k of keys) if (!nationwide || strongKey(k)) out.push(`${block}|${k}`);
  }
  return out;
}
