export * from './email-intake';
export * from './email-oversize.util';
export * from './mailbox.runner';
export * from './email.supervisor';
