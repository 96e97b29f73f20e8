export * from './letter-identity.util';
export * from './letter-location.util';
export * from './register-entry.schema';
export * from './register-entry.mapper';
