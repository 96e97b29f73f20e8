import type { TypedCell } from '../tabular/tabular.types';
import { toHalfWidth } from '../tabular/width.util';

/** Beijing time: every date in these exports is wall-clock in UTC+8 (China has no DST). */
const OFFSET = '+08:00';
/** Excel's day 0 is 1899-12-30 (so that its 1900 leap-year bug is absorbed for every date after March 1900). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

interface CompiledFormat {
  regex: RegExp;
  groups: ('y' | 'M' | 'd' | 'H' | 'm' | 's')[];
}

const cache = new Map<string, CompiledFormat>();

/**
 * Compiles a format such as `yyyy/M/d H:mm` to a regex. Tokens: yyyy, M/MM, d/dd, H/HH, m/mm, s/ss; a single
 * letter accepts one or two digits, a doubled one exactly two; a space accepts any run of spaces, T included.
 */
function compile(format: string): CompiledFormat {
  const hit = cache.get(format);
  if (hit) return hit;
  const groups: CompiledFormat['groups'] = [];
  let pattern = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    let run = 1;
    while (format[i + run] === c) run++;
    if (c === 'y' && run === 4) {
      pattern += '(\\d{4})';
      groups.push('y');
    } else if ('MdHms'.includes(c) && run <= 2) {
      pattern += run === 1 ? '(\\d{1,2})' : '(\\d{2})';
      groups.push(c as 'M' | 'd' | 'H' | 'm' | 's');
    } else if (c === ' ') {
      pattern += '[\\sT]+';
    } else {
      pattern += c.repeat(run).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
    i += run;
  }
  const compiled = { regex: new RegExp(`^${pattern}$`), groups };
  cache.set(format, compiled);
  return compiled;
}

export interface ParsedDate {
  /** ISO 8601 with the +08:00 offset, or null when no format matched. */
  iso: string | null;
  /** The format that matched (`excel_date`, `excel_serial` or one of the profile's formats). */
  format: string | null;
}

/**
 * Parses an export's date cell: an XLSX date cell (its wall-clock), an Excel serial number when the profile
 * allows `excel_serial`, or text in one of the profile's formats after full-width digits are made half-width.
 */
export function parseExportDate(text: string, formats: readonly string[], typed?: TypedCell): ParsedDate {
  if (typed?.kind === 'date') return { iso: fromParts(typed.wallClock.match(/\d+/g)!.map(Number)), format: 'excel_date' };
  const value = toHalfWidth(text).trim();
  if (!value) return { iso: null, format: null };
  for (const format of formats) {
    if (format === 'excel_serial') {
      const serial = typed?.kind === 'number' ? typed.value : /^\d{5}(\.\d+)?$/.test(value) ? Number(value) : NaN;
      const iso = fromSerial(serial);
      if (iso) return { iso, format };
      continue;
    }
    const { regex, groups } = compile(format);
    const m = regex.exec(value);
    if (!m) continue;
    const parts = { y: 0, M: 1, d: 1, H: 0, m: 0, s: 0 };
    groups.forEach((g, i) => (parts[g] = Number(m[i + 1])));
    const iso = fromParts([parts.y, parts.M, parts.d, parts.H, parts.m, parts.s]);
    if (iso) return { iso, format };
  }
  return { iso: null, format: null };
}

function fromParts([y, mo, d, h = 0, mi = 0, s = 0]: number[]): string | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > days) return null;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${OFFSET}`;
}

/** Plausible serials only (1950 … 2100): a phone or id in a number cell is not a date. */
function fromSerial(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 18264 || serial > 73051) return null;
  const ms = Math.round((EXCEL_EPOCH_MS + serial * 86_400_000) / 1000) * 1000;
  const d = new Date(ms);
  return fromParts([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]);
}
