/**
 * Postgres text and jsonb cannot hold U+0000; a NUL in any string would fail the whole insert. Strips them
 * (deeply) and reports whether anything was removed so the submission can be flagged.
 */
export function stripNul<T>(value: T): { value: T; removed: boolean } {
  let removed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.includes('\u0000')) {
        removed = true;
        return v.replace(/\u0000/g, '');
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[walk(k) as string] = walk(x);
      return out;
    }
    return v;
  };
  return { value: walk(value) as T, removed };
}
