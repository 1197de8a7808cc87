import { describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';

/** The approved reply as SPEC.md renders it (the reference the tests use). */
const APPROVED = [
  'مرحباً بك أخي الكريم',
  'شكراً لتواصلكم، ونأمل منكم -لطفاً- تقديم المقترحات / الاستفسارات / الشكاوى / البلاغات عبر المنصة الوطنية للمقترحات والشكاوى والبلاغات (تجاوب) من خلال الرابط الآتي: https://tajawob.om',
  'سُعدنا بتواصلكم',
].join('\n');

describe('templates', () => {
  const t = new Templates();
  it('keeps the approved Tajawob reply verbatim', () => {
    expect(t.approvedReply('ar')).toBe(APPROVED);
  });
  it('puts the English rendition after the Arabic text for non-Arabic writers', () => {
    const en = t.approvedReply('en');
    expect(en.startsWith(APPROVED)).toBe(true);
    expect(en).toMatch(/Tajawob\).*https:\/\/tajawob\.om/s);
  });
  it('renders placeholders in both languages', () => {
    expect(t.render('ar', 'status_ask_phone', { reference: 'BUR-2026-00001' })).toContain('BUR-2026-00001');
    expect(t.render('en', 'too_long', { max: 4000 })).toContain('4000');
    expect(() => t.render('en', 'no_such_key')).toThrow(/unknown template/);
  });
});
