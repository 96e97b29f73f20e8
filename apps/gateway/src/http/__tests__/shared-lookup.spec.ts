import { SharedLookup } from '../shared-lookup';

describe('SharedLookup', () => {
  it('lets concurrent requests share one lookup, and looks up again once the entry is older than its ttl', async () => {
    let loads = 0;
    const lookup = new SharedLookup(async (key) => `${key}#${++loads}`, 20);
    const answers = await Promise.all(Array.from({ length: 50 }, () => lookup.get('web')));
    expect(new Set(answers)).toEqual(new Set(['web#1']));
    expect(loads).toBe(1);
    expect(await lookup.get('other')).toBe('other#2');
    await new Promise((r) => setTimeout(r, 30));
    expect(await lookup.get('web')).toBe('web#3');
  });

  it('forgets a failed lookup at once, so the next request tries again', async () => {
    let calls = 0;
    const lookup = new SharedLookup(async () => {
      if (++calls === 1) throw new Error('database down');
      return 'ok';
    }, 60_000);
    await expect(lookup.get('web')).rejects.toThrow('database down');
    expect(await lookup.get('web')).toBe('ok');
    expect(calls).toBe(2);
  });
});
