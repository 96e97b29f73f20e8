/**
 * Dates as webhook sources send them, turned into ISO 8601 with an offset (what submissions carry).
 * Formats: `epoch_s`, `epoch_ms`, `iso` (an ISO string; without an offset it is read in the zone), or a
 * pattern of YYYY, MM/M, DD/D, HH/H, mm, ss, SSS and literal characters, e.g. `YYYY-MM-DD HH:mm:ss`,
 * read as wall-clock time in the zone (`+08:00` for Beijing).
 */
const TOKENS: Record<string, string> = {
  YYYY: '(\\d{4})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{3})',
};
const TOKEN_PATTERN = /YYYY|SSS|MM|DD|HH|mm|ss|M|D|H/g;
const FIELD_OF: Record<string, keyof WallClock> = { YYYY: 'year', MM: 'month', M: 'month', DD: 'day', D: 'day', HH: 'hour', H: 'hour', mm: 'minute', ss: 'second', SSS: 'ms' };

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

interface CompiledPattern {
  regex: RegExp;
  fields: (keyof WallClock)[];
}

export const ZONE_PATTERN = /^(Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;

export function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

const compiled = new Map<string, CompiledPattern>();

export function compileDatePattern(pattern: string): CompiledPattern {
  const known = compiled.get(pattern);
  if (known) return known;
  const fields: (keyof WallClock)[] = [];
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(TOKEN_PATTERN)) {
    source += escapeRegex(pattern.slice(last, match.index)) + TOKENS[match[0]];
    fields.push(FIELD_OF[match[0]]);
    last = (match.index ?? 0) + match[0].length;
  }
  source += escapeRegex(pattern.slice(last));
  for (const required of ['year', 'month', 'day'] as const) {
    if (!fields.includes(required)) throw new Error(`date pattern "${pattern}" has no ${required}`);
  }
  const result = { regex: new RegExp(`^${source}$`), fields };
  compiled.set(pattern, result);
  return result;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Converts a source value to ISO 8601 with the zone's offset; throws Error with a readable message. */
export function toIsoDate(value: unknown, format: string, zone: string): string {
  const offset = zoneOffsetMinutes(zone);
  if (format === 'epoch_s' || format === 'epoch_ms') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,16}(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw new Error(`"${String(value).slice(0, 40)}" is not an epoch number`);
    return formatInZone(format === 'epoch_s' ? n * 1000 : n, offset);
  }
  if (typeof value !== 'string') throw new Error(`expected a date string, got ${typeof value}`);
  const text = value.trim();
  if (format === 'iso') {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
    if (!match) throw new Error(`"${text.slice(0, 40)}" is not an ISO 8601 date`);
    const wall = {
      year: +match[1], month: +match[2], day: +match[3], hour: +(match[4] ?? 0), minute: +(match[5] ?? 0),
      second: +(match[6] ?? 0), ms: Number(`0.${match[7] ?? '0'}`) * 1000,
    };
    const givenOffset = match[8] ? zoneOffsetMinutes(match[8] === 'Z' ? 'Z' : `${match[8].slice(0, 3)}:${match[8].slice(-2)}`) : offset;
    return formatInZone(instantOf(wall, givenOffset, text), offset);
  }
  const pattern = compileDatePattern(format);
  const match = pattern.regex.exec(text);
  if (!match) throw new Error(`"${text.slice(0, 40)}" does not match ${format}`);
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms: 0 };
  pattern.fields.forEach((field, i) => (wall[field] = Number(match[i + 1])));
  return formatInZone(instantOf(wall, offset, text), offset);
}

/** Epoch ms of a wall-clock time at a fixed offset; refuses dates like 2024-02-30 or 25:00. */
function instantOf(wall: WallClock, offsetMinutes: number, text: string): number {
  const utc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, Math.floor(wall.ms));
  const check = new Date(utc);
  if (
    wall.month < 1 || check.getUTCFullYear() !== wall.year || check.getUTCMonth() !== wall.month - 1 || check.getUTCDate() !== wall.day ||
    check.getUTCHours() !== wall.hour || check.getUTCMinutes() !== wall.minute || check.getUTCSeconds() !== wall.second
  ) {
    throw new Error(`"${text.slice(0, 40)}" is not a real date and time`);
  }
  return utc - offsetMinutes * 60_000;
}

function formatInZone(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  if (Number.isNaN(local.getTime()) || local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) throw new Error('date out of range');
  const iso = local.toISOString().replace(/\.000Z$/, 'Z');
  if (offsetMinutes === 0) return iso;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${iso.slice(0, -1)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
