/**
 * Separating the complainant's own words from quoted replies, and recovering a forwarded complaint.
 *
 * A reply to the bureau's acknowledgement quotes the acknowledgement ("> " lines, "-----原始邮件-----",
 * "在 … 写道：", "On … wrote:"); only the new words are the complaint. A forward is the opposite: a
 * neighbourhood office forwards a resident's mail, and the forwarded text IS the complaint, with the
 * forwarder's note (if any) in front of it.
 */

export interface SeparatedText {
  /** The text to judge: own words of a reply, or note + forwarded text of a forward. */
  text: string;
  /** What was cut away as quotation (replies only). */
  quoted: string | null;
  forwarded: boolean;
  /** The forwarder's own note above a forwarded message. */
  forwardNote: string | null;
  /** The forwarded message's header block (From/Date/Subject lines) as written. */
  forwardedHeaders: Record<string, string> | null;
}

const FORWARD_SUBJECT = /^\s*(?:\[[^\]]{0,40}\]\s*)?(?:(?:re|回复|答复)\s*[:：]\s*)*(?:fwd?|fw|转发|转寄|转)\s*[:：]/i;
const REPLY_SUBJECT = /^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|回复|答复|aw|sv)\s*[:：]/i;

// Separator lines that start a forwarded message whatever the subject says.
const FORWARD_MARKERS = [
  /^-{2,}\s*forwarded message\s*-{2,}$/i,
  /^begin forwarded message\s*[:：]?$/i,
  /^-{2,}\s*(?:转发邮件信息|转发的邮件|转发邮件|forwarded message|原始转发邮件)\s*-{2,}$/i,
  /^={3,}\s*(?:转发邮件|forwarded message)\s*={3,}$/i,
];
// Separator lines that start a quoted original. In a forward they start the forwarded message instead
// (QQ Mail and Outlook use the same "原始邮件"/"Original Message" line for both).
const ORIGINAL_MARKERS = [
  /^-{2,}\s*(?:原始邮件|原邮件|original message|原始信息|回复的原邮件)\s*-{2,}$/i,
  /^_{5,}$/,
];
const WROTE_LINE = [/^在.{0,120}写道\s*[:：]?\s*$/, /^on\s.{0,200}\bwrote\s*:?\s*$/i, /^.{1,120}于\s*\d{4}.{0,60}(?:写道|wrote)\s*[:：]?\s*$/];
const HEADER_LINE = /^\*?\s*(from|to|cc|date|sent|subject|发件人|收件人|抄送|日期|发送时间|时间|主题|reply-to)\s*\*?\s*[:：]/i;

function norm(line: string): string {
  return line.replace(/[\u00a0\u3000]/g, ' ').trim();
}

function isQuoteLine(line: string): boolean {
  return /^\s*>/.test(line);
}

function unquote(line: string): string {
  return line.replace(/^\s*>\s?/, '');
}

/** An Outlook-style header block: a From line followed within a few lines by Sent/Date and To/Subject. */
function isHeaderBlockStart(lines: string[], i: number): boolean {
  if (!/^\*?\s*(from|发件人)\s*\*?\s*[:：]/i.test(norm(lines[i]))) return false;
  let seen = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_LINE.test(norm(lines[j]))) seen++;
  return seen >= 2;
}

function wroteLineAt(lines: string[], i: number): number {
  const l = norm(lines[i]);
  if (WROTE_LINE.some((r) => r.test(l))) return 1;
  // Clients wrap a long attribution line: "在 2024年9月3日 … <a@b>" / "写道：" on the next line.
  if (i + 1 < lines.length && (/^在\s/.test(l) || /^on\s/i.test(l)) && l.length < 200) {
    const joined = `${l} ${norm(lines[i + 1])}`;
    if (WROTE_LINE.some((r) => r.test(joined))) return 2;
  }
  return 0;
}

function findMarker(lines: string[], markers: RegExp[]): number {
  for (let i = 0; i < lines.length; i++) if (markers.some((r) => r.test(norm(lines[i])))) return i;
  return -1;
}

/** The first line where a quoted original starts (separator, attribution, header block), or -1. */
function findReplyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const l = norm(lines[i]);
    if (ORIGINAL_MARKERS.some((r) => r.test(l)) || FORWARD_MARKERS.some((r) => r.test(l))) return i;
    if (wroteLineAt(lines, i) > 0) return i;
    if (isHeaderBlockStart(lines, i)) return i;
  }
  return -1;
}

function tidy(lines: string[]): string {
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Strips a forwarded message's header block and returns it as fields. */
function takeHeaderBlock(lines: string[]): { headers: Record<string, string> | null; rest: string[] } {
  let i = 0;
  while (i < lines.length && !norm(lines[i])) i++;
  const headers: Record<string, string> = {};
  let any = false;
  while (i < lines.length) {
    const l = norm(lines[i]);
    const m = HEADER_LINE.exec(l);
    if (!m) break;
    headers[m[1].toLowerCase()] = l.slice(m[0].length).trim();
    any = true;
    i++;
  }
  return { headers: any ? headers : null, rest: lines.slice(i) };
}

export function separateQuoted(body: string, subject: string | null): SeparatedText {
  const lines = body.split('\n');
  const forwardBySubject = subject !== null && FORWARD_SUBJECT.test(subject);
  const forwardMarker = findMarker(lines, FORWARD_MARKERS);

  if (forwardBySubject || forwardMarker >= 0) {
    const start = forwardMarker >= 0 ? forwardMarker : findReplyStart(lines);
    if (start >= 0) {
      const note = tidy(lines.slice(0, start).filter((l) => !isQuoteLine(l)));
      const { headers, rest } = takeHeaderBlock(lines.slice(start + 1));
      const allQuoted = rest.filter((l) => norm(l)).every(isQuoteLine);
      const forwardedText = tidy(allQuoted ? rest.map(unquote) : rest);
      return {
        text: [note, forwardedText].filter(Boolean).join('\n\n'),
        quoted: null,
        forwarded: true,
        forwardNote: note || null,
        forwardedHeaders: headers,
      };
    }
    // "Fwd:" with the original quoted inline as "> " lines and no separator.
    if (lines.some(isQuoteLine)) {
      const note = tidy(lines.filter((l) => !isQuoteLine(l)));
      const { headers, rest } = takeHeaderBlock(lines.filter(isQuoteLine).map(unquote));
      const forwardedText = tidy(rest);
      return { text: [note, forwardedText].filter(Boolean).join('\n\n'), quoted: null, forwarded: true, forwardNote: note || null, forwardedHeaders: headers };
    }
    return { text: tidy(lines), quoted: null, forwarded: forwardBySubject, forwardNote: null, forwardedHeaders: null };
  }

  const start = findReplyStart(lines);
  const head = start >= 0 ? lines.slice(0, start) : lines;
  const tail = start >= 0 ? lines.slice(start) : [];
  const own = head.filter((l) => !isQuoteLine(l));
  const quotedLines = [...head.filter(isQuoteLine), ...tail];
  if (!quotedLines.some((l) => norm(l))) return { text: tidy(lines), quoted: null, forwarded: false, forwardNote: null, forwardedHeaders: null };
  const ownText = tidy(own);
  // A message that is nothing but a quotation and is no reply (no "Re:") keeps its text: it is more likely a
  // pasted complaint than a reply with nothing new, and the validate stage can still judge it.
  if (!ownText && !(subject !== null && REPLY_SUBJECT.test(subject))) {
    return { text: tidy(lines.map(unquote)), quoted: null, forwarded: false, forwardNote: null, forwardedHeaders: null };
  }
  return { text: ownText, quoted: tidy(quotedLines), forwarded: false, forwardNote: null, forwardedHeaders: null };
}
