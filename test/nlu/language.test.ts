import { describe, expect, it } from 'vitest';
import { detectLanguage, isArabizi } from '../../bot/nlu/language.js';

describe('detectLanguage', () => {
  it('Arabic script is Arabic', () => {
    expect(detectLanguage('السلام عليكم')).toBe('ar');
    expect(detectLanguage('أبغى أطلب ردم حفرة قدام البيت لو سمحتوا')).toBe('ar');
    expect(detectLanguage('شكرا')).toBe('ar');
  });
  it('English is English, short or long', () => {
    expect(detectLanguage('hi')).toBe('en');
    expect(detectLanguage('agent please')).toBe('en');
    expect(detectLanguage('I want to book a meeting with the Governor please')).toBe('en');
    expect(detectLanguage('There are stray dogs in my street near the school')).toBe('en');
  });
  it('Arabizi is Arabic', () => {
    expect(detectLanguage('salam')).toBe('ar');
    expect(detectLanguage('shukran')).toBe('ar');
    expect(detectLanguage('abi 7ufra tetradam')).toBe('ar');
    expect(detectLanguage('wain wasal talabi')).toBe('ar');
    expect(detectLanguage('fi klab sayba jamb baitna w ma 7ad yshelhum min zaman')).toBe('ar');
  });
  it('English with numbers and units stays English', () => {
    expect(detectLanguage('open at 8am on the 2nd?')).toBe('en');
    expect(detectLanguage('salam, I would like to book a meeting with the wali')).toBe('en');
  });
  it('mixed script goes with the majority', () => {
    expect(detectLanguage('hello وين وصل طلبي يا جماعة الخير')).toBe('ar');
  });
  it('nothing decisive: the fallback, else Arabic', () => {
    expect(detectLanguage('BUR-2026-00042', 'en')).toBe('en');
    expect(detectLanguage('BUR-2026-00042')).toBe('ar');
    expect(detectLanguage('٩١٢٣٤٥٦٧', 'en')).toBe('en');
    expect(detectLanguage('👍', 'en')).toBe('en');
    expect(detectLanguage('ok', 'ar')).toBe('ar');
    expect(detectLanguage('helpdesk@bur.gov.om', 'en')).toBe('en');
  });
});

describe('isArabizi', () => {
  it('needs Arabizi evidence at least as strong as English', () => {
    expect(isArabizi('ya3tik el3afya')).toBe(true);
    expect(isArabizi('the 3rd street')).toBe(false);
    expect(isArabizi('thanks a lot')).toBe(false);
  });
});
