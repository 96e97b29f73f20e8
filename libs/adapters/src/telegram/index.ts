export * from './telegram.types';
export * from './telegram-command.parser';
export * from './telegram-update.parser';
export * from './get-updates.parser';
