export * from './validity.stage';
export * from './rule-set.loader';
export * from './rule-set.schema';
export { normalizeForRules } from './text-normalize.util';
