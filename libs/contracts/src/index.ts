export * from './channel-type';
export * from './submission.schema';
export * from './source-key';
export * from './queues';
export * from './disposition';
export * from './pipeline';
export * from './json-schema';
