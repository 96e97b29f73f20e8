/**
 * Whether any string in a plain value (objects, arrays) holds U+0000. Looks without copying: almost no row
 * has one, and stripNul's deep copy of every row was a large share of an import's garbage.
 */
export function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    for (const key in value) if (key.includes('\u0000') || hasNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
