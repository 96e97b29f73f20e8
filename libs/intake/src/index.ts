export * from './intake-queue';
export * from './inbox-recorder';
export * from './tokens';
export * from './core.module';
export * from './channel-seed';
