/**
 * A lookup cached for a short time (an operator's change applies within seconds, without a restart). The
 * lookup itself is cached, not only its answer: when an entry expires under load, the requests in flight
 * share one query instead of each sending its own. A failed lookup is forgotten at once.
 */
export class SharedLookup<T> {
  private readonly entries = new Map<string, { lookup: Promise<T>; at: number }>();

  constructor(
    private readonly load: (key: string) => Promise<T>,
    private readonly ttlMs = 2000,
  ) {}

  get(key: string): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at <= this.ttlMs) return entry.lookup;
    const current = { lookup: this.load(key), at: Date.now() };
    this.entries.set(key, current);
    current.lookup.catch(() => {
      if (this.entries.get(key) === current) this.entries.delete(key);
    });
    return current.lookup;
  }
}
