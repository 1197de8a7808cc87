import { describe, expect, it } from 'vitest';
import { findCivilId, findEmail, findOmaniPhone, findReference, isValidCivilId } from '../../bot/nlu/entities.js';

describe('findReference', () => {
  it('finds canonical and loose references', () => {
    expect(findReference('وين وصل طلبي BUR-2026-00042؟')).toBe('BUR-2026-00042');
    expect(findReference('status of bur 2026 00042 please')).toBe('BUR-2026-00042');
    expect(findReference('bur202600042')).toBe('BUR-2026-00042');
    expect(findReference('طلب BUR-٢٠٢٦-٠٠٠١٥')).toBe('BUR-2026-00015');
    expect(findReference('BUR-2026-123456')).toBe('BUR-2026-123456');
  });
  it('ignores what is not a reference', () => {
    expect(findReference('burger 2026 00042')).toBeUndefined();
    expect(findReference('BUR-2026-42')).toBeUndefined();
    expect(findReference('no reference here')).toBeUndefined();
  });
});

describe('findOmaniPhone', () => {
  it('returns the 8-digit national number', () => {
    expect(findOmaniPhone('رقمي 91234567')).toBe('91234567');
    expect(findOmaniPhone('+968 9123 4567')).toBe('91234567');
    expect(findOmaniPhone('00968-7123-4567')).toBe('71234567');
    expect(findOmaniPhone('96825643286')).toBe('25643286');
    expect(findOmaniPhone('call 2564 3286')).toBe('25643286');
    expect(findOmaniPhone('٩١٢٣٤٥٦٧')).toBe('91234567');
    expect(findOmaniPhone('96891234567@c.us')).toBe('91234567');
  });
  it('rejects other numbers', () => {
    expect(findOmaniPhone('81234567')).toBeUndefined();
    expect(findOmaniPhone('9123456')).toBeUndefined();
    expect(findOmaniPhone('912345678')).toBeUndefined();
    expect(findOmaniPhone('BUR-2026-00042')).toBeUndefined();
  });
});

describe('civil ID', () => {
  it('isValidCivilId accepts 6 to 10 digits only', () => {
    expect(isValidCivilId('123456')).toBe(true);
    expect(isValidCivilId('١٢٣٤٥٦٧٨')).toBe(true);
    expect(isValidCivilId('1234567890')).toBe(true);
    expect(isValidCivilId('12345')).toBe(false);
    expect(isValidCivilId('12345678901')).toBe(false);
    expect(isValidCivilId('12a456')).toBe(false);
  });
  it('findCivilId skips phones and references', () => {
    expect(findCivilId('رقمي المدني 12345678 وهاتفي 91234567')).toBe('12345678');
    expect(findCivilId('هاتفي 91234567 ومدني ١٠٢٣٤٥٦')).toBe('1023456');
    expect(findCivilId('BUR-2026-00042 and 91234567')).toBeUndefined();
  });
});

describe('findEmail', () => {
  it('finds an address', () => {
    expect(findEmail('ايميلي ahmed.salim@example.com لو سمحت')).toBe('ahmed.salim@example.com');
    expect(findEmail('write to helpdesk@bur.gov.om.')).toBe('helpdesk@bur.gov.om');
    expect(findEmail('no address @ all')).toBeUndefined();
  });
});

describe('hostile input', () => {
  it('long input without matches is searched in linear time', () => {
    const inputs = ['a.'.repeat(50_000), 'a-'.repeat(50_000), '1'.repeat(100_000), 'a@a.'.repeat(20_000), 'bur '.repeat(20_000)];
    const t0 = performance.now();
    for (const s of inputs) {
      findReference(s);
      findOmaniPhone(s);
      findCivilId(s);
      findEmail(s);
    }
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
