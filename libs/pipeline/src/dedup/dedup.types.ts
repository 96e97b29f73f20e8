import type { Category } from '@huiliu/contracts';

/** What the dedup features are computed from: the submission's own fields plus the earlier stages' decisions. */
export interface IncidentSource {
  text: string;
  title?: string | null;
  /** 被举报对象 as the source named it. */
  subject?: string | null;
  /** The place as given (address field, location label). */
  address?: string | null;
  divisionCode?: string | null;
  category?: Category | string | null;
  /** The township (街道/镇/乡) name the locate stage found, if any. */
  township?: string | null;
}

/** The polluter or target as named: `core` is brand + trade (legal form trimmed), the comparable part. */
export interface EntityName {
  core: string;
  /** The distinctive name part before the trade word (华泰, 夜色); '' when the text only says 一家化工厂. */
  brand: string;
  /** The trade or venue word (化工, 酒吧), or null for a bare company name. */
  kind: string | null;
}

export interface IncidentFeatures {
  /** Character 2- and 3-grams of the normalized text (title + text), without repeats, in first-seen order. */
  shingles: string[];
  /** The polluter/target name (normalized core), or null when none is named. */
  entity: string | null;
  entityName: EntityName | null;
  /** Other polluter names the text mentions (cores), including everyday-noun trades without legal form. */
  aliases?: string[];
  /** What kind of polluter, even when unnamed (一家制药厂 → 制药). */
  kind: string | null;
  /** The most specific place token (road, village, park, landmark), or the township, or null. */
  place: string | null;
  /** Every specific place token (roads, villages, landmarks), normalized. */
  places: string[];
  /** Township-level tokens (…镇, …乡, …街道). */
  townships: string[];
  /** Problem words found (黑烟, 异味, 噪音, …), sorted. */
  problemTerms: string[];
  /**
   * The text is mostly in Latin script: the polluter and place names, read in Chinese only, may be there
   * unread, so the absence of a name says nothing.
   */
  unreadNames?: boolean;
  /** With unread names: the kind of polluter the English words name (酒吧 for "a bar"), for the sole-case rule only. */
  unreadKind?: string;
}

/** One side of a comparison: features plus what blocks and windows need. */
export interface MatchSide extends IncidentFeatures {
  divisionCode: string | null;
  /**
   * Without a division: the counties the locate stage left possible (a county name found in several cities,
   * judgement.division.candidates). A case in none of them is another incident.
   */
  divisionCandidates?: string[];
  category: string | null;
  /** Submission time, epoch ms. */
  at: number;
  /** complainantKeyOf(...) of the submission, or null. */
  complainantKey: string | null;
  /** MinHash signature; when both sides have one and shingles are absent, the Jaccard is estimated from it. */
  signature?: Uint32Array | null;
}

export type MatchDecision = 'auto' | 'suggested' | 'none';
