/**
 * The small JSON path language of webhook mappings: `$` (the record being mapped), `$$` (the whole payload,
 * for a batch item that needs a field of the envelope), `.name`, `['name']`, `[3]`, `[-1]` (from the end)
 * and `[*]` (every element; only where a list is expected). Paths are compiled once, when the channel's
 * settings are read, so a typo is refused then rather than on the first push.
 */
export type PathStep = { key: string } | { index: number } | { each: true };

export interface CompiledPath {
  source: string;
  root: '$' | '$$';
  steps: PathStep[];
}

const cache = new Map<string, CompiledPath>();
const CACHE_LIMIT = 10_000;

export class PathSyntaxError extends Error {
  override readonly name = 'PathSyntaxError';
}

export function compilePath(source: string): CompiledPath {
  const cached = cache.get(source);
  if (cached) return cached;
  const root = source.startsWith('$$') ? '$$' : source.startsWith('$') ? '$' : null;
  if (!root) throw new PathSyntaxError(`path "${source}" must start with $`);
  const steps: PathStep[] = [];
  let at = root.length;
  while (at < source.length) {
    const ch = source[at];
    if (ch === '.') {
      const match = /^[^.[\]\s'"]+/.exec(source.slice(at + 1));
      if (!match) throw new PathSyntaxError(`path "${source}": a name must follow "." at ${at}`);
      steps.push({ key: match[0] });
      at += 1 + match[0].length;
    } else if (ch === '[') {
      const rest = source.slice(at);
      const quoted = /^\[(['"])(.*?)\1\]/.exec(rest);
      const bracket = quoted ?? /^\[(\*|-?\d{1,9})\]/.exec(rest);
      if (!bracket) throw new PathSyntaxError(`path "${source}": expected [n], [*] or ['name'] at ${at}`);
      if (quoted) steps.push({ key: quoted[2] });
      else if (bracket[1] === '*') steps.push({ each: true });
      else steps.push({ index: Number(bracket[1]) });
      at += bracket[0].length;
    } else {
      throw new PathSyntaxError(`path "${source}": unexpected "${ch}" at ${at}`);
    }
  }
  const compiled: CompiledPath = { source, root, steps };
  if (cache.size < CACHE_LIMIT) cache.set(source, compiled);
  return compiled;
}

/** True when the path selects many values (has a `[*]`). */
export function isMultiPath(path: CompiledPath): boolean {
  return path.steps.some((s) => 'each' in s);
}

/**
 * Every value the path selects from `record` (`$`) or `payload` (`$$`). A missing step yields nothing; only
 * own properties are followed, so `__proto__` or `constructor` in a path never reaches an object's prototype.
 */
export function selectAll(path: CompiledPath, record: unknown, payload: unknown): unknown[] {
  let current: unknown[] = [path.root === '$$' ? payload : record];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('each' in step) {
        if (Array.isArray(value)) next.push(...value);
      } else if ('index' in step) {
        if (Array.isArray(value)) {
          const i = step.index < 0 ? value.length + step.index : step.index;
          if (i >= 0 && i < value.length) next.push(value[i]);
        }
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, step.key)) {
        next.push((value as Record<string, unknown>)[step.key]);
      }
    }
    current = next;
  }
  return current;
}

/** The single value a path selects, or undefined. */
export function selectOne(path: CompiledPath, record: unknown, payload: unknown): unknown {
  return selectAll(path, record, payload)[0];
}
