/**
 * The keys a case is found by: LSH band keys of the text, plus exact anchors for what paraphrase keeps
 * (the polluter's name, the road or village, the township). Stored as `<block>|<key>` rows with an index,
 * so finding candidates is a handful of index probes whatever the size of the case store.
 */
import { probeBlocks, storeBlocks } from './division-block.util';
import { lshBands, type BandOptions } from './minhash.util';
import { problemGroupOf } from './features.util';
import type { IncidentFeatures } from './dedup.types';

/**
 * Eight bands of three rows: near-verbatim copies (Jaccard 0.7 and up) share a band 96% of the time. Paraphrases
 * are found by the anchors, not the bands (in the samples, the anchors alone find every pair the bands find), so
 * few bands keep the index small: about 16 rows per case.
 */
export const DEFAULT_BANDS: BandOptions = { bands: 8, rows: 3 };

/**
 * Block-free keys of one submission: `b..:hash` bands, `e:` polluter (and names mentioned in passing), `k:` kind of polluter, `p:` place,
 * `t:` township, `g:` problem group. Paraphrases share few shingles (median Jaccard ~0.17 between reports
 * of one incident in the samples), so the exact anchors find most of them; bands find the rest.
 */
export function anchorKeys(features: IncidentFeatures, signature: Uint32Array, bands: BandOptions = DEFAULT_BANDS): string[] {
  const groups = new Set(features.problemTerms.map(problemGroupOf).filter((g): g is string => g !== null));
  return [
    ...lshBands(signature, bands),
    ...[...new Set([...(features.entity ? [features.entity] : []), ...(features.aliases ?? [])])].map((e) => `e:${e}`),
    ...(features.kind ? [`k:${features.kind}`] : []),
    ...features.places.map((p) => `p:${p}`),
    ...features.townships.map((t) => `t:${t}`),
    ...[...groups].map((g) => `g:${g}`),
  ];
}

/**
 * Every candidate key of a submission: its anchor keys and, when the complainant is known, `c:` with the
 * complainant's opaque key. People report their matter again (这是我第二次反映了) on another channel, often
 * without the address they gave the first time: their earlier case is found by who they are, and
 * judgeMatch decides whether it is the same matter (重复举报).
 */
export function candidateKeys(features: IncidentFeatures, signature: Uint32Array, complainantKey: string | null, bands: BandOptions = DEFAULT_BANDS): string[] {
  const keys = anchorKeys(features, signature, bands);
  return complainantKey ? [...keys, `c:${complainantKey}`] : keys;
}

/**
 * Only a polluter's name or the complainant identifies an incident across divisions. Bands are not strong
 * enough: across a million cases, unrelated texts of one category share a three-row band by chance hundreds
 * of times. A complainant key is one person's: it finds their own few cases wherever they are.
 */
export function strongKey(key: string): boolean {
  return key.startsWith('e:') || key.startsWith('c:');
}

/**
 * How many cases (the most recent) one probe of a key may bring back. A problem group or a kind of polluter
 * is shared by every smoke or every chemical plant complaint of a county: in a busy county such a key alone
 * never singles out a case (the scores need a name, a place or shared wording), so it brings back fewer.
 */
export const PROBE_LIMITS = { weak: 16, anchor: 64 } as const;

export function probeLimitOf(key: string): number {
  return key.startsWith('g:') || key.startsWith('k:') ? PROBE_LIMITS.weak : PROBE_LIMITS.anchor;
}

/** An LSH band key (`b03:…`). */
export function bandKey(key: string): boolean {
  return /^b\d+:/.test(key);
}

/**
 * Bands are probed only in the submission's own division (and, for a city or province, the divisions inside
 * it), not in the city and province blocks above a county. They find near-verbatim copies, and a copy shares
 * its polluter, place and problem words too, which are probed in every compatible block; in the enclosing
 * blocks, bands were a third of a submission's probes and found nothing those anchors missed.
 */
function bandBlock(block: string, category: string, division: string): boolean {
  return block === `${category}|=${division}` || block === `${category}|<${division}`;
}

/** Blocks holding cases of every division (`|*`) or of none (`|=none`) keep only strong keys: they are probed nationwide. */
function nationwideBlock(block: string): boolean {
  return block.endsWith('|*') || block.endsWith('|=none');
}

/** Rows to store for a case member. */
export function storeKeys(divisionCode: string | null | undefined, category: string, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const block of storeBlocks(divisionCode, category)) {
    const nationwide = nationwideBlock(block);
    for (const k of keys) if (!nationwide || strongKey(k)) out.push(`${block}|${k}`);
  }
  return out;
}

/** At most this many candidate counties of an ambiguous place are probed (鼓楼区 is a district of four cities). */
export const MAX_PROBED_CANDIDATES = 6;

/**
 * The divisions a submission is probed in: its own; without one, the nationwide blocks (null) and the
 * candidate counties of its ambiguous place name. 西湖区文化路有一家塑料厂 names no polluter, but its road,
 * kind and wording find the case of that road in either 西湖区.
 */
export function probeDivisions(divisionCode: string | null | undefined, divisionCandidates?: readonly string[] | null): (string | null)[] {
  if (divisionCode) return [divisionCode];
  return [null, ...(divisionCandidates ?? []).slice(0, MAX_PROBED_CANDIDATES)];
}

/**
 * Keys to look up for a new submission. Besides its compatible blocks, a submission with a division also
 * looks up its polluter names nationwide (`<category>|*|e:…`): the cases of that name in other divisions
 * cannot take it, but they tell chooseCase whether the name is unique. A submission without a division is
 * also looked up in the blocks of its candidate counties (probeDivisions).
 */
export function probeKeys(divisionCode: string | null | undefined, category: string, keys: readonly string[], divisionCandidates?: readonly string[] | null): string[] {
  const out = new Set<string>();
  for (const division of probeDivisions(divisionCode, divisionCandidates)) {
    for (const block of probeBlocks(division, category)) {
      const nationwide = nationwideBlock(block);
      const bands = !!division && bandBlock(block, category, division);
      for (const k of keys) if (nationwide ? strongKey(k) : bands || !bandKey(k)) out.add(`${block}|${k}`);
    }
    if (division) for (const k of keys) if (k.startsWith('e:')) out.add(`${category}|*|${k}`);
  }
  return [...out];
}
