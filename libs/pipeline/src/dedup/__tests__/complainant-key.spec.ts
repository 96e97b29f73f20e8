import { complainantKeyOf, normalizePhone, sameComplainant } from '../complainant-key.util';

const PEPPER = 'test-pepper';

describe('complainantKeyOf', () => {
  it('is stable across the ways one phone number is written', () => {
    const keys = ['+86 183 1182 1596', '8618311821596', '１８３１１８２１５９６', '183-1182-1596'].map((phone) => complainantKeyOf({ phone }, PEPPER));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^tel:[0-9a-f]{32}$/);
  });

  it('gives a landline that lost its leading zero the same key', () => {
    expect(normalizePhone('1062345678')).toBe('01062345678');
    expect(complainantKeyOf({ phone: '1062345678' }, PEPPER)).toBe(complainantKeyOf({ phone: '010-62345678' }, PEPPER));
  });

  it('never contains the clear value', () => {
    const key = complainantKeyOf({ phone: '18311821596' }, PEPPER)!;
    expect(key).not.toContain('18311821596');
    expect(key).not.toContain('1596');
    const mail = complainantKeyOf({ email: 'Sunny1975@163.example.com' }, PEPPER)!;
    expect(mail).not.toMatch(/sunny|163/i);
    expect(mail).toBe(complainantKeyOf({ email: ' sunny1975@163.example.com ' }, PEPPER));
  });

  it('depends on the pepper, and refuses to work without one', () => {
    expect(complainantKeyOf({ phone: '18311821596' }, 'a')).not.toBe(complainantKeyOf({ phone: '18311821596' }, 'b'));
    expect(() => complainantKeyOf({ phone: '18311821596' }, '')).toThrow(/pepper/);
  });

  it('falls back from phone to e-mail to platform handle, and is null for an unidentified complainant', () => {
    expect(complainantKeyOf({ phone: null, email: null, handle: 'telegram:2291688575' }, PEPPER)).toMatch(/^id:/);
    expect(complainantKeyOf({ phone: '', email: null, handle: null }, PEPPER)).toBeNull();
    expect(complainantKeyOf(null, PEPPER)).toBeNull();
  });
});

describe('sameComplainant', () => {
  it('matches equal keys and never two unidentified complainants', () => {
    const k = complainantKeyOf({ phone: '18311821596' }, PEPPER);
    expect(sameComplainant({ complainantKey: k }, { complainantKey: k })).toBe(true);
    expect(sameComplainant({ complainantKey: null }, { complainantKey: null })).toBe(false);
    expect(sameComplainant({ complainantKey: k }, { complainantKey: complainantKeyOf({ phone: '18311821597' }, PEPPER) })).toBe(false);
  });
});
