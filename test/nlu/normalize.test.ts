import { describe, expect, it } from 'vitest';
import { normalizeArabic, normalizeForMatch, toAsciiDigits } from '../../bot/nlu/normalize.js';

describe('toAsciiDigits', () => {
  it('converts Arabic-Indic and Persian digits', () => {
    expect(toAsciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toAsciiDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(toAsciiDigits('BUR-٢٠٢٦-٠٠٠٤٢')).toBe('BUR-2026-00042');
  });
  it('keeps everything else', () => {
    expect(toAsciiDigits('طلب 12 abc')).toBe('طلب 12 abc');
  });
});

describe('normalizeArabic', () => {
  it('strips harakat, shadda, tanween and tatweel', () => {
    expect(normalizeArabic('السَّلامُ عَلَيْكُمْ')).toBe('السلام عليكم');
    expect(normalizeArabic('شُكْراً')).toBe('شكرا');
    expect(normalizeArabic('مرحبـــا')).toBe('مرحبا');
  });
  it('unifies alef, ya, ta marbuta and hamza seats', () => {
    expect(normalizeArabic('أإآٱ')).toBe('اااا');
    expect(normalizeArabic('مستشفى')).toBe('مستشفي');
    expect(normalizeArabic('حفرة')).toBe('حفره');
    expect(normalizeArabic('مؤسسة')).toBe('موسسه');
    expect(normalizeArabic('شاطئ')).toBe('شاطي');
  });
  it('converts digits to ASCII', () => {
    expect(normalizeArabic('طلب ٤٢')).toBe('طلب 42');
  });
  it('folds presentation forms (lam-alef ligature)', () => {
    expect(normalizeArabic('\uFEFB')).toBe('لا');
  });
});

describe('normalizeForMatch', () => {
  it('lower-cases, collapses whitespace and strips punctuation and emoji', () => {
    expect(normalizeForMatch('  Hello,   WORLD!! 👋 ')).toBe('hello world');
    expect(normalizeForMatch('وين وصل طلبي؟؟')).toBe('وين وصل طلبي');
    expect(normalizeForMatch('😂😂')).toBe('');
  });
  it('keeps connectors inside words (e-mail, n/a, addresses)', () => {
    expect(normalizeForMatch('e-mail')).toBe('e-mail');
    expect(normalizeForMatch('helpdesk@bur.gov.om.')).toBe('helpdesk@bur.gov.om');
    expect(normalizeForMatch('BUR-2026-00042')).toBe('bur-2026-00042');
  });
  it('strips Latin accents', () => {
    expect(normalizeForMatch('Café')).toBe('cafe');
  });
  it('makes variant spellings match', () => {
    expect(normalizeForMatch('أبغى أطلب ردم حُفرة')).toBe(normalizeForMatch('ابغي اطلب ردم حفره'));
    expect(normalizeForMatch('١.')).toBe('1');
  });
});
