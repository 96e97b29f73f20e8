/**
 * Keyboard mash, digit strings and one character held down ("sdkjf ewoiru xcmvn", "asdfghjkl;'", "1111111111",
 * "啊啊啊啊"): bodies that hold no word at all. Term tables cannot list them, so their shape decides: a Latin
 * word with no vowel or with five consonants in a row cannot be read aloud (the rare real ones, "strengths",
 * stay a minority of any sentence), and a body of digits alone says nothing.
 */

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
/** Sounds, not words: a run of them beside keyboard mash ("asdfjkl 噢噢噢噢") adds nothing to read. */
const INTERJECTIONS = /^[啊哦噢嗯呃哈额唉呀喔哎嘿嘻呵]+$/;
const LATIN_WORD = /[a-z]+/gi;
const VOWEL = /[aeiouy]/i;
const CONSONANT_RUN = /[bcdfghjklmnpqrstvwxz]{5}/i;
/** Letters typed along one keyboard row (qwe, asdf, zxcv): mash, though some have a vowel. */
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const alongKeyboard = (w: string): boolean => KEYBOARD_ROWS.some((row) => row.includes(w.toLowerCase()));
/** Zhuyin symbols typed on their own (ㄅㄆㄇㄈ) spell nothing without the characters they annotate. */
const BOPOMOFO = /[\u3100-\u312f\u31a0-\u31bf]+/g;
/** Shorter words are too often abbreviations (KTV, PM, TV) to say anything. */
const MIN_WORD = 3;

/** Why the body reads as nothing, or null when it may be words. */
export function illegibleShape(body: string): string | null {
  const chars = body.replace(/[^\p{L}\p{N}]/gu, '');
  if (chars.length >= 3 && [...chars].every((c) => c === chars[0])) return 'one character repeated';
  const zhuyin = (body.match(BOPOMOFO) ?? []).length;
  const rest = body
    .replace(HAN_RUN, (run) => (INTERJECTIONS.test(run) || (run.length >= 3 && [...run].every((c) => c === run[0])) ? ' ' : run))
    .replace(BOPOMOFO, ' ');
  if (HAN.test(rest)) return null;
  // Sounds with no Latin or Zhuyin beside them ("哈哈哈") are left to the term tables.
  if (rest !== body && !zhuyin && !/[a-z]{3}/i.test(rest)) return null;
  const words = (rest.match(LATIN_WORD) ?? []).filter((w) => w.length >= MIN_WORD);
  if (words.length === 0 && !zhuyin) {
    if (/[a-z]/i.test(rest)) return null;
    return (rest.match(/\d/g) ?? []).length >= 3 ? 'digits only' : null;
  }
  const unreadable = words.filter((w) => !VOWEL.test(w) || CONSONANT_RUN.test(w) || alongKeyboard(w)).length + zhuyin;
  const total = words.length + zhuyin;
  return unreadable * 2 > total ? `${unreadable} of ${total} words unpronounceable` : null;
}
