import { describe, expect, it } from 'vitest';
import { extractFeatureSets } from '../../bot/nlu/features.js';
import { letterBody } from '../../bot/nlu/framing.js';

describe('letterBody', () => {
  it('drops the greeting, «تحية طيبة وبعد», the closing and the signature of an Arabic letter', () => {
    const body = letterBody(
      'السلام عليكم ورحمة الله وبركاته، تحية طيبة وبعد، أرجو التكرم بإزالة السيارة المهملة من أمام بيتي. وتفضلوا بقبول فائق الاحترام، مقدمه: حمد',
    );
    expect(body).toBe('ارجو التكرم بازاله السياره المهمله من امام بيتي');
  });
  it('keeps the words of an address (they may name a service) but not its courtesy', () => {
    const body = letterBody('سعادة الوالي حفظه الله، السلام عليكم، أرجو تحديد موعد لعرض مشكلة الطريق. مع خالص التقدير، أخوكم سعيد');
    expect(body).toContain('سعاده الوالي');
    expect(body).toContain('ارجو تحديد موعد');
    expect(body).not.toMatch(/حفظه|التقدير|سعيد$/);
  });
  it('drops "Dear …", "I hope this email finds you well" and "Best regards, name" of an English letter', () => {
    expect(letterBody('Dear Sir, I hope this email finds you well. I want to close my liwan with glass. Best regards, Ali')).toBe(
      'i want to close my liwan with glass',
    );
  });
  it('leaves a message without framing, or whose body is too short to stand alone, alone', () => {
    expect(letterBody('ابي اطلب ردم حفره قدام البيت')).toBeUndefined();
    expect(letterBody('السلام عليكم، أحد موجود؟')).toBeUndefined();
    expect(letterBody('hello')).toBeUndefined();
  });
});

describe('cross-script skeletons', () => {
  const skeletons = (text: string): string[] => Object.keys(extractFeatureSets(text).all).filter((k) => k.startsWith('t:'));
  it('an Arabizi word and its Arabic spelling share a skeleton', () => {
    expect(skeletons('abi radm 7ufra')).toEqual(expect.arrayContaining(skeletons('ردم حفرة')));
    expect(skeletons('el mu5ayam el shitwi')).toEqual(expect.arrayContaining(skeletons('المخيم الشتوي')));
  });
  it('English words get none (they are not Arabizi)', () => {
    expect(skeletons('I have a complaint about the municipality')).toEqual([]);
  });
});
