export { locate, type LocateOptions } from './locate';
export { basinOf, loadBasinTable, type BasinTable } from './basin';
export { isKnownDivisionCode, currentCodeOf, divisionName, findDivision } from './division-codes';
export {
  getDivisionIndex,
  buildDivisionIndex,
  loadChinaDivision,
  loadDivisionTables,
  isZoneCode,
  townshipShortName,
  type Division,
  type DivisionIndex,
  type DivisionKind,
} from './division-index';
export { BoundaryIndex, getBoundaryIndex, loadBoundaryIndex } from './boundary.index';
export { normalizeText } from './name.util';
