import { ConfigError, loadConfig } from '../config';

describe('configuration', () => {
  it('has documented defaults for the dedup stage', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ DEDUP_WINDOW_DAYS: 90, DEDUP_AUTO_THRESHOLD: 0.3, DEDUP_SUGGEST_THRESHOLD: 0.25, DEDUP_SOLE_CASE: true });
    expect(c.COMPLAINANT_KEY_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('names every bad variable, and refuses a suggestion band above the automatic threshold', () => {
    expect(() => loadConfig({ DEDUP_WINDOW_DAYS: '0', COMPLAINANT_KEY_SECRET: 'short' })).toThrow(/DEDUP_WINDOW_DAYS[\s\S]*COMPLAINANT_KEY_SECRET/);
    expect(() => loadConfig({ DEDUP_AUTO_THRESHOLD: '0.3', DEDUP_SUGGEST_THRESHOLD: '0.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEDUP_AUTO_THRESHOLD: '0.3', DEDUP_SUGGEST_THRESHOLD: '0.5' })).toThrow(/DEDUP_SUGGEST_THRESHOLD: must not exceed/);
  });
});
