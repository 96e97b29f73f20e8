import type { TgUpdate } from './telegram.types';

export class GetUpdatesFormatError extends Error {}

/**
 * Reads a getUpdates response body (`{"ok":true,"result":[…]}`), as text or already parsed. The same
 * update can appear twice (a page re-delivered, pages that overlap when the offset was not acknowledged):
 * only the first occurrence of each update_id is kept, in the order delivered (Telegram sends them in
 * update_id order). Entries without a numeric update_id cannot be deduplicated or acknowledged; they
 * are kept in place so the caller can report them.
 */
export function parseGetUpdatesFile(json: string | unknown): TgUpdate[] {
  let body: unknown = json;
  if (typeof json === 'string') {
    try {
      body = JSON.parse(json.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new GetUpdatesFormatError(`getUpdates body is not JSON: ${(error as Error).message}`);
    }
  }
  if (typeof body !== 'object' || body === null) throw new GetUpdatesFormatError('getUpdates body is not an object');
  const { ok, result, description } = body as { ok?: unknown; result?: unknown; description?: unknown };
  if (ok !== true) throw new GetUpdatesFormatError(`getUpdates answered ok=${String(ok)}${description ? `: ${String(description)}` : ''}`);
  if (!Array.isArray(result)) throw new GetUpdatesFormatError('getUpdates result is not an array');
  return dedupeUpdates(result as TgUpdate[]);
}

/** Keeps the first occurrence of each update_id; `alreadySeen` carries the ids of earlier pages. */
export function dedupeUpdates(updates: TgUpdate[], alreadySeen?: Set<number>): TgUpdate[] {
  const seen = alreadySeen ?? new Set<number>();
  const kept: TgUpdate[] = [];
  for (const update of updates) {
    const id = typeof update?.update_id === 'number' ? update.update_id : null;
    if (id !== null) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    kept.push(update);
  }
  return kept;
}

/**
 * Updates not yet acknowledged: the Bot API's `offset` is the last handled update_id + 1, and anything
 * below it that comes back (an overlapping page) was already handled.
 */
export function updatesFromOffset(updates: TgUpdate[], offset: number): TgUpdate[] {
  return updates.filter((u) => typeof u.update_id !== 'number' || u.update_id >= offset);
}

/** The offset to acknowledge after handling these updates (last update_id + 1), or the given one if none. */
export function nextOffset(updates: TgUpdate[], current = 0): number {
  let next = current;
  for (const u of updates) if (typeof u.update_id === 'number' && u.update_id + 1 > next) next = u.update_id + 1;
  return next;
}
