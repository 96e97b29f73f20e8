/**
 * Text models: for each short run of Han characters (one, and every two and three in a row), in how many labelled texts of each class it appears. They are learnt from the labelled texts
 * (`scripts/dev/train-models.ts`) and kept as tables beside the rule tables: the category model (which kind
 * of pollution) and the validity model (a complaint, another department's matter by topic, or no complaint).
 *
 * The rule tables name the words someone has listed. People use many more: 呛得直咳嗽, 一股子焦糊味,
 * 鱼塘里的鱼翻白肚, 喂喂听得到吗（挂断）. Runs of characters carry those words and the words around them, so a
 * model reads wording no rule names. The stages ask a model only to settle what the rules leave open, or to
 * overrule them when it is very sure.
 *
 * Each run weighs in as in a naive Bayes classifier with one class against the rest: how much likelier a
 * text of this class holds it than one of any other. A run is counted once per text, however often it
 * appears, and a run seen in fewer than two texts is left out (it would only memorise them).
 */
export interface TextModelTable<C extends string = string> {
  name: 'category-model' | 'validity-model';
  version: string;
  /** How many labelled texts the model was learnt from, and a digest of them, to tell a stale table. */
  trainedOn: { texts: number; sha256: string };
  classes: C[];
  /** Labelled texts per class, in the order of `classes`. */
  documents: number[];
  /** The runs of characters, separated by spaces (a run never holds one). */
  grams: string;
  /**
   * For each run in turn, in how many texts of each class it appears: one count per class, all
   * in one flat list. Flat, it loads in a fraction of the time one object per run takes.
   */
  counts: number[];
}

export interface TextModel<C extends string = string> {
  /** `name@version`, as reasons cite it. */
  table: string;
  classes: C[];
  prior: Float64Array;
  /** A run's number, by the run's key (see `keyOf`); its weights start at number × classes. */
  runs: RunTable;
  /** Per run, what its presence adds to each class's score (single precision: half the memory to walk). */
  weights: Float32Array;
  /** Per run, the reading that last counted it (a run counts once per text); reused, never reallocated. */
  stamps: Uint32Array;
  reading: number;
}

export interface ModelReading<C extends string = string> {
  best: C;
  /** How far the best score is ahead of the second (natural log of a likelihood ratio). */
  margin: number;
  second: C | null;
}

/** Runs seen in fewer texts than this are not kept. */
export const MIN_GRAM_DOCUMENTS = 2;
/** Added to every count, so a run never seen with a class does not rule that class out alone. */
const SMOOTHING = 0.1;

/**
 * Only Han characters are read; everything else (Latin letters, digits, punctuation) parts runs. The labelled
 * texts hold too little English for its runs to mean anything but the few texts they came from: a model that
 * read them called every English report an air complaint. English is left to the terms.
 */
const isHan = (code: number) => code >= 0x4e00 && code <= 0x9fff;

const HAN_BASE = 0x4e00;
/** Stands for a character a run of one or two does not have. Never a Han character's offset (< 0x5200). */
const NONE = 0x7fff;

/**
 * A run's key in two 31-bit halves, so that no string is cut out of the text while reading it: its length and
 * first character, then its second and third (each a Han character's offset from U+4E00, 15 bits).
 */
const keyHi = (length: number, first: number) => (length << 15) | first;
const keyLo = (second: number, third: number) => (second << 15) | third;

function keyOf(gram: string): [number, number] {
  const c = (i: number) => (i < gram.length ? gram.charCodeAt(i) - HAN_BASE : NONE);
  return [keyHi(gram.length, c(0)), keyLo(c(1), c(2))];
}

/**
 * Runs by key, open addressing in one typed array: a lookup touches one or two slots and no objects, where a
 * Map of numeric keys this large chases a pointer per entry (the models are read for every submission).
 */
export class RunTable {
  /** Per slot: the key's two halves and the run's number; a slot whose first half is 0 is empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  size = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * 3);
    this.mask = capacity - 1;
  }

  private slotOf(hi: number, lo: number): number {
    let h = Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo, 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.slots[i * 3] !== 0 && (this.slots[i * 3] !== hi || this.slots[i * 3 + 1] !== lo)) i = (i + 1) & this.mask;
    return i;
  }

  set(hi: number, lo: number, run: number): void {
    const i = this.slotOf(hi, lo);
    if (this.slots[i * 3] === 0) this.size += 1;
    this.slots[i * 3] = hi;
    this.slots[i * 3 + 1] = lo;
    this.slots[i * 3 + 2] = run;
  }

  /** The run's number, or -1. */
  get(hi: number, lo: number): number {
    const i = this.slotOf(hi, lo);
    return this.slots[i * 3] === 0 ? -1 : this.slots[i * 3 + 2];
  }
}

/**
 * Calls `visit` with every run of a text the rules have normalised (simplified, half-width, lower case):
 * each Han character alone, and every two and three in a row. A run may come more than once.
 */
function eachGram(text: string, visit: (hi: number, lo: number, start: number, length: number) => void): void {
  let p1 = -1; // offset of the previous Han character, -1 after anything else
  let p2 = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isHan(code)) {
      p1 = p2 = -1;
      continue;
    }
    const h = code - HAN_BASE;
    visit(keyHi(1, h), keyLo(NONE, NONE), i, 1);
    if (p1 >= 0) visit(keyHi(2, p1), keyLo(h, NONE), i - 1, 2);
    if (p2 >= 0) visit(keyHi(3, p2), keyLo(p1, h), i - 2, 3);
    p2 = p1;
    p1 = h;
  }
}

/** The distinct runs of a normalised text. */
export function gramsOf(text: string): Set<string> {
  const out = new Set<string>();
  eachGram(text, (_hi, _lo, start, length) => out.add(text.slice(start, start + length)));
  return out;
}

/** Counts the runs of labelled texts (already normalised as the rules read them). */
export function trainTextModel<C extends string>(
  examples: readonly { text: string; label: C }[],
  classes: readonly C[],
  meta: { name: TextModelTable['name']; version: string; sha256: string },
): TextModelTable<C> {
  const index = new Map(classes.map((c, i) => [c, i]));
  const documents = classes.map(() => 0);
  const counts = new Map<string, number[]>();
  for (const { text, label } of examples) {
    const c = index.get(label);
    if (c === undefined) throw new Error(`label ${label} is not one of ${classes.join(', ')}`);
    documents[c] += 1;
    for (const g of gramsOf(text)) {
      let row = counts.get(g);
      if (!row) counts.set(g, (row = classes.map(() => 0)));
      row[c] += 1;
    }
  }
  const kept = [...counts.keys()].filter((g) => counts.get(g)!.reduce((a, b) => a + b, 0) >= MIN_GRAM_DOCUMENTS).sort();
  return {
    name: meta.name,
    version: meta.version,
    trainedOn: { texts: examples.length, sha256: meta.sha256 },
    classes: [...classes],
    documents,
    grams: kept.join(' '),
    counts: kept.flatMap((g) => counts.get(g)!),
  };
}

/** Turns counts into the score each run adds, once, when the table is loaded. */
export function compileTextModel<C extends string>(table: TextModelTable<C>): TextModel<C> {
  const k = table.classes.length;
  const fail = (why: string) => new Error(`${table.name} ${table.version}: ${why}`);
  if (table.documents.length !== k) throw fail(`${table.documents.length} document counts for ${k} classes`);
  const grams = table.grams ? table.grams.split(' ') : [];
  if (table.counts.length !== grams.length * k) throw fail(`${table.counts.length} counts for ${grams.length} runs of ${k} classes`);
  const total = table.documents.reduce((a, b) => a + b, 0);
  const prior = Float64Array.from(table.documents, (n) => Math.log(n + 1));
  const outsideDocs = table.documents.map((n) => Math.log(total - n + 2));
  const insideDocs = table.documents.map((n) => Math.log(n + 2));
  const runs = new RunTable(grams.length);
  const weights = new Float32Array(table.counts.length);
  for (let g = 0; g < grams.length; g++) {
    const gram = grams[g];
    if (!gram || gram.length > 3 || [...gram].some((ch) => !isHan(ch.charCodeAt(0)))) throw fail(`run "${gram}" is not one to three Han characters`);
    let seen = 0;
    for (let c = 0; c < k; c++) seen += table.counts[g * k + c];
    for (let c = 0; c < k; c++) {
      const n = table.counts[g * k + c];
      if (!Number.isInteger(n) || n < 0) throw fail(`run "${gram}" has a count that is not a whole number`);
      weights[g * k + c] = Math.log(n + SMOOTHING) - insideDocs[c] - (Math.log(seen - n + SMOOTHING) - outsideDocs[c]);
    }
    const [hi, lo] = keyOf(gram);
    runs.set(hi, lo, g);
  }
  return { table: `${table.name}@${table.version}`, classes: table.classes, prior, runs, weights, stamps: new Uint32Array(grams.length), reading: 0 };
}

/** A reading as reasons give it: `water (26.1 over air)`. */
export function describeReading(r: ModelReading): string {
  return `${r.best} (${r.margin === Infinity ? 'its only class' : `${r.margin.toFixed(1)} over ${r.second}`})`;
}

/** Every class's score for a normalised text, in the order of `classes`; null when it knows none of its runs. */
export function modelScores<C extends string>(model: TextModel<C>, text: string): Float64Array | null {
  const k = model.classes.length;
  const scores = Float64Array.from(model.prior);
  // A run counts once however often it comes: its stamp says whether this reading counted it already.
  if (++model.reading === 0xffffffff) {
    model.stamps.fill(0);
    model.reading = 1;
  }
  const stamp = model.reading;
  let known = 0;
  eachGram(text, (hi, lo) => {
    const run = model.runs.get(hi, lo);
    if (run < 0 || model.stamps[run] === stamp) return;
    model.stamps[run] = stamp;
    known += 1;
    const at = run * k;
    for (let c = 0; c < k; c++) scores[c] += model.weights[at + c];
  });
  return known ? scores : null;
}

/** The model's class for a normalised text; null when it knows none of the text's runs. */
export function readModel<C extends string>(model: TextModel<C>, text: string): ModelReading<C> | null {
  const k = model.classes.length;
  const scores = modelScores(model, text);
  if (!scores) return null;
  let best = 0;
  let second = -1;
  for (let c = 1; c < k; c++) {
    if (scores[c] > scores[best]) {
      second = best;
      best = c;
    } else if (second < 0 || scores[c] > scores[second]) second = c;
  }
  return { best: model.classes[best], margin: second < 0 ? Infinity : scores[best] - scores[second], second: second < 0 ? null : model.classes[second] };
}
