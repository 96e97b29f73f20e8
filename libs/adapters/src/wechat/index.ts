export * from './wechat.errors';
export * from './wechat-signature.util';
export * from './wechat-crypto.util';
export * from './wechat-xml.parser';
export * from './wechat-message.mapper';
export * from './wechat-reply.builder';
export * from './wechat-push.util';
export * from './wechat-api.client';
