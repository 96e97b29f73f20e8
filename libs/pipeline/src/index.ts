export * from './validate';
export * from './classify';
export * from './judge/judge';
export * from './judge/default-stages';
export { JUDGED_TEXT_CHARS, withinReadLimit } from './judge/read-limit';
export * from './dedup';
export * from './dedup/submission-side.util';
