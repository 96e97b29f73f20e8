import * as OpenCC from 'opencc-js';

/**
 * Name handling for GB/T 2260 divisions: text normalization (full-width forms, traditional script) and the
 * short forms people write instead of official names ("深圳宝安" for 深圳市宝安区).
 */

let toSimplified: ((s: string) => string) | null = null;

/** NFKC (full-width digits and letters), traditional → simplified, no whitespace. */
export function normalizeText(text: string): string {
  return simplified(text).replace(/\s+/g, '');
}

function simplified(text: string): string {
  if (!toSimplified) toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
  return toSimplified(text.normalize('NFKC'));
}

/**
 * normalizeText, and where the spaces it removed stood (positions in the result): a space parts words the way
 * punctuation does (好几车 增城), though names are read across it (南京 市).
 */
export function normalizeTextKeepingBreaks(text: string): { text: string; breaks: Set<number> } {
  const breaks = new Set<number>();
  let out = '';
  for (const part of simplified(text).split(/\s+/)) {
    if (out && part) breaks.add(out.length);
    out += part;
  }
  return { text: out, breaks };
}

/** Ethnic group names that official names carry before 自治州/自治县/自治旗 (longest first when stripping). */
const ETHNIC = [
  '柯尔克孜', '维吾尔', '达斡尔', '鄂温克', '鄂伦春', '哈萨克', '塔吉克', '仡佬', '仫佬', '毛南', '纳西', '拉祜', '布朗',
  '阿昌', '普米', '独龙', '基诺', '德昂', '撒拉', '保安', '东乡', '裕固', '锡伯', '土家', '朝鲜', '布依', '哈尼', '景颇',
  '傈僳', '蒙古', '各族', '满', '土', '苗', '藏', '羌', '彝', '侗', '壮', '傣', '白', '回', '瑶', '黎', '畲', '水', '佤', '怒',
  '京',
].sort((a, b) => b.length - a.length);

function stripEthnic(stem: string): string {
  let s = stem;
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of ETHNIC) {
      for (const form of [`${e}族`, e]) {
        if (s.endsWith(form) && s.length - form.length >= 2) {
          s = s.slice(0, -form.length);
          changed = true;
          break;
        }
      }
      if (changed) break;
    }
  }
  return s;
}

export function provinceShortForms(name: string): string[] {
  const stem = name.replace(/(省|市|特别行政区|自治区)$/, '');
  const short = stripEthnic(stem);
  return unique([short].filter((s) => s !== name && s.length >= 2));
}

export function cityShortForms(name: string): string[] {
  if (/自治州$/.test(name)) {
    const stem = stripEthnic(name.slice(0, -3));
    return unique([stem, `${stem}州`].filter((s) => s.length >= 2));
  }
  const m = name.match(/^(.{2,}?)(市|地区|盟)$/);
  return m ? [m[1]] : [];
}

/** "宝安区" → 宝安; "孟村回族自治县" → 孟村, 孟村县; one-character stems are never used (区, 县 alone say nothing). */
export function countyShortForms(name: string): string[] {
  const auto = name.match(/^(.+?)(自治县|自治旗)$/);
  if (auto) {
    const stem = stripEthnic(auto[1]);
    return unique([stem, `${stem}${auto[2] === '自治县' ? '县' : '旗'}`].filter((s) => s.length >= 2 && s !== name));
  }
  // 神农架林区 is 神农架; 万柏林区 is 万柏林, not 万柏.
  const m = name.match(/^(.{3,})林区$/) ?? name.match(/^(.{2,}?)(新区|特区|区|县|市|旗)$/);
  if (!m) return [];
  // "管城回族区" is written 管城区 and 管城: the people's name in the middle drops out.
  const plain = /族$/.test(m[1]) ? stripEthnic(m[1]) : m[1];
  return plain !== m[1] && plain.length >= 2 ? unique([m[1], `${plain}${m[2]}`, plain]) : [m[1]];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
