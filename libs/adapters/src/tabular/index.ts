export * from './tabular.types';
export * from './tabular.reader';
export * from './encoding.util';
export * from './delimiter.util';
export * from './width.util';
export * from './spreadsheet-cell.util';
export * from './xlsx.guard';
export { CsvTokenizer, type CsvToken } from './csv.tokenizer';
