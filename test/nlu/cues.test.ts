import { describe, expect, it } from 'vitest';
import { asksAboutService, followsUpRequest, suggestsChange } from '../../bot/nlu/cues.js';
import { conceptOf } from '../../bot/nlu/lexicon.js';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';

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

describe('concepts', () => {
  it('reads careless or sloppy work as anger', () => {
    expect(conceptOf('sloppy')).toBe('anger');
    expect(conceptOf('خايب')).toBe('anger');
  });
});
