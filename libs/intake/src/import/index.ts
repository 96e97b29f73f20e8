export * from './byte-limit.util';
export * from './import-queue';
export * from './importer';
export * from './registration.service';
export * from './import.providers';
