export * from './email.types';
export * from './email.parser';
export * from './email-mbox.util';
export * from './email.adapter';
