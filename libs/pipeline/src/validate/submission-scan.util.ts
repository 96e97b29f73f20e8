/**
 * Reads a submission's words once for both judging stages: strips markup, normalises, runs the rule
 * automaton, and marks negated hits ("不是噪音问题"). The result is cached per submission object and rule
 * set, so validate followed by classify scans the text a single time.
 */
import type { Submission } from '@huiliu/contracts';
import { DEFAULT_RULE_SET, type RuleSet, type TermRef } from './rule-set.loader';
import { normalizeForRules } from './text-normalize.util';

export interface ScanHit {
  ref: TermRef;
  start: number;
  end: number;
  /** A negation cue of the same clause stands just before the term. */
  negated: boolean;
}

export interface SubmissionScan {
  /** Normalised title + body that the rules read. */
  text: string;
  /** Where the body starts in `text` (the title comes first). */
  bodyStart: number;
  hits: ScanHit[];
  /** The body held markup (HTML tags, script) that was removed before reading. */
  hadMarkup: boolean;
  /** The body held a script block or an inline event handler. */
  hadScript: boolean;
}

const SCRIPT_BLOCK = /<(script|style)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;
const TAG = /<\/?[a-z][^>]*>/gi;
const EVENT_HANDLER = /\bon[a-z]+\s*=|javascript:/i;
const ENTITY = /&(nbsp|amp|lt|gt|quot|#\d+);/gi;
const CLAUSE_BREAK = /[,.;!?，。；！？\n\r]/;

function decodeEntity(_m: string, name: string): string {
  switch (name.toLowerCase()) {
    case 'nbsp':
      return ' ';
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    default:
      return String.fromCharCode(Number(name.slice(1)));
  }
}

/** Removes scripts, styles and tags; what remains is what a person would read. */
export function stripMarkup(text: string): { text: string; hadMarkup: boolean; hadScript: boolean } {
  if (!text.includes('<') && !text.includes('&')) return { text, hadMarkup: false, hadScript: false };
  const hadScript = /<script\b/i.test(text) || (TAG.test(text) && EVENT_HANDLER.test(text));
  TAG.lastIndex = 0;
  const stripped = text.replace(SCRIPT_BLOCK, ' ').replace(TAG, ' ').replace(ENTITY, decodeEntity);
  return { text: stripped, hadMarkup: stripped !== text, hadScript };
}

const cache = new WeakMap<Submission, { rules: RuleSet; scan: SubmissionScan }>();

export function scanSubmission(submission: Submission, rules: RuleSet = DEFAULT_RULE_SET): SubmissionScan {
  const cached = cache.get(submission);
  if (cached && cached.rules === rules) return cached.scan;

  const title = submission.title ? stripMarkup(submission.title).text : '';
  const body = stripMarkup(submission.text ?? '');
  const head = title.trim() ? `${normalizeForRules(title)}\n` : '';
  const text = head + normalizeForRules(body.text);

  const negationWindow = rules.validity.negation.window;
  const raw = rules.matcher.scan(text);
  const negationEnds: number[] = [];
  for (const h of raw) if (rules.refs[h.term][0].group.kind === 'negation' && !askedNotDenied(text, h.start)) negationEnds.push(h.end);

  const workplaces = workplaceSpans(text);
  const hits: ScanHit[] = [];
  for (const h of raw) {
    if (!standsAsWord(text, h.start, h.end)) continue;
    let negated = false;
    for (const end of negationEnds) {
      if (end > h.start || h.start - end > negationWindow) continue;
      if (!CLAUSE_BREAK.test(text.slice(end, h.start))) negated = true;
    }
    // Inside the name of a workplace or a place, an environmental word says where, not what is polluted.
    const namesWhere = workplaces.some(([from, to]) => h.start >= from && h.end <= to) || insidePlaceName(text, h.start, h.end);
    for (const ref of rules.refs[h.term]) {
      const environmental = ref.group.kind === 'category' || ref.group.kind === 'general';
      hits.push({ ref, start: h.start, end: h.end, negated: negated || (namesWhere && environmental) });
    }
  }
  const scan: SubmissionScan = { text, bodyStart: head.length, hits, hadMarkup: body.hadMarkup, hadScript: body.hadScript };
  cache.set(submission, { rules, scan });
  return scan;
}

/**
 * "在一家污水处理厂做运维", "在某化工厂上班": the plant where the writer works. Its name says where, not what
 * is polluted, so the environmental words inside it do not count (what the plant is said to do still does).
 */
const WORKPLACE = /在(?:一家|一个|某|这家|那家|该)?([\p{Script=Han}a-z]{1,10}?(?:厂|站|公司|场|中心|企业|工地|园区))(?:里|内)?(?:做|从事|工作|上班|打工|干活|当|任职)/gu;
/** "应聘了呈贡区污水处理厂的操作工", "有个污水处理厂招操作工": a job at the plant, not the plant's pollution. */
const JOB_AT = /(?:应聘了?|应聘到)([\p{Script=Han}a-z]{1,12}?(?:厂|站|公司|场|中心|企业))|([\p{Script=Han}a-z]{1,10}?(?:厂|站|公司|场|中心|企业))(?=招聘?(?:操作工|工人|员工|保安|司机|临时工|化验员))/gu;

function workplaceSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const re of [WORKPLACE, JOB_AT]) {
    for (const m of text.matchAll(re)) {
      const plant = m[1] ?? m[2];
      const from = m.index! + m[0].indexOf(plant);
      spans.push([from, from + plant.length]);
    }
  }
  return spans;
}

/**
 * "小溪塔街道", "黑水村": a short environmental word that begins a township's or village's name names the place,
 * not what is polluted there.
 */
function insidePlaceName(text: string, start: number, end: number): boolean {
  return end - start <= 2 && /^[塔坝河沟湾口桥坪岗庄岭山湖溪屯堡寨]?(?:街道|镇|乡|村)/.test(text.slice(end, end + 3));
}

/** 是不是 / 是否 ask, they do not deny: 是不是水源被污染了 suspects the water source. */
function askedNotDenied(text: string, start: number): boolean {
  return text.startsWith('不是', start) && text[start - 1] === '是';
}

const isLatinAlnum = (code: number) => (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
/** What may follow a Latin term in the same word: inflections (noises, dumped, dumping, smelly). */
const LATIN_SUFFIXES = new Set(['', 's', 'es', 'd', 'ed', 'ing', 'y', 'er', 'ers']);

/**
 * Chinese is written without spaces, so a Chinese term matches anywhere; a Latin one only as a word, or as
 * the stem of an inflected one: `sea` is not in research or season, `led` not in called, `5g` not in a
 * run of base64.
 */
function standsAsWord(text: string, start: number, end: number): boolean {
  if (isLatinAlnum(text.charCodeAt(start)) && start > 0 && isLatinAlnum(text.charCodeAt(start - 1))) return false;
  if (!isLatinAlnum(text.charCodeAt(end - 1))) return true;
  let after = end;
  while (after < text.length && isLatinAlnum(text.charCodeAt(after)) && after - end <= 3) after++;
  return LATIN_SUFFIXES.has(text.slice(end, after).toLowerCase());
}

/** Letters, digits and CJK ideographs: what counts as saying something. */
export function isMeaningfulChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x3400 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff)
  );
}
