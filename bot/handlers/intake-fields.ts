import type { FieldId } from '../../config/schema.js';
import { findEmail, findOmaniPhone, isValidCivilId } from '../nlu/entities.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';

/** Validates and canonicalizes a field's answer; undefined when invalid. */
export const FIELD_VALIDATORS: Record<FieldId, (text: string) => string | undefined> = {
  name: (t) => {
    const v = t.replace(/\s+/g, ' ').trim();
    const words = v.split(' ').filter((w) => w.length >= 2);
    const all = v.split(' ').length;
    if (v.length > 100 || words.length < 2 || all > 6 || !/^[\p{L}\p{M}' .-]+$/u.test(v)) return undefined;
    return normalizeForMatch(v)
      .split(' ')
      .some((w) => NOT_A_NAME.has(w))
      ? undefined
      : v;
  },
  civilId: (t) => {
    const v = toAsciiDigits(t).replace(/[\s-]/g, '');
    return isValidCivilId(v) ? v : undefined;
  },
  phone: (t) => findOmaniPhone(t),
  email: (t) => findEmail(t),
  address: (t) => bounded(t, 3, 300),
  party: (t) => bounded(t, 2, 200),
  description: (t) => bounded(t, 10, 2000),
  preferredDate: (t) => bounded(t, 2, 100),
};

function bounded(t: string, min: number, max: number): string | undefined {
  const v = t.replace(/[ \t]+/g, ' ').trim();
  return v.length >= min && v.length <= max ? v : undefined;
}

/** Words that say a message is a request, a complaint or a question, never part of a person's name. */
const NOT_A_NAME = new Set([
  'شكوي',
  'شكاوي',
  'اشتكي',
  'اشكي',
  'اقترح',
  'مقترح',
  'اقتراح',
  'بلاغ',
  'ابلغ',
  'موظف',
  'طلب',
  'طلبي',
  'اطلب',
  'ابي',
  'ابا',
  'ابغي',
  'ابغا',
  'اريد',
  'ودي',
  'متي',
  'كيف',
  'وين',
  'ليش',
  'هل',
  'شو',
  'ايش',
  'السلام',
  'عليكم',
  'مرحبا',
  'شكرا',
  'عندي',
  'البلديه',
  'الشارع',
  'حفره',
  'complaint',
  'complain',
  'suggest',
  'suggestion',
  'report',
  'agent',
  'want',
  'need',
  'request',
  'please',
  'how',
  'what',
  'when',
  'where',
  'why',
  'hello',
  'thanks',
  'thank',
  'the',
  'is',
  'are',
  'my',
  'have',
  'i',
  'street',
  'municipality',
  'staff',
  'employee',
  'person',
]);

const CANCEL = /^(الغاء|الغي|الغ|كنسل|توقف|خروج|cancel|stop|quit|exit|abort|khalas)( (الطلب|the request|it))?$/;
const CONFIRM_WORD =
  /^(نعم|ايوه|ايوا|اي|ايه|ايوة|اكيد|تاكيد|اكد|موافق|تمام|ارسل|قدم|صح|طيب|yes|y|yeah|yep|yup|ok|okay|k|confirm|confirmed|sure|submit|send|correct|please|na3am|aywa|tamam)$/;
const THUMBS_UP = /^(?:\u{1F44D}[\u{1F3FB}-\u{1F3FF}]?|\u2705|\u2714\uFE0F?|\u{1F44C}[\u{1F3FB}-\u{1F3FF}]?)+$/u;
const SKIP = /^(تخطي|تخطى|تجاوز|لا يوجد|ما في|مافي|لا|ماشي|skip|none|no|n\/a|na)$/;
const MENU = /^(القائمه|القايمه|رجوع|الرد الالي|menu|bot|back|main menu)$/;

/** True when the normalized text asks to cancel. */
export const isCancel = (t: string): boolean => CANCEL.test(normalizeForMatch(t));
/** True when the text confirms: «نعم، اي، إيه، أكيد، تمام، موافق، تأكيد», "yes, ok, sure, confirm", 👍 (up to four such words). */
export function isConfirm(t: string): boolean {
  const compact = t.replace(/\s+/g, '');
  if (compact && THUMBS_UP.test(compact)) return true;
  const words = normalizeForMatch(t).split(' ').filter(Boolean);
  return words.length <= 4 && words.some((w) => w !== 'please') && words.every((w) => CONFIRM_WORD.test(w));
}
/** True when the normalized text skips an optional field. */
export const isSkip = (t: string): boolean => t.trim() === '-' || SKIP.test(normalizeForMatch(t));
/** True when the resident asks to go back to the bot's menu. */
export const isMenu = (t: string): boolean => MENU.test(normalizeForMatch(t));

const FIELD_WORDS: Array<[FieldId, RegExp]> = [
  ['civilId', /مدني|هويه|بطاقه|civil|\bid\b/],
  ['phone', /هاتف|جوال|تلفون|موبايل|phone|mobile|number/],
  ['email', /بريد|ايميل|e-?mail/],
  ['address', /موقع|عنوان|مكان|location|address|place/],
  ['party', /طرف|party/],
  ['description', /وصف|تفاصيل|description|details/],
  ['preferredDate', /موعد|تاريخ|date/],
  ['name', /اسم|name/],
];

/** The field a "change …" message names, if it is one. */
export function editTarget(t: string): FieldId | undefined {
  const n = normalizeForMatch(t);
  const m = /^(تعديل|عدل|غير|تغيير|تصحيح|صحح|change|edit|correct|fix|update)\s+(.+)$/.exec(n);
  if (!m) return undefined;
  return FIELD_WORDS.find(([, re]) => re.test(m[2]!))?.[0];
}
