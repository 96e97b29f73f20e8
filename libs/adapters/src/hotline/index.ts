export * from './column-profile.schema';
export * from './column-profile.registry';
export * from './export-date.parser';
export * from './phone.util';
export * from './record-id.util';
export * from './tabular-row.mapper';
