import { describe, expect, it } from 'vitest';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';
import { asksHowOfficeWorks, citesBrokenPromise, pleads, proposesForAll, proposesForSelf } from '../../bot/nlu/office-cues.js';
import { applyCues } from '../../bot/nlu/reframe.js';
import { as } from '../helpers/classification.js';

const n = normalizeForMatch;
const calm = { anger: false, delay: false };

describe('questions how the office works', () => {
  it.each([
    'هل ترسلون رسالة نصية إذا انقبل الطلب؟',
    'tirsloon sms lama y5ala9 el 6alab?',
    'do you send an email when a request is closed?',
    'الشكاوي اللي نرسلها لأي قسم تروح؟',
    'who reads the complaints people send here?',
    'هل يوجد موقع أتابع فيه طلبي؟',
    'is there a page where I can track my application?',
    'هل عندكم وظائف شاغرة في المحافظة؟',
    'are you hiring at the governorate office?',
    'كيف ألغي الطلب بعد إرساله؟',
    'كيف أقدم اقتراح على الخدمات؟',
    'متى تردون على رسائل تويتر؟',
    'تداومون يوم السبت؟',
  ])('«%s» is an inquiry without a service', (text) => {
    expect(asksHowOfficeWorks(n(text), text, calm)).toBe(true);
    for (const read of ['status', 'complaint', 'unknown'] as const) expect(applyCues(as(read), text)).toMatchObject({ intent: 'inquiry', service: null });
  });

  it.each([
    'ما وصلني ولا مسج من يوم قدمت الطلب',
    'من المفيد أن ترسلوا رسالة نصية عند كل تغيير',
    'why not open the office on saturdays?',
    'is the hospital pharmacy open on friday?',
    'عندكم وظايف في شركة الكهرباء؟',
    'ابي tracking لطلبي رقم ٥٥٣',
  ])('«%s» is not', (text) => {
    expect(asksHowOfficeWorks(n(text), text, calm)).toBe(false);
  });

  it.each([
    'وش الفرق بين البلاغ والشكوى؟',
    'what is the difference between a report and a suggestion',
    'el far8 bain el balagh w el i8tira7',
    'ما الفرق بين تقديم شكوى وتقديم طلب خدمة؟',
    "what's the difference between a complaint and a request here",
  ])('«%s» asks how two kinds of message differ: an inquiry, even read as a suggestion or a complaint', (text) => {
    expect(asksHowOfficeWorks(n(text), text, { anger: true, delay: false })).toBe(true);
    expect(proposesForAll(n(text))).toBe(false);
    for (const read of ['suggestion', 'complaint', 'inquiry'] as const) expect(applyCues(as(read), text)).toMatchObject({ intent: 'inquiry', service: null });
  });

  it.each([
    'كيف أتابع الطلب بعد ما أرسله؟',
    'how can I follow my application after sending it?',
    'كيف يمكنني متابعة طلبي بعد تقديمه؟',
    'شلون أتابع طلبي بعد ما قدمته؟',
    'how i can check my request later, i dont have account',
    'اقدر اتابع طلبي من الموقع؟',
  ])('«%s» asks how requests are followed', (text) => {
    expect(asksHowOfficeWorks(n(text), text, calm)).toBe(true);
    expect(applyCues(as('status'), text)).toMatchObject({ intent: 'inquiry', service: null });
  });

  it.each(['كيف أعرف وين وصل طلبي؟', 'how can I check the status of my request 4471?'])(
    '«%s» asks where the request stands: a look-up, not how the office works',
    (text) => {
      expect(asksHowOfficeWorks(n(text), text, calm)).toBe(false);
    },
  );

  it('no difference between a complaint and silence is a grievance, not a question', () => {
    const text = 'ما في فرق بين الشكوى والسكوت عندكم';
    expect(asksHowOfficeWorks(n(text), text, { anger: true, delay: false })).toBe(false);
  });

  it('an angry question is a grievance, not a question how the office works', () => {
    expect(asksHowOfficeWorks(n('متى تردون على الواتساب؟'), 'متى تردون على الواتساب؟', { anger: true, delay: false })).toBe(false);
  });
});

describe('promises the office did not keep', () => {
  it.each([
    'قالوا لي بيجون الأحد وما جيتوا',
    'وعدتوني بالرد خلال أسبوع ومن شهر ما رد أحد',
    'أبلغني الموظف بأن الفريق سيحضر ولم يحضر أحد',
    'the officer promised to call me back and never did',
    'gulto bitjoon w ma7ad ja',
  ])('«%s» is a complaint', (text) => {
    expect(citesBrokenPromise(n(text))).toBe(true);
    for (const read of ['status', 'procedural_request', 'inquiry'] as const) expect(applyCues(as(read, null, 0.7), text).intent).toBe('complaint');
  });

  it.each(['قالوا لي الموعد بيتحدد هالأسبوع، فيه جديد؟', 'the website said I need a photo, is that right?'])('«%s» is not', (text) => {
    expect(citesBrokenPromise(n(text))).toBe(false);
  });

  it('a sure request for a person stays one', () => {
    expect(applyCues(as('agent', null, 0.95), 'وعدوني يتصلون وما اتصل أحد، حولوني على موظف').intent).toBe('agent');
  });
});

describe('proposals and pleas', () => {
  it('a proposal for the writer’s own place files the service the service network guesses', () => {
    const text = 'أقترح ردم الحفرة اللي قدام بيتي';
    expect(proposesForSelf(n(text))).toBe(true);
    expect(applyCues(as('suggestion'), text, { service: 'potholes', score: 0.8 })).toMatchObject({ intent: 'procedural_request', service: 'potholes' });
    // Without a service guess it stays a suggestion.
    expect(applyCues(as('suggestion'), text, { service: null, score: 0 }).intent).toBe('suggestion');
  });

  it('a proposal for everyone is a suggestion, even naming a service area', () => {
    for (const text of ['يستحسن تنظيم حملة رش في كل الحارات', 'you should add a map of the camp sites', 'شرايكم تسوون مخيمات للعوايل؟']) {
      expect(proposesForAll(n(text), /[?؟]/.test(text)), text).toBe(true);
      expect(applyCues(as('procedural_request', 'pest-control'), text).intent, text).toBe('suggestion');
    }
    expect(proposesForAll(n('أقترح ردم الحفرة اللي قدام بيتي'))).toBe(false);
  });

  it('a plea (not a question) for a service’s matter files it', () => {
    const text = 'أهيب بكم إرسال فريق لجمع الكلاب في الحي';
    expect(pleads(n(text))).toBe(true);
    expect(applyCues(as('inquiry', 'stray-animals'), text, { service: 'stray-animals', score: 0.9 })).toMatchObject({
      intent: 'procedural_request',
      service: 'stray-animals',
    });
    expect(pleads(n('الله يجزاكم خير، وصلني الرد'))).toBe(false);
    expect(pleads(n('المواقف لا تكفي وقت الذروة'))).toBe(false);
  });
});
