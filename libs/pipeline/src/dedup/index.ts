/** Duplicate detection, pure core: one incident, one case. */
export * from './dedup.types';
export { foldText, normalizeForMatching, stripBoilerplate } from './normalize.util';
export { extractIncidentFeatures, findEntities, findPlaces, findProblemTerms, problemGroupOf, shinglesOf } from './features.util';
export {
  hash32,
  minhash,
  estimateJaccard,
  lshBands,
  bandHitProbability,
  simhash64,
  hammingDistance64,
  DEFAULT_NUM_HASHES,
  DEFAULT_MINHASH_SEED,
} from './minhash.util';
export type { MinhashOptions, BandOptions } from './minhash.util';
export { divisionCompatibility, divisionLevelOf, storeBlocks, probeBlocks, refineCaseDivision } from './division-block.util';
export type { DivisionCompatibility } from './division-block.util';
export { scoreMatch, judgeMatch, shingleJaccard, entityAgreement, namesAgreement, kindsAgree, aliasAgrees, placeAgreement, DEFAULT_MATCH_CONFIG } from './match-score.util';
export type { MatchConfig, MatchParts, MatchResult, MatchLabels, EntityAgreement, PlaceAgreement } from './match-score.util';
export { complainantKeyOf, sameComplainant, normalizePhone, normalizeEmail } from './complainant-key.util';
export { BOILERPLATE_TABLE, FEATURE_TABLE } from './dedup.rules';
export { anchorKeys, candidateKeys, storeKeys, probeKeys, DEFAULT_BANDS, PROBE_LIMITS, probeLimitOf } from './candidate-keys.util';
export { caseFeaturesOf, mergeCaseFeatures, CASE_FEATURE_CAPS, CASE_FEATURES_VERSION } from './case-features.util';
export type { CaseFeatures } from './case-features.util';
export { scoreAgainstCase, chooseCase } from './case-match.util';
export type { CaseCandidate, CaseChoice } from './case-match.util';
export { keyHash, indexEntries, probeEntries, probeHits } from './case-index.util';
export type { IndexEntry, ProbeEntry } from './case-index.util';
export { strongKey } from './candidate-keys.util';
