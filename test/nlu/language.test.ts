import { beforeEach, describe, expect, it, vi } from 'vitest';
import { detectLanguage, isArabizi } from '../../bot/nlu/language.js';

const francCalls = vi.hoisted(() => ({ texts: [] as string[] }));
vi.mock('franc', async (importOriginal) => {
  const real = await importOriginal<typeof import('franc')>();
  return {
    ...real,
    franc: (text: string, options?: object) => {
      francCalls.texts.push(text);
      return real.franc(text, options);
    },
  };
});
beforeEach(() => {
  francCalls.texts.length = 0;
});

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

describe('detectLanguage: franc and mixed text', () => {
  it('never asks franc about Arabic-script text, however long', () => {
    const long = 'السلام عليكم ورحمة الله وبركاته، أرجو منكم التكرم بتحديد موعد لمقابلة سعادة المحافظ بخصوص أرض الورثة';
    expect(detectLanguage(long)).toBe('ar');
    expect(detectLanguage('ودي اسجل في internship حق البلدية هالصيف')).toBe('ar');
    expect(francCalls.texts.filter((t) => /\p{Script=Arabic}/u.test(t))).toEqual([]);
  });
  it('mixed Arabic/English with Arabic dominant is Arabic; English dominant is English', () => {
    expect(detectLanguage('ابي اعرف الـ status حق المعاملة')).toBe('ar');
    expect(detectLanguage('check طلبي BUR-2026-00100 لو سمحت')).toBe('ar');
    expect(detectLanguage('The portal keeps failing when I upload my files, يا ليت')).toBe('en');
  });
  it('never asks franc: for Latin script it could not answer Arabic, so the Arabizi rule decides', async () => {
    const { franc } = await vi.importActual<typeof import('franc')>('franc');
    const latin = [
      'There is a big pothole in front of our house since last month',
      'fi klab sayba jamb baitna w ma 7ad yshelhum min zaman',
      'salam alaikum ana abi asawi talab hufra fi share3 el fareej',
    ];
    for (const t of latin) expect(franc(t, { only: ['eng', 'arb'], minLength: 25 })).not.toBe('arb');
    detectLanguage(latin[0]!, 'ar');
    expect(detectLanguage(latin[1]!, 'en')).toBe('ar');
    expect(francCalls.texts).toEqual([]);
  });
});

describe('isArabizi', () => {
  it('needs Arabizi evidence at least as strong as English', () => {
    expect(isArabizi('ya3tik el3afya')).toBe(true);
    expect(isArabizi('the 3rd street')).toBe(false);
    expect(isArabizi('thanks a lot')).toBe(false);
  });
});
