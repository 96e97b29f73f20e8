import { parseSubmission, type Judgement } from '@huiliu/contracts';
import { exactCaseKey, normalizeText } from '../case-key';

const judgement = (code: string | null, category: string | null, status: 'accepted' | 'rejected' = 'accepted'): Judgement =>
  ({
    validity: { status, reason: null, referral: null, flags: [], reasons: [] },
    division: { code, level: code ? 'county' : null, candidates: [], township: null, basin: null, flags: [], reasons: [] },
    category: { categories: category ? [category] : [], primary: category, reasons: [] },
  }) as Judgement;

const sub = (text: string) => parseSubmission({ schemaVersion: 1, channelType: 'web', ref: 'r', text });

describe('exact case key', () => {
  it('ignores width, punctuation and spacing', () => {
    expect(normalizeText('化工厂 排放黑烟，ＡＢＣ！')).toBe(normalizeText('化工厂排放黑烟abc'));
    expect(exactCaseKey(sub('化工厂 排放黑烟！'), judgement('320106', 'air'))).toBe(exactCaseKey(sub('化工厂排放黑烟'), judgement('320106', 'air')));
  });

  it('keeps identical words about different places, or different categories, apart', () => {
    const a = exactCaseKey(sub('化工厂排放黑烟'), judgement('320106', 'air'));
    expect(exactCaseKey(sub('化工厂排放黑烟'), judgement('320105', 'air'))).not.toBe(a);
    expect(exactCaseKey(sub('化工厂排放黑烟'), judgement('320106', 'water'))).not.toBe(a);
    expect(exactCaseKey(sub('化工厂排放污水'), judgement('320106', 'air'))).not.toBe(a);
  });

  it('opens no case for what is not accepted', () => {
    expect(exactCaseKey(sub('你好'), judgement(null, null, 'rejected'))).toBeNull();
  });
});
