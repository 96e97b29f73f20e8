export * from './validate';
export * from './classify';
export * from './judge/judge';
export * from './judge/default-stages';
export * from './dedup';
export * from './dedup/submission-side.util';
