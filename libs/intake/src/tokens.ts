/** Injection tokens of the shared plumbing (values, not classes, so tests can build them directly). */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const REDIS = Symbol('REDIS');
export const BLOB_STORE = Symbol('BLOB_STORE');
