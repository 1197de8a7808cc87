import { describe, expect, it } from 'vitest';
import { asksAboutByRule, asksCallback, asksOfficeByRule, wishesNewFacility } from '../../bot/nlu/boundary-cues.js';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';
import { applyCues } from '../../bot/nlu/reframe.js';
import { as } from '../helpers/classification.js';

const n = normalizeForMatch;

describe('asking about a service by rule', () => {
  it.each([
    ['نبغى نعرف طلب الشيول كم يبيله', 'equipment-general'],
    ['want to know if the camel catching team works in farms', 'stray-animals'],
    ['el rash kam yom yakhdh 3adatan lin yjoon?', 'pest-control'],
    ['how long does the porch closure take?', 'liwan-closure'],
    ['kam ayam lin yikhlas talab el mukhayam', 'winter-camps'],
    ['does it cost anything to close the liwan', 'liwan-closure'],
    ['لو المستنقع داخل ارضي الخاصه تردمونه؟', 'potholes'],
  ])('«%s» is an inquiry about the service', (text, service) => {
    expect(asksAboutByRule(n(text), text)).toBe(true);
    expect(applyCues(as('procedural_request', service), text)).toMatchObject({ intent: 'inquiry', service });
  });

  it.each(['ابغى اعرف حالة طلب الرش اللي قدمته', 'I want to know whether the request was approved', 'ابي اعرف طلب الليوان خلص ولا باقي'])(
    '«%s» wants the state of a request: no question about the service',
    (text) => {
      expect(asksAboutByRule(n(text), text)).toBe(false);
    },
  );
});

describe('how the office works, by rule', () => {
  it.each([
    'ممكن ارسل ملاحظاتي عبر الواتساب؟',
    'can I raise a complaint through this chat?',
    'احنا ساكنين في دبي، نقدر نستخدم خدماتكم؟',
    'we live outside oman, can we apply for a meeting?',
    'تردون في العيد؟',
    'are you open on fridays?',
    'fi wadhayef 3indkom?',
  ])('«%s» is an inquiry without a service', (text) => {
    expect(asksOfficeByRule(n(text), text)).toBe(true);
    for (const read of ['unknown', 'procedural_request'] as const) expect(applyCues(as(read), text)).toMatchObject({ intent: 'inquiry', service: null });
  });

  it.each(['can I file a request here?', 'ليش ما تفتحون يوم السبت؟', 'is the hypermarket open on friday?', 'تردون في العيد'])(
    '«%s» is not (a filing, a suggestion, another place, no question)',
    (text) => {
      expect(asksOfficeByRule(n(text), text)).toBe(false);
    },
  );
});

describe('a person asked to call back', () => {
  it.each(['ابي احد من الموظفين يتصل علي', 'please have an officer call me back'])('«%s» asks for an agent', (text) => {
    expect(asksCallback(n(text))).toBe(true);
    expect(applyCues(as('inquiry'), text)).toMatchObject({ intent: 'agent', service: null });
  });
  it('a question for the phone number is no such request', () => {
    expect(asksCallback(n('ما هو رقم الموظف المسؤول؟'))).toBe(false);
  });
});

describe('a wish that the office make something new', () => {
  it.each([
    ['يا ليت تسوون محمية للحمير السايبة', 'stray-animals'],
    ['lesh ma tsawoon tatbeeq lil talabat?', null],
    ['why not build a shelter for the stray cats', 'stray-animals'],
  ])('«%s» is a suggestion, even naming a service’s object', (text, service) => {
    expect(wishesNewFacility(n(text))).toBe(true);
    expect(applyCues(as('procedural_request', service), text)).toMatchObject({ intent: 'suggestion', service: null });
  });
  it('a wish that the office remove something is no new facility', () => {
    expect(wishesNewFacility(n('لو تشيلون الكلاب من الحارة'))).toBe(false);
  });
});

describe("a service's terms asked", () => {
  it.each([
    ['وش اسوي؟ تصريح الرصيف قدام المحل يتجدد سنوياً؟', 'commercial-frontage'],
    ['does the camp season start in november?', 'winter-camps'],
    ['el tadreeb lazem ykoon el wa7ed 5areej?', 'training'],
  ])('«%s» is an inquiry about the service', (text, service) => {
    expect(applyCues(as('procedural_request', service), text)).toMatchObject({ intent: 'inquiry', service });
  });
  it('a calm question on the terms read as a suggestion asks about the service the service network guesses', () => {
    const text = 'بائع الخضار بالسيارة لازم يكون عنده سجل تجاري؟';
    expect(applyCues(as('suggestion'), text, { service: 'mobile-vendors', score: 0.3 })).toMatchObject({ intent: 'inquiry', service: 'mobile-vendors' });
    expect(applyCues(as('suggestion'), 'ليش ما تسوون سوق للباعة؟ لازم يكون فيه مكان', { service: 'mobile-vendors', score: 0.3 })).toMatchObject({
      intent: 'suggestion',
    });
  });
  it('a filing without a question stays one', () => {
    expect(applyCues(as('procedural_request', 'winter-camps'), 'ابي اجدد موقع المخيم حقي هالسنة')).toMatchObject({ intent: 'procedural_request' });
  });
});

describe('neighbouring services told apart by their objects', () => {
  it.each(['فيه جيفة حمار عند الدوار من يومين', 'a dead cat in front of the mosque, please remove'])('«%s»: a carcass is for public cleanliness', (text) => {
    expect(applyCues(as('procedural_request', 'stray-animals'), text)).toMatchObject({ intent: 'procedural_request', service: 'public-cleanliness' });
  });
  it('a live stray stays with the stray-animals service', () => {
    expect(applyCues(as('procedural_request', 'stray-animals'), 'كلاب سايبة عند المدرسة')).toMatchObject({ service: 'stray-animals' });
  });
  it.each(['ذباب وبعوض من الماي الراكد في الوادي', 'rats coming from the wadi into the houses'])('«%s»: pests near a wadi are for pest control', (text) => {
    expect(applyCues(as('procedural_request', 'wadi-protection'), text)).toMatchObject({ service: 'pest-control' });
  });
  it('a wall against the wadi stays with wadi protection, even naming mosquitoes', () => {
    expect(applyCues(as('procedural_request', 'wadi-protection'), 'نبي جدار حماية من الوادي، والبعوض بعد')).toMatchObject({ service: 'wadi-protection' });
  });
});

describe('a message labelled a suggestion', () => {
  it('is a suggestion even naming a person', () => {
    expect(applyCues(as('agent'), 'اقتراح: موظف يرد بالليل على المحادثات')).toMatchObject({ intent: 'suggestion', service: null });
  });
  it('a plain request for a person stays one', () => {
    expect(applyCues(as('agent'), 'ابي موظف يرد علي')).toMatchObject({ intent: 'agent' });
  });
});
