import { describe, expect, it } from 'vitest';
import { findCivilId, findOmaniPhone, findReference } from '../../bot/nlu/entities.js';
import { REFERENCE_ALPHABET, randomReferenceCode } from '../../bot/security/reference.js';

describe('random request references', () => {
  const refs = Array.from({ length: 10_000 }, () => `BUR-2026-${randomReferenceCode()}`);

  it('are BUR-YYYY-XXXX-XXXX over an alphabet without look-alikes, each group with a letter, and do not repeat', () => {
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OILZSBUV]/);
    for (const r of refs) {
      expect(r).toMatch(/^BUR-2026-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      expect(
        r
          .slice(9)
          .split('-')
          .every((g) => /[A-Z]/.test(g) && [...g].every((c) => REFERENCE_ALPHABET.includes(c))),
      ).toBe(true);
    }
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('are found in what residents type, and never read as a phone number or a civil ID', () => {
    for (const r of refs) {
      expect(findReference(`وين وصل طلبي ${r}؟`)).toBe(r);
      expect(findReference(r.toLowerCase().replace(/-/g, ' '))).toBe(r);
      expect(findOmaniPhone(r)).toBeUndefined();
      expect(findCivilId(r)).toBeUndefined();
    }
    const r = refs[0]!;
    expect(findOmaniPhone(`${r} 91234567`)).toBe('91234567');
    expect(findReference('BUR-2026-00042')).toBe('BUR-2026-00042');
    expect(findReference('BUR-2026-1234-5678')).toBeUndefined();
  });
});
