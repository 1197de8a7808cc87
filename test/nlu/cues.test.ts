import { describe, expect, it } from 'vitest';
import {
  asksAboutService,
  asksForecast,
  complainsAboutRequest,
  followsUpRequest,
  incidentOnlyAsRisk,
  reportsViolation,
  requestsAction,
  suggestsChange,
} from '../../bot/nlu/cues.js';
import { conceptOf } from '../../bot/nlu/lexicon.js';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';
import { applyCues } from '../../bot/nlu/reframe.js';

const asks = (text: string): boolean => asksAboutService(normalizeForMatch(text), text);
const followsUp = (text: string): boolean => followsUpRequest(normalizeForMatch(text));

describe('question cues (asking about a service, not filing it)', () => {
  it.each([
    'هل يشمل الرش الحدائق الخاصة؟',
    'التصريح يحتاج موافقة الجيران ولا لا؟',
    'يحق للأرملة تطلب التعويض؟',
    'الحجز بالأسبوع ولا بالشهر؟',
    'yeshmal el rash el 7awsh?',
    'does the permit include the garage too?',
    'can I still apply if I am not Omani?',
    'is it only for citizens?',
    'what if the land is not mine?',
  ])('«%s» asks about the service', (text) => {
    expect(asks(text)).toBe(true);
  });

  it.each([
    'أبي أقدم على تصريح المخيم',
    'نبي فريق يردم الحفرة قدام البيت',
    'please send a team to catch the stray dogs',
    'can you send a loader tomorrow morning',
    'ما أحد رد علي ولا اتصل',
  ])('«%s» files a request (no question cue)', (text) => {
    expect(asks(text)).toBe(false);
  });
});

describe('follow-up cues (a status look-up naming a service)', () => {
  it.each(['أتابع طلب حماية الوادي', 'هل تم اعتماد موعد المقابلة؟', 'any update on my camp permit?', 'following up on my request for a loader'])(
    '«%s» follows up a request',
    (text) => {
      expect(followsUp(text)).toBe(true);
    },
  );

  it.each(['أبي أقدم طلب ردم حفرة', 'how do I apply for a camp permit?'])('«%s» does not', (text) => {
    expect(followsUp(text)).toBe(false);
  });
});

describe('suggestions worded «ليش ما…؟» / "why don\'t you…"', () => {
  it.each(['ليش ما تحطون مظلات عند المدارس؟', 'laish ma tsawoon maw9if 7ag el 3arabat?', "why don't you open on saturdays?"])(
    '«%s» suggests a change',
    (text) => {
      expect(suggestsChange(normalizeForMatch(text))).toBe(true);
    },
  );

  it.each(['ليش ما تردون على التلفون؟', 'ليش ما تسوون شي؟ هذا إهمال', 'why dont you answer my calls'])('«%s» is no suggestion', (text) => {
    expect(suggestsChange(normalizeForMatch(text))).toBe(false);
  });
});

describe('a change wished for politely', () => {
  it.each([
    'ممكن تضيفون خدمة الدفع بالبطاقة؟',
    'يا ليت تحطون كراسي في الحديقة',
    'لو توفرون مواقف ظل للسيارات',
    'ya ret tsawoon mamsha',
    'it would be nice to have more shade',
    'you should add an Arabic voice menu',
    'how about planting trees on the main road',
  ])('«%s» suggests a change', (text) => {
    expect(suggestsChange(normalizeForMatch(text))).toBe(true);
  });
  it.each(['ممكن تساعدوني في الطلب', 'لو تكرمتوا تشيلون الزبالة', 'ممكن تضيفون اسمي؟ تأخرتوا وايد', 'you should answer your phone'])(
    '«%s» is no suggestion',
    (text) => {
      expect(suggestsChange(normalizeForMatch(text))).toBe(false);
    },
  );
});

describe('an incident as a risk', () => {
  it.each(['حفرة عميقة في الشارع تسبب حوادث', 'a pothole causing an accident a day', 'السلك المكشوف قد يؤدي الى حريق'])('«%s» warns of one', (text) => {
    expect(incidentOnlyAsRisk(normalizeForMatch(text))).toBe(true);
  });
  it.each(['حريق في المزرعة جنب بيتنا', 'الحفرة سببت حادث البارحة', 'a fire near the pothole could cause accidents', 'حفرة كبيرة في الشارع'])(
    '«%s» does not',
    (text) => {
      expect(incidentOnlyAsRisk(normalizeForMatch(text))).toBe(false);
    },
  );
});

describe('concepts', () => {
  it('reads careless or sloppy work as anger', () => {
    expect(conceptOf('sloppy')).toBe('anger');
    expect(conceptOf('خايب')).toBe('anger');
  });
  it('gives fraud and impersonation one concept in every script, and leaves pitching a tent out of it', () => {
    for (const w of ['احتيال', 'ينتحل', 'وهمي', 'مزيفه', 'scam', 'phishing', 'fake', 'e7tiyal', 'wahmi']) expect(conceptOf(w), w).toBe('fraud');
    expect(conceptOf('انصب')).toBeUndefined();
  });
});

describe('yes/no questions about a service', () => {
  it.each([
    'هل يمكن تقديم الطلب عن طريق الموقع؟',
    'فيه خدمة لرش البيوت؟',
    'is there a service for flood barriers?',
    'fi 5idma 7ag el 9ayd?',
    'لازم أرفق صور؟',
    'can residents ask for a loader?',
  ])('«%s» asks about the service', (text) => {
    expect(asks(text)).toBe(true);
  });
  it.each([
    'هل يمكنكم إرسال فريق للرش؟',
    'هل تمت الموافقة على طلبي؟',
    'قدمت على مقابلة الوالي، هل تحدد الموعد؟',
    'لازم تردمونها اليوم',
    'هل بالإمكان ردم الحفرة اللي قدام بيتي؟',
    'abi mu5ayam fi el bar hal shita',
  ])('«%s» does not', (text) => {
    expect(asks(text)).toBe(false);
  });
});

describe("a grievance about the writer's request", () => {
  const grieves = (text: string, filing = false): boolean => complainsAboutRequest(normalizeForMatch(text), { anger: false, delay: false }, text, filing);
  it.each([
    'رفضوا طلبي بدون سبب',
    "6alabi marfoo'6 w ma 3a6oni sabab",
    'my application was rejected twice',
    'قدمت من شهر ولا أحد جا',
    'I applied weeks ago and nobody called',
  ])('«%s» is a grievance', (text) => {
    expect(grieves(text)).toBe(true);
  });
  it.each(['طلبي انرفض ولا للحين تحت الدراسة؟', 'what if my request is rejected?', 'وين وصل طلبي؟', 'الحمد لله ما حد تضرر، ودي أقدم طلب إصلاح'])(
    '«%s» is not',
    (text) => {
      expect(grieves(text)).toBe(false);
    },
  );
  it('neglect stated without naming a request is a grievance unless the message files a service', () => {
    expect(grieves('ما حد يرد عليكم نهائياً')).toBe(true);
    expect(grieves('ما حد يرد عليكم نهائياً', true)).toBe(false);
  });
});

describe("someone else's violation", () => {
  it.each([
    'جاري يبني دور زيادة بدون تصريح',
    'a shop put its tables on the pavement without a permit',
    'مطعم يبيع أكل منتهي',
    'بلاغ عن سور يتعدى على الطريق العام',
    'wa7ed fat7 kofi bdoon tasree7',
  ])('«%s» reports a violation', (text) => {
    expect(reportsViolation(normalizeForMatch(text))).toBe(true);
  });
  it.each([
    'ابي تصريح اسكر الليوان',
    'I want a permit for the space in front of my shop',
    'كلاب سايبة عند بيت جارنا',
    'I want a permit for my shop front, the neighbour has one without permit',
  ])('«%s» does not', (text) => {
    expect(reportsViolation(normalizeForMatch(text))).toBe(false);
  });
  it.each(['I have a complaint about the noise from the workshop', 'عندي شكوى على الورشة اللي جنبنا ازعاج طول الليل'])(
    '«%s» read as a complaint stays one: its writer calls it so',
    (text) => {
      const complaint = { language: 'en', intent: 'complaint', service: null, confidence: 0.9 } as const;
      expect(reportsViolation(normalizeForMatch(text))).toBe(true);
      expect(applyCues(complaint, text).intent).toBe('complaint');
      expect(applyCues({ ...complaint, intent: 'procedural_request' }, text).intent).toBe('report');
    },
  );
});

describe('forecasts and requests addressed to the office', () => {
  it('a question whether it will rain tomorrow is a forecast; damage after the rain is not', () => {
    expect(asksForecast(normalizeForMatch('بكرة بتمطر؟'), 'بكرة بتمطر؟')).toBe(true);
    expect(asksForecast(normalizeForMatch('will it rain tomorrow?'), 'will it rain tomorrow?')).toBe(true);
    expect(asksForecast(normalizeForMatch('المطر خرب الطريق'), 'المطر خرب الطريق')).toBe(false);
  });
  it('«هل يمكنكم إرسال…» and "can you send someone…" ask the office to act', () => {
    expect(requestsAction(normalizeForMatch('هل يمكنكم ارسال فريق للرش؟'))).toBe(true);
    expect(requestsAction(normalizeForMatch('can you send someone to fill the hole?'))).toBe(true);
    expect(requestsAction(normalizeForMatch('can you tell me the fee?'))).toBe(false);
    expect(requestsAction(normalizeForMatch('هل بالإمكان ردم الحفرة اللي قدام بيتي؟'))).toBe(true);
    expect(requestsAction(normalizeForMatch('هل يمكن ردم الحفر داخل المزارع الخاصة؟'))).toBe(false);
  });
});
