import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSubmission } from '@huiliu/contracts';
import { defaultStages } from '../default-stages';
import { judge } from '../judge';

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
