export * from './validate';
export * from './classify';
export * from './judge/judge';
export * from './judge/case-key';
export * from './judge/default-stages';
