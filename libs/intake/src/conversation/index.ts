export * from './conversation-channel';
export * from './conversation.service';
export * from './conversation.providers';
export * from './conversation.module';
export * from './media-queue';
export * from './reply-queue';
export * from './wechat-token.store';
