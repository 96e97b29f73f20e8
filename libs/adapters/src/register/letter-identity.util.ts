import { createHash } from 'node:crypto';
import { toHalfWidth } from '../tabular/width.util';

export interface LetterIdentityParts {
  /** 来信人 */
  sender: string | null | undefined;
  /** 来信日期, ISO (only the date part counts) or as written. */
  date: string | null | undefined;
  /** 原件扫描文件名: names of the scanned pages. */
  scanFiles: readonly string[] | string | null | undefined;
}

/** Splits a 原件扫描文件名 cell: names separated by ; , 、 or line breaks. */
export function splitScanFiles(value: string | null | undefined): string[] {
  if (!value) return [];
  return toHalfWidth(value)
    .split(/[;；,，、\r\n]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A stable identity for one physical letter: sender + date + scanned file names. The same letter registered
 * twice under two numbers has the same identity, so the importer folds the second into the first (its number
 * joins the first's refs). Null without scan file names: sender and date alone would fold two different
 * letters from one person on one day. Hashed, because the key is stored and the sender is confidential.
 */
export function letterIdentity(parts: LetterIdentityParts): string | null {
  const files = (typeof parts.scanFiles === 'string' ? splitScanFiles(parts.scanFiles) : [...(parts.scanFiles ?? [])])
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean)
    .sort();
  if (!files.length) return null;
  const sender = toHalfWidth(parts.sender ?? '').replace(/\s+/g, '');
  const date = (parts.date ?? '').slice(0, 10);
  const digest = createHash('sha256').update(`${sender}\u0000${date}\u0000${files.join('\u0000')}`).digest('hex');
  return `letter:${digest.slice(0, 32)}`;
}
