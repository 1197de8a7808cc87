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

describe('detectLanguage: long and mixed text', () => {
  it('Arabic-script text is Arabic, however long', () => {
    const long = 'السلام عليكم ورحمة الله وبركاته، أرجو منكم التكرم بتحديد موعد لمقابلة سعادة المحافظ بخصوص أرض الورثة';
    expect(detectLanguage(long)).toBe('ar');
    expect(detectLanguage('ودي اسجل في internship حق البلدية هالصيف')).toBe('ar');
  });
  it('long Latin text is English unless it reads as Arabizi, whatever the conversation held', () => {
    expect(detectLanguage('There is a big pothole in front of our house since last month', 'ar')).toBe('en');
    expect(detectLanguage('fi klab sayba jamb baitna w ma 7ad yshelhum min zaman', 'en')).toBe('ar');
  });
  it('mixed Arabic/English with Arabic dominant is Arabic; English dominant is English', () => {
    expect(detectLanguage('ابي اعرف الـ status حق المعاملة')).toBe('ar');
    expect(detectLanguage('check طلبي BUR-2026-00100 لو سمحت')).toBe('ar');
    expect(detectLanguage('The portal keeps failing when I upload my files, يا ليت')).toBe('en');
  });
});

describe('isArabizi', () => {
  it('needs Arabizi evidence at least as strong as English', () => {
    expect(isArabizi('ya3tik el3afya')).toBe(true);
    expect(isArabizi('the 3rd street')).toBe(false);
    expect(isArabizi('thanks a lot')).toBe(false);
  });
});
