/**
 * One Aho–Corasick automaton over every term of every rule table: a submission is scanned once, in time
 * linear in its length, whatever the number of terms. Terms are added already normalised.
 */

export interface TermHit {
  /** Index of the term in the order it was added. */
  term: number;
  /** Position of the first character of the match in the scanned text. */
  start: number;
  /** Position just after the match. */
  end: number;
}

interface Node {
  next: Map<string, number>;
  fail: number;
  /** Terms ending at this node, including those inherited through failure links. */
  out: number[];
  depth: number;
}

export class TermMatcher {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [], depth: 0 }];
  private readonly lengths: number[] = [];
  private built = false;

  /** Adds a term and returns its index. Empty terms are refused: they would match everywhere. */
  add(term: string): number {
    if (this.built) throw new Error('TermMatcher: add() after build()');
    if (!term) throw new Error('TermMatcher: empty term');
    let node = 0;
    for (const ch of term) {
      let child = this.nodes[node].next.get(ch);
      if (child === undefined) {
        child = this.nodes.length;
        this.nodes.push({ next: new Map(), fail: 0, out: [], depth: this.nodes[node].depth + 1 });
        this.nodes[node].next.set(ch, child);
      }
      node = child;
    }
    const index = this.lengths.length;
    this.lengths.push(term.length);
    this.nodes[node].out.push(index);
    return index;
  }

  /** Computes failure links breadth-first; call once after the last add(). */
  build(): this {
    const queue: number[] = [];
    for (const child of this.nodes[0].next.values()) queue.push(child);
    for (let qi = 0; qi < queue.length; qi += 1) {
      const current = queue[qi];
      for (const [ch, child] of this.nodes[current].next) {
        let f = this.nodes[current].fail;
        while (f !== 0 && !this.nodes[f].next.has(ch)) f = this.nodes[f].fail;
        const target = this.nodes[f].next.get(ch);
        this.nodes[child].fail = target !== undefined && target !== child ? target : 0;
        this.nodes[child].out.push(...this.nodes[this.nodes[child].fail].out);
        queue.push(child);
      }
    }
    this.built = true;
    return this;
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Every occurrence of every term, overlapping ones included, in order of their end position. */
  scan(text: string): TermHit[] {
    if (!this.built) throw new Error('TermMatcher: scan() before build()');
    const hits: TermHit[] = [];
    let state = 0;
    let pos = 0;
    for (const ch of text) {
      pos += ch.length;
      while (state !== 0 && !this.nodes[state].next.has(ch)) state = this.nodes[state].fail;
      state = this.nodes[state].next.get(ch) ?? 0;
      for (const term of this.nodes[state].out) hits.push({ term, start: pos - this.lengths[term], end: pos });
    }
    return hits;
  }
}
