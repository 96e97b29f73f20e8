/**
 * Formula injection (CSV/DDE injection): a cell that starts with = + - @ (or a tab/CR before them) is run
 * as a formula when a person opens an export in Excel. Imported cells are always kept as text; this module
 * only tells whether a cell looks like a formula, and escapes cells for exports.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
/** A signed number or a phone number ("+86 138 …", "-12.5") starts with + or - but is not a formula. */
const PLAIN_SIGNED = /^[+\-]?[\d\s\-().,]+$/;

export function isFormulaLike(value: string): boolean {
  if (!FORMULA_START.test(value)) return false;
  if (value[0] === '=' || value[0] === '@') return true;
  return !PLAIN_SIGNED.test(value.trim());
}

/** For any export a spreadsheet may open: prefix a dangerous first character with ' so it stays text. */
export function safeSpreadsheetCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
