import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSubmission } from '@huiliu/contracts';
import { defaultStages } from '../default-stages';
import { judge } from '../judge';
import { JUDGED_TEXT_CHARS } from '../read-limit';
import { dedupInputOf } from '../../dedup/submission-side.util';

const sub = (text: string, districtCode: string | null = null) => parseSubmission({ schemaVersion: 1, channelType: 'web', ref: 'r', text, location: { districtCode } });

describe('stages with a deployment’s own tables', () => {
  it('uses the bundled referral table by default and a deployment’s table when configured', () => {
    const input = { submission: sub('我们小区物业乱收停车费，一个月涨了两次，请管一管。') };
    const bundled = judge(input, defaultStages());
    expect(bundled.validity.status).toBe('out_of_scope');
    expect(bundled.validity.referral).toContain('住房和城乡建设局');

    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    const table = JSON.parse(readFileSync(path.join(__dirname, '../../../rules/referral.rules.json'), 'utf8'));
    table.version = 'city-2025.1';
    table.referrals.property = '区房屋管理局物业科';
    const file = path.join(dir, 'referral.rules.json');
    writeFileSync(file, JSON.stringify(table));
    const custom = judge(input, defaultStages({ referral: file }));
    expect(custom.validity.referral).toBe('区房屋管理局物业科');
  });

  it('judges by the rule tables alone when a deployment turns the text models off', () => {
    // No term names the category of this complaint: the bundled category model reads it, the tables alone do not.
    const input = { submission: sub('村里的鱼一夜之间全翻白肚了，漂了一层，大家都说是上游放的') };
    const withModels = judge(input, defaultStages());
    const tablesAlone = judge(input, defaultStages({ categoryModel: 'none', validityModel: 'none' }));
    expect(withModels.category.primary).toBe('water');
    expect(withModels.category.reasons.map((r) => r.rule)).toContain('category_model');
    expect(tablesAlone.category.reasons.map((r) => r.rule)).not.toContain('category_model');
  });

  it('gives water cases their river basin and marine cases their sea area', () => {
    const water = judge({ submission: sub('玄武区中山路的印染厂偷排废水，河水发黑发臭。', '320102') }, defaultStages());
    expect(water.category.primary).toBe('water');
    expect(water.division.basin).toBeTruthy();
    const marine = judge({ submission: sub('北海市海城区的养殖场把养殖尾水直接排进海里，海水发臭。', '450502') }, defaultStages());
    expect(marine.category.primary).toBe('marine');
    expect(marine.division.basin).toMatch(/海域/);
  });

  it('refuses a broken table at start-up, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    const file = path.join(dir, 'referral.rules.json');
    writeFileSync(file, '{"name":"referral"}');
    expect(() => defaultStages({ referral: file })).toThrow(/referral\.rules\.json/);
  });
});

describe('long texts', () => {
  const stages = defaultStages();
  const long = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);

  it('judges a text past the read limit as its first JUDGED_TEXT_CHARS characters', () => {
    const text = `${long('顺德区北滘镇的电镀厂夜里偷排废水，河水发黑。', JUDGED_TEXT_CHARS)}${long('朝阳区锡林浩特任丘出岸镇', 1_000_000)}`;
    const whole = judge({ submission: sub(text) }, stages);
    const head = judge({ submission: sub(text.slice(0, JUDGED_TEXT_CHARS)) }, stages);
    expect(whole).toEqual(head);
    expect(whole.division.code).toBe('440606');
    expect(whole.category.primary).toBe('water');
  });

  it('reads a megabyte of English or of place names without stalling', () => {
    for (const text of [long('The factory on Main Road, Haidian, Beijing dumps oily water into the river every night. ', 1_000_000), long('城关镇新华街道朝阳区', 1_000_000)]) {
      const s = sub(text);
      const j = judge({ submission: s }, stages);
      expect(j.validity.status).toBe('accepted');
      const input = dedupInputOf(s, j, { channelType: 'web', receivedAt: new Date(), pepper: 'p' });
      expect(input?.side.signature?.length).toBeGreaterThan(0);
    }
  });
});
