import { toIsoDate } from '../webhook-date.util';

describe('toIsoDate', () => {
  it('reads epoch seconds and milliseconds, written in the zone', () => {
    expect(toIsoDate(1725321900, 'epoch_s', '+08:00')).toBe('2024-09-03T08:05:00+08:00');
    expect(toIsoDate('1725321900123', 'epoch_ms', '+08:00')).toBe('2024-09-03T08:05:00.123+08:00');
    expect(toIsoDate(1725321900, 'epoch_s', 'Z')).toBe('2024-09-03T00:05:00Z');
  });

  it('reads wall-clock patterns in the zone', () => {
    expect(toIsoDate('2024-09-03 08:05:00', 'YYYY-MM-DD HH:mm:ss', '+08:00')).toBe('2024-09-03T08:05:00+08:00');
    expect(toIsoDate(' 2024/9/3 8:05 ', 'YYYY/M/D H:mm', '+08:00')).toBe('2024-09-03T08:05:00+08:00');
    expect(toIsoDate('2024年09月03日', 'YYYY年MM月DD日', '+08:00')).toBe('2024-09-03T00:00:00+08:00');
    expect(toIsoDate('03.09.2024 23:59:59', 'DD.MM.YYYY HH:mm:ss', '-05:00')).toBe('2024-09-03T23:59:59-05:00');
  });

  it('reads ISO strings, keeping the instant of a given offset and applying the zone to a bare one', () => {
    expect(toIsoDate('2024-09-03T00:05:00Z', 'iso', '+08:00')).toBe('2024-09-03T08:05:00+08:00');
    expect(toIsoDate('2024-09-03T08:05:00', 'iso', '+08:00')).toBe('2024-09-03T08:05:00+08:00');
    expect(toIsoDate('2024-09-03 08:05:00+0800', 'iso', 'Z')).toBe('2024-09-03T00:05:00Z');
  });

  it('refuses impossible dates, text that does not match and non-numeric epochs', () => {
    expect(() => toIsoDate('2024-02-30 08:00:00', 'YYYY-MM-DD HH:mm:ss', '+08:00')).toThrow(/not a real date/);
    expect(() => toIsoDate('2024-09-03 24:00:00', 'YYYY-MM-DD HH:mm:ss', '+08:00')).toThrow(/not a real date/);
    expect(() => toIsoDate('2024-09-03', 'YYYY-MM-DD HH:mm:ss', '+08:00')).toThrow(/does not match/);
    expect(() => toIsoDate('yesterday', 'epoch_s', '+08:00')).toThrow(/epoch/);
    expect(() => toIsoDate(20240903, 'YYYYMMDD', '+08:00')).toThrow(/date string/);
  });
});
