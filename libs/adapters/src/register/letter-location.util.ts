/**
 * Letters often say only "其住所附近…" or "家门口的…": the place is the sender's own address. These tell
 * whether a summary names a place of its own, or points at the sender's home (or names nothing).
 */

/** Administrative and street-level place words. */
const PLACE_WORD = /[省市区县镇乡村旗盟州]|街道|[路街巷弄]|社区|小区|大道|工业园|开发区|园区/;
/** Phrases that refer to the sender's own home. */
const HOME_REFERENCE = /(其|我|我们|本人|自己)?(住所|住处|居住地|家门口|家附近|家旁边|家对面|家楼下|住的地方|家里)/;

export function summaryPointsAtHome(summary: string): boolean {
  return HOME_REFERENCE.test(summary);
}

export function summaryNamesPlace(summary: string): boolean {
  return PLACE_WORD.test(summary);
}

/** The letter's location clue: the sender's address when the summary points at home or names no place. */
export function letterLocationAddress(summary: string, returnAddress: string | null): string | null {
  if (!returnAddress) return null;
  return summaryPointsAtHome(summary) || !summaryNamesPlace(summary) ? returnAddress : null;
}
