export * from './webhook-settings.schema';
export * from './webhook-path.util';
export * from './webhook-date.util';
export * from './webhook-transform.util';
export * from './webhook-auth.util';
export * from './webhook-payload.mapper';
export * from './webhook-channel.settings';
export * from './webhook.adapter';
