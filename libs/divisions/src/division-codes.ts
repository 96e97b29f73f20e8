import { type Division, type DivisionIndex, getDivisionIndex, isZoneCode } from './division-index';

/** Lookups by code over the division index: what a code is, and what a retired or statistical code now means. */

/** True for a current province, city, county or township code (development-zone pseudo-codes excluded). */
export function isKnownDivisionCode(code: string, index: DivisionIndex = getDivisionIndex()): boolean {
  const d = index.byCode.get(code);
  return !!d && d.kind !== 'zone';
}

/**
 * The current code a given code stands for: itself when current; the successor of a retired (merged,
 * renamed) county; the county or city a development-zone pseudo-code lies in; null when unknown.
 */
export function currentCodeOf(code: string, index: DivisionIndex = getDivisionIndex()): string | null {
  const c = String(code).trim();
  if (isZoneCode(c)) return index.zoneTarget.get(c) ?? (index.byCode.has(`${c.slice(0, 4)}00`) ? `${c.slice(0, 4)}00` : null);
  if (index.byCode.has(c)) return c;
  return index.retired.get(c) ?? null;
}

export function findDivision(code: string, index: DivisionIndex = getDivisionIndex()): Division | null {
  return index.byCode.get(code) ?? null;
}

/** The official name, with its parents for a county or township ("江苏省南京市鼓楼区"); null when unknown. */
export function divisionName(code: string, index: DivisionIndex = getDivisionIndex(), withParents = false): string | null {
  const d = index.byCode.get(code);
  if (!d) return null;
  if (!withParents) return d.name;
  const parts = [index.byCode.get(`${d.provinceCode}0000`)?.name, d.cityCode && d.cityCode !== d.code ? index.byCode.get(d.cityCode)?.name : null];
  if (d.kind === 'township' && d.countyCode) parts.push(index.byCode.get(d.countyCode)?.name);
  return [...parts.filter((p) => p && p !== d.name), d.name].join('');
}
