import { setFlagsFromString } from 'node:v8';

let applied = 0;

/**
 * Makes V8 collect the old generation once it has grown `percent` past the live heap. An import's live data is
 * small and bounded (a few batches), but it turns over its whole file through the heap, and with the default
 * policy (a heap limit of gigabytes) V8 lets that garbage reach about four times the live heap before a full
 * collection: a 100,000-row export took the process to ~350 MB for ~60 MB of live data. This is a growth
 * policy, not a cap: a process that needs more heap still gets it. It applies to the whole process (V8 has
 * one policy per isolate) from its next full collection on, so processes that run imports (worker, CLI) set
 * it at start-up. 0 leaves V8's policy alone.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent <= 0 || percent === applied) return;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = percent;
}
