export * from './adapter.types';
export * from './registry';
export * from './web/web-form.parser';
export * from './web/web.adapter';
export * from './conversation/conversation.types';
