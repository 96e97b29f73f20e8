/**
 * Full-width ASCII (０-９, Ａ-Ｚ, －, ＋ …) to half-width. Agents and IMEs type full-width digits into ids,
 * phones and dates; the text of a complaint itself is left as given.
 */
export function toHalfWidth(value: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) {
      out += String.fromCharCode(c - 0xfee0);
      changed = true;
    } else if (c === 0x3000) {
      out += ' ';
      changed = true;
    } else {
      out += value[i];
    }
  }
  return changed ? out : value;
}

export function hasFullWidth(value: string): boolean {
  return /[\uff01-\uff5e\u3000]/.test(value);
}
