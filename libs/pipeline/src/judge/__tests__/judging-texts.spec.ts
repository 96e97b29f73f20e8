import * as path from 'node:path';
import { judge } from '../judge';
import { defaultStages } from '../default-stages';
import { readLabelledTexts, scoreTexts, submissionOf } from './labelled-texts.util';

/**
 * The bundled rule tables, text models and division data against 13,140 labelled complaint texts written apart from the
 * sample corpus the tables were first drawn from: other voices (hotline summaries, letters, dialect, 繁體,
 * English with pinyin places, social posts with slang and typos, long rambling letters, formal transfers,
 * regional speech, texts on the sample corpus's own templates with new places and names, several places or
 * problems in one text, the rarer categories and their borders, English and mixed writing by foreign
 * residents, a week of one province's intake, a month of a national desk, problems told by what people see,
 * smell and hear, hard places in the west and renamed counties, one incident retold on every channel, a
 * prefecture bureau's month, messages at the edge of valid, out of scope and invalid, a second month of the
 * sample intake, residents in their own words, hotline speech-recognition transcripts, formal letters and
 * transfer slips, the countryside, coasts and mines, social-media posts, a city bureau's week, short phone messages,
 * the border of the department's duties, a province's fortnight, Traditional, English and mixed writing, two provinces' month, the municipalities, islands and plateaus, a month of messy inbox traffic with follow-ups, a county bureau's ordinary month, one incident reported again and again), other industries, greetings and
 * adverts, other departments' matters. A rule change that costs more than a few of them fails here;
 * scripts/dev/text-eval.ts lists what it gets wrong. The text models learn from these same texts, so what
 * they add on unseen wording is measured apart, in text-models.table.spec.ts.
 */
describe('judging on labelled texts', () => {
  const rows = readLabelledTexts(path.join(__dirname, 'fixtures/judging-texts.jsonl'));
  const stages = defaultStages();
  const score = scoreTexts(rows, (r) => judge({ submission: submissionOf(r) }, stages));
  const share = (s: { right: number; total: number }) => s.right / s.total;

  it('covers every validity, category and kind of place', () => {
    expect(rows.length).toBeGreaterThan(1000);
    expect(new Set(rows.map((r) => r.expect.validity))).toEqual(new Set(['valid', 'out_of_scope', 'invalid']));
    expect(new Set(rows.filter((r) => r.expect.category).map((r) => r.expect.category)).size).toBe(9);
    expect(rows.some((r) => r.expect.division_candidates?.length)).toBe(true);
  });

  it('decides validity right for at least 97% of them', () => {
    expect(share(score.validity)).toBeGreaterThanOrEqual(0.97);
  });

  it('names the category of at least 94% of the valid ones', () => {
    expect(share(score.category)).toBeGreaterThanOrEqual(0.94);
  });

  it('places at least 95% of those not refused at the right division and level', () => {
    expect(share(score.division)).toBeGreaterThanOrEqual(0.95);
  });
});
