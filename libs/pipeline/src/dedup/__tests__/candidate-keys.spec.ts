import { candidateKeys, MAX_PROBED_CANDIDATES, probeDivisions, probeKeys, storeKeys, strongKey } from '../candidate-keys.util';
import { caseFeaturesOf, mergeCaseFeatures } from '../case-features.util';
import { scoreAgainstCase } from '../case-match.util';
import { extractIncidentFeatures } from '../features.util';
import { minhash } from '../minhash.util';
import type { MatchSide } from '../dedup.types';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 8, 1);

function side(text: string, extra: Partial<MatchSide> & { address?: string } = {}): MatchSide {
  const { address, ...rest } = extra;
  const f = extractIncidentFeatures({ text, address });
  return { ...f, divisionCode: '320106', category: 'air', at: T0, complainantKey: null, signature: minhash(f.shingles), ...rest };
}

function keysOf(s: MatchSide): string[] {
  return candidateKeys(s, s.signature!, s.complainantKey);
}

/** Whether a probe for `sub` reaches a case stored with `stored`'s keys under `caseDivision`. */
function reaches(sub: MatchSide, stored: MatchSide, caseDivision: string | null): boolean {
  const rows = new Set(storeKeys(caseDivision, 'air', keysOf(stored)));
  return probeKeys(sub.divisionCode, 'air', keysOf(sub), sub.divisionCandidates).some((k) => rows.has(k));
}

describe('candidate keys: the same complainant again', () => {
  it('adds the complainant as a strong key, found in every division', () => {
    const keys = keysOf(side('附近有人偷埋废渣', { complainantKey: 'tel:0a1b' }));
    expect(keys).toContain('c:tel:0a1b');
    expect(strongKey('c:tel:0a1b')).toBe(true);
    expect(keysOf(side('附近有人偷埋废渣')).some((k) => k.startsWith('c:'))).toBe(false);
  });

  it('finds a case of the same person however differently the place is given, and no one else’s', () => {
    const first = side('栖霞区幸福路的腾达建材半夜把废料拉到山沟里倒掉', { complainantKey: 'tel:0a1b' });
    const again = side('我家楼下偷埋废渣，刮风的时候粉尘乱飞', { divisionCode: null, complainantKey: 'tel:0a1b', at: T0 + 3 * DAY });
    expect(reaches(again, first, '320106')).toBe(true);
    // A report without a division opened the case; the same person later gives the county.
    expect(reaches({ ...first, at: T0 + 5 * DAY }, again, null)).toBe(true);
    expect(reaches({ ...again, complainantKey: 'tel:ffff' }, first, '320106')).toBe(false);
  });
});

describe('candidate keys: a place name found in several counties', () => {
  const located = side('西湖区文化路的宏昌塑料厂半夜冒黑烟', { divisionCode: '360103' });
  const ambiguous = side('西湖区文化路有一家塑料厂，凌晨黑烟一股股往外冒', { divisionCode: null, divisionCandidates: ['330106', '360103'], at: T0 + DAY });

  it('probes the candidate counties by every key, not only by names', () => {
    expect(probeDivisions(null, ['330106', '360103'])).toEqual([null, '330106', '360103']);
    expect(probeDivisions('320106', ['330106'])).toEqual(['320106']);
    expect(probeDivisions(null, Array.from({ length: 20 }, (_, i) => String(320101 + i)))).toHaveLength(1 + MAX_PROBED_CANDIDATES);
    expect(reaches(ambiguous, located, '360103')).toBe(true);
    expect(reaches(ambiguous, located, '320106')).toBe(false);
    expect(reaches({ ...ambiguous, divisionCandidates: [] }, located, '360103')).toBe(false);
  });

  it('keeps the candidates with a case that has no division, so a report from another county is another incident', () => {
    const named = side('西湖区农贸市场附近的宏昌塑料厂凌晨冒黑烟', { divisionCode: null, divisionCandidates: ['330106', '360103'] });
    const c = caseFeaturesOf(named);
    expect(c.divisionCandidates).toEqual(['330106', '360103']);
    const inCandidate = side('健康路宏昌塑料厂晚上冒黑烟，呛得人咳嗽', { divisionCode: '360103', at: T0 + 2 * DAY });
    expect(scoreAgainstCase(inCandidate, c).parts).toMatchObject({ division: 'unknown', divisionCandidate: true, entity: 'same' });
    expect(scoreAgainstCase(inCandidate, c).decision).toBe('auto');
    expect(scoreAgainstCase({ ...inCandidate, divisionCode: '320106' }, c).decision).toBe('none');
    // Once a member gives the county, the case has a division and no candidates.
    const grown = mergeCaseFeatures(c, inCandidate);
    expect([grown.divisionCode, grown.divisionCandidates]).toEqual(['360103', undefined]);
    expect(JSON.parse(JSON.stringify(grown))).toEqual(grown);
  });
});

describe('candidate keys: where band keys are probed', () => {
  const keys = ['b00:1a2b3c4d', 'g:smoke', 'e:金鹏化工'];

  it('probes bands in the own division and the divisions inside it, anchors also in the enclosing blocks', () => {
    const county = probeKeys('320106', 'air', keys);
    expect(county).toContain('air|=320106|b00:1a2b3c4d');
    expect(county.filter((k) => k.endsWith('|b00:1a2b3c4d'))).toEqual(['air|=320106|b00:1a2b3c4d']);
    expect(county).toEqual(expect.arrayContaining(['air|=320100|g:smoke', 'air|=320000|g:smoke', 'air|=320100|e:金鹏化工']));

    const city = probeKeys('320100', 'air', keys).filter((k) => k.endsWith('|b00:1a2b3c4d'));
    expect(city.sort()).toEqual(['air|<320100|b00:1a2b3c4d', 'air|=320100|b00:1a2b3c4d']);
  });

  it('still finds a city-level case of the same text through its other keys', () => {
    const text = '鼓楼区中山北路的金鹏化工厂每天晚上排放刺鼻废气';
    const atCity = side(text, { divisionCode: '320100' });
    const atCounty = side(text, { divisionCode: '320106', at: T0 + DAY });
    expect(reaches(atCounty, atCity, '320100')).toBe(true);
  });
});
