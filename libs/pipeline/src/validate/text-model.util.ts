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
  runs: Map<number, number>;
  /** Per run, what its presence adds to each class's score. */
  weights: Float64Array;
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

/**
 * A run's key as a number: no strings are cut out of the text while reading it. A single character is its
 * code, two are offset past every single one, three past every pair (UTF-16 code units; all below 2^53).
 */
const key1 = (a: number) => a;
const key2 = (a: number, b: number) => 0x10000 + a * 0x10000 + b;
const key3 = (a: number, b: number, c: number) => 0x100000000 * (a + 1) + b * 0x10000 + c;

function keyOf(gram: string): number {
  const c = (i: number) => gram.charCodeAt(i);
  return gram.length === 1 ? key1(c(0)) : gram.length === 2 ? key2(c(0), c(1)) : key3(c(0), c(1), c(2));
}

/**
 * Calls `visit` with every run of a text the rules have normalised (simplified, half-width, lower case):
 * each Han character alone, and every two and three in a row. A run may come more than once.
 */
function eachGram(text: string, visit: (key: number, start: number, length: number) => void): void {
  let p1 = -1; // code of the previous word character, -1 after a separator
  let p2 = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isHan(code)) {
      p1 = p2 = -1;
      continue;
    }
    visit(key1(code), i, 1);
    if (p1 >= 0) visit(key2(p1, code), i - 1, 2);
    if (p2 >= 0) visit(key3(p2, p1, code), i - 2, 3);
    p2 = p1;
    p1 = code;
  }
}

/** The distinct runs of a normalised text. */
export function gramsOf(text: string): Set<string> {
  const out = new Set<string>();
  eachGram(text, (_k, start, length) => out.add(text.slice(start, start + length)));
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
  const runs = new Map<number, number>();
  const weights = new Float64Array(table.counts.length);
  for (let g = 0; g < grams.length; g++) {
    const gram = grams[g];
    if (!gram || gram.length > 3) throw fail(`run "${gram}" is not one to three characters`);
    let seen = 0;
    for (let c = 0; c < k; c++) seen += table.counts[g * k + c];
    for (let c = 0; c < k; c++) {
      const n = table.counts[g * k + c];
      if (!Number.isInteger(n) || n < 0) throw fail(`run "${gram}" has a count that is not a whole number`);
      weights[g * k + c] = Math.log(n + SMOOTHING) - insideDocs[c] - (Math.log(seen - n + SMOOTHING) - outsideDocs[c]);
    }
    runs.set(keyOf(gram), g);
  }
  return { table: `${table.name}@${table.version}`, classes: table.classes, prior, runs, weights, stamps: new Uint32Array(grams.length), reading: 0 };
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
  eachGram(text, (key) => {
    const run = model.runs.get(key);
    if (run === undefined || model.stamps[run] === stamp) return;
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
