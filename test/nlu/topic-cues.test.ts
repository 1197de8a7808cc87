import { describe, expect, it } from 'vitest';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';
import { applyCues } from '../../bot/nlu/reframe.js';
import { asksAfterOwnRequest, asksGeneralKnowledge, namesWeather, voicesNeed } from '../../bot/nlu/topic-cues.js';
import { as } from '../helpers/classification.js';

const n = normalizeForMatch;

describe('general-knowledge questions', () => {
  it.each([
    'منو والي صحار الحين؟',
    'من هو محافظ ظفار؟',
    'كم ولاية في محافظة الداخلية؟',
    'متى تأسست بلدية البريمي؟',
    'mnu el wali 7ag ibri?',
    'who is the governor of Dhofar?',
    'how many wilayats does Dhofar have?',
    'is the old fort open on saturday?',
    'اكتب لي قصيدة عن الوطن',
    'هل يمكنكم مساعدتي في كتابة سيرة ذاتية؟',
    'can you help me write a CV?',
    'write me a poem about buraimi',
  ])('«%s» asks general knowledge or a piece of writing: nobody’s service', (text) => {
    expect(asksGeneralKnowledge(n(text))).toBe(true);
    expect(applyCues(as('inquiry', 'wali-meeting'), text).intent).toBe('unknown');
  });

  it.each([
    'ابي موعد مع الوالي',
    'ابي اكتب شكوى على البلدية',
    'write a complaint about the potholes',
    'abi aqabil el wali',
    'I want to meet the governor next week',
    'كم يوم تاخذ مقابلة المحافظ؟',
    'هل يشترط أن أكون من سكان الولاية لطلب المخيم؟',
  ])('«%s» is no quiz (a meeting, a wish, a service question)', (text) => {
    expect(asksGeneralKnowledge(n(text))).toBe(false);
  });
});

describe('the progress of the writer’s own request, naming the service', () => {
  it.each([
    'طلب ردم الحفرة حقي وين وصل؟',
    'معاملة المخيم اللي قدمتها فيها جديد؟',
    'أرجو إفادتي بمستجدات طلب غلق الليوان المقدم مني',
    '6alab el rash ma3i shu 9ar?',
    'what happened to my stray dogs request?',
    'any update on the training application?',
    'موعد مقابلة الوالي تحدد؟',
    'رقم الطلب ١٢٤٥٨، ابغى اعرف حالته',
    'الطلب رقم 4521 وش صار عليه؟',
    'request no 88213, any news?',
    'BUR-2026-00731 وين وصل؟',
    'طلب المخيم حقي انرفض ولا للحين تحت الدراسة؟',
    'طلب التدريب حق بنتي انقبل ولا للحين؟',
    'أين وصل طلب التدريب الخاص بي؟',
    'أريد معرفة وضع الطلب الذي أرسلته يوم الأحد',
    'وصلكم طلب الرش ولا اعيد ارسله؟',
    'wsl 6alabi walla la?',
    'Is my pothole request still open or closed?',
  ])('«%s» asks after the request', (text) => {
    expect(asksAfterOwnRequest(n(text))).toBe(true);
    expect(applyCues(as('procedural_request', 'potholes'), text).intent).toBe('status');
  });

  it.each([
    'ابي اقدم طلب ردم حفرة جديد',
    'كم ياخذ طلب الليوان عادة؟',
    'if I apply for training, what happened to the old rule?',
    'رقم الطلب ١٢٤٥٨، ابي اضيف صورة',
    'رقم هاتفي 99123456 وابي اعرف وش صار',
    'ابي اعرف وضع المقهى المتحرك، مسموح في الحارة؟',
    'الطلب لازم ينرسل ولا لا؟',
  ])('«%s» is no look-up', (text) => {
    expect(asksAfterOwnRequest(n(text))).toBe(false);
  });
});

describe('a need told as a story', () => {
  it('a grievance about the place that ends in a plea asks for the service the service network guesses', () => {
    const text = 'الحشرات مالية البيت وجربنا كل شي، نبي فريق يرش';
    expect(voicesNeed(n(text))).toBe(true);
    const got = applyCues(as('complaint'), text, { service: 'pest-control', score: 0.6 });
    expect(got.intent).toBe('procedural_request');
    expect(got.service).toBe('pest-control');
  });
  it('without a guessed service, a named complaint, a hazard or a grievance about a request, it stays', () => {
    expect(applyCues(as('complaint'), 'الحشرات مالية البيت، نبي فريق يرش').intent).toBe('complaint');
    const guess = { service: 'pest-control', score: 0.6 };
    expect(applyCues(as('complaint'), 'عندي شكوى، الحشرات مالية البيت ونبي حل', guess).intent).toBe('complaint');
    expect(applyCues(as('report'), 'ابي ابلغ عن عمود انارة طايح', guess).intent).toBe('report');
    expect(applyCues(as('complaint'), 'قدمت طلب رش من شهر ولا احد جا، نبي حل', guess).intent).toBe('complaint');
  });
});

describe('weather damage needs weather', () => {
  it('a fallen tree with no rain, wind or flood named is a hazard to report', () => {
    expect(namesWeather(n('الشجرة طايحة على الشارع'))).toBe(false);
    expect(applyCues(as('procedural_request', 'weather-damage'), 'الشجرة طايحة على الشارع').intent).toBe('report');
  });
  it('the same after a storm stays a repair', () => {
    expect(namesWeather(n('بعد العاصفة الشجرة طايحة على السور'))).toBe(true);
    expect(applyCues(as('procedural_request', 'weather-damage'), 'بعد العاصفة الشجرة طايحة على السور').intent).toBe('procedural_request');
  });
});

describe('a broken or dangerous public fixture', () => {
  it.each(['عمود الإنارة مايل على الشارع وخايفين يطيح', 'the street lamp pole is leaning over the road, looks dangerous'])(
    '«%s» read as a filing is a report',
    (text) => {
      expect(applyCues(as('procedural_request', 'potholes'), text)).toMatchObject({ intent: 'report', service: null });
    },
  );
  it('stays a filing when weather is named or a need voiced', () => {
    expect(applyCues(as('procedural_request', 'weather-damage'), 'الريح طيحت عمود في حوشنا').intent).toBe('procedural_request');
    expect(applyCues(as('procedural_request', 'equipment-general'), 'شجرة طايحة على الطريق، نبي شيول يشيلها').intent).toBe('procedural_request');
  });
});
