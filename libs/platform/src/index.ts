export * from './config';
export * from './pii';
export * from './logger';
export * from './redis';
export * from './preflight';
export * from './blob-store';
export * from './metrics';
