/**
 * HTML mail body to plain text: what a reader would see, without markup, scripts or styles.
 * Not a full HTML parser: mail HTML is read once, by a person or a classifier, and only needs to be legible.
 * Blockquotes become "> " lines so that quoted replies in HTML mail are separated like plain-text ones.
 */

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’',
  mdash: '—', ndash: '–', hellip: '…', middot: '·', bull: '•', copy: '©', reg: '®', trade: '™', times: '×',
  divide: '÷', yen: '¥', deg: '°', plusmn: '±', laquo: '«', raquo: '»', emsp: ' ', ensp: ' ', thinsp: ' ',
  zwj: '', zwnj: '', shy: '', sup2: '²', sup3: '³', micro: 'µ', para: '¶', sect: '§', euro: '€', cent: '¢',
  pound: '£', le: '≤', ge: '≥', ne: '≠', rarr: '→', larr: '←', uarr: '↑', darr: '↓', permil: '‰',
};

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      // Surrogates, NUL and out-of-range references are dropped rather than producing broken text.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()];
    return named ?? whole;
  });
}

const QUOTE_OPEN = '\u0002';
const QUOTE_CLOSE = '\u0003';
const BLOCK = '\u0004';
const BLOCK_TAGS = 'p|div|tr|li|ul|ol|table|h[1-6]|section|article|header|footer|pre|dl|dt|dd|center|address|form|fieldset|hr';

export function htmlToText(html: string): string {
  let s = html.replace(/[\u0002-\u0004]/g, '');
  // Whole elements whose content is never shown.
  s = s.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ');
  s = s.replace(/<(script|style|head|title|noscript|template|object|iframe|svg)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ');
  s = s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ' ').replace(/<![^>]*>/g, ' ').replace(/<\?[^>]*>/g, ' ');
  // Source line breaks are not rendered; block elements make the breaks.
  s = s.replace(/[\r\n\t]+/g, ' ');
  s = s.replace(/<blockquote\b[^>]*>/gi, `\n${QUOTE_OPEN}`).replace(/<\/blockquote\s*>/gi, `${QUOTE_CLOSE}\n`);
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  s = s.replace(/<li\b[^>]*>/gi, `${BLOCK}• `);
  s = s.replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), BLOCK);
  // Adjacent block boundaries (</p><div>) make one line break, not a blank line per tag.
  s = s.replace(/(?:[ \t]*\u0004[ \t]*)+/g, BLOCK).replace(/\n?\u0004\n?/g, '\n');
  s = s.replace(/<\/t[dh]\s*>/gi, ' ');
  s = s.replace(/<[a-zA-Z/][^>]*>/g, '');
  s = decodeHtmlEntities(s);

  // Prefix lines inside blockquotes with "> " per nesting level.
  let depth = 0;
  const out: string[] = [];
  for (const rawLine of s.split('\n')) {
    let line = '';
    let lineDepth = depth;
    for (const ch of rawLine) {
      if (ch === QUOTE_OPEN) depth++;
      else if (ch === QUOTE_CLOSE) depth = Math.max(0, depth - 1);
      else line += ch;
      lineDepth = Math.max(lineDepth, depth);
    }
    line = line.replace(/[ \u00a0\u3000]{2,}/g, ' ').trim();
    if (!line && lineDepth === 0) {
      out.push('');
      continue;
    }
    out.push(lineDepth > 0 ? `${'> '.repeat(lineDepth)}${line}`.trimEnd() : line);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** True when a text/plain part is only a stub saying the mail is HTML (so the HTML part is the real body). */
export function looksLikeHtmlStub(text: string): boolean {
  const t = text.trim();
  return t.length === 0 || (t.length < 200 && /(html|超文本|请使用.*(客户端|浏览器))/i.test(t) && !/[。，]/.test(t.replace(/请使用.*$/, '')));
}
