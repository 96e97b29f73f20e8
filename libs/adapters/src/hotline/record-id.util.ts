import type { TypedCell } from '../tabular/tabular.types';
import { toHalfWidth } from '../tabular/width.util';

/** Numbers at or above this have more digits than Excel keeps (15 significant). */
const PRECISE_LIMIT = 1e15;
const SCIENTIFIC = /^[+-]?\d+(\.\d+)?E[+-]?\d+$/i;
const USABLE_REF = /^[^\s\u0000-\u001f]{1,128}$/;

export interface GivenRef {
  /** The id as written (half-width, trimmed); null when empty. */
  text: string | null;
  /** False when the id cannot serve as the source key: empty, mangled by Excel, or not an id at all. */
  usable: boolean;
  flags: string[];
}

/**
 * Reads a record id (受理编号, 工单编号, 登记编号). Excel turns long numeric ids into 4.40301E+17 or rounds them
 * past 15 digits; such an id is flagged `precision_loss` and kept exactly as given, never "repaired" with
 * invented digits, and is not used as the source key (two different ids may have collapsed into one).
 */
export function readRef(cell: string, typed?: TypedCell): GivenRef {
  const flags: string[] = [];
  const text = toHalfWidth(cell).trim();
  if (!text) return { text: null, usable: false, flags };
  const lost =
    SCIENTIFIC.test(text) || (typed?.kind === 'number' && (Math.abs(typed.value) >= PRECISE_LIMIT || !Number.isInteger(typed.value)));
  if (lost) flags.push('precision_loss');
  return { text, usable: !lost && USABLE_REF.test(text), flags };
}

/** The ref of a row whose own id is unusable: stable for the same stored file and row. */
export function rowRef(fileRef: string, row: number): string {
  return `${fileRef}#row${row}`;
}
