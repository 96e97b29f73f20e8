export * from './webhook-replay.store';
export * from './webhook-intake.service';
export * from './webhook-sources.controller';
export * from './webhook-sources.providers';
