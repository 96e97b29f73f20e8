/** Delimiters seen in real exports: comma (CSV), tab (Excel "Unicode text"), semicolon (European locales), pipe. */
export const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'] as const;

/**
 * Picks the delimiter that splits the most sample lines into the same number of cells. Title lines above
 * the header have no delimiters and so do not vote; quoted text is ignored so commas inside 举报内容 do not
 * count. Ties go to the comma.
 */
export function detectDelimiter(sample: string): string {
  const lines = sampleLines(sample, 50);
  let best: string = ',';
  let bestScore = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    const counts = new Map<number, number>();
    for (const line of lines) {
      const n = countOutsideQuotes(line, d);
      if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    let score = 0;
    for (const [perLine, lineCount] of counts) score = Math.max(score, lineCount * 100 + perLine);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/** Physical lines of the sample, joining lines that sit inside a quoted field. */
function sampleLines(sample: string, max: number): string[] {
  const lines: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < sample.length && lines.length < max; i++) {
    const c = sample[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) {
      if (i > start) lines.push(sample.slice(start, i));
      start = i + 1;
    }
  }
  return lines;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === d) n++;
  }
  return n;
}
