import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../bot/core/errors.js';
import { defaultConfigDir } from '../../bot/core/paths.js';
import type { Intent, Language } from '../../bot/core/types.js';
import { createClassifier, type NeuralClassifier, SEED_CACHE_ENV } from '../../bot/nlu/classifier.js';
import { compileNetwork, runCompiled } from '../../bot/nlu/compiled-network.js';
import { extractFeatureSets, extractFeatureVectors, toFeatures } from '../../bot/nlu/features.js';
import { trainNetworks } from '../../bot/nlu/model.js';
import { normalizeForMatch } from '../../bot/nlu/normalize.js';
import { loadTrainingData } from '../../bot/nlu/training-data.js';
import { blindFiles, devFiles, evaluate, loadLabelled } from '../eval/evaluate.js';

// One trained instance for the file (the default cache in the OS temp folder makes later runs instant).
let classifier: NeuralClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
}, 300_000);

type Case = [text: string, intent: Intent, service: string | null, language: Language];

const INTENT_CASES: Case[] = [
  ['السلام عليكم ورحمة الله وبركاته يا الربع', 'greeting', null, 'ar'],
  ['hello, good morning', 'greeting', null, 'en'],
  ['salam alaikum ya akhoy', 'greeting', null, 'ar'],
  ['مشكورين ما قصرتوا', 'thanks', null, 'ar'],
  ['thank you very much for the help', 'thanks', null, 'en'],
  ['shukran wayed', 'thanks', null, 'ar'],
  ['متى يبدأ دوامكم؟', 'inquiry', null, 'ar'],
  ['what is your phone number?', 'inquiry', null, 'en'],
  ['وين وصل طلبي BUR-2026-00001', 'status', null, 'ar'],
  ['status of my request BUR-2026-00001', 'status', null, 'en'],
  ['track my application', 'status', null, 'en'],
  ['wain wasal talabi', 'status', null, 'ar'],
  ['عندي شكوى على الموظف', 'complaint', null, 'ar'],
  ['I want to complain about the service', 'complaint', null, 'en'],
  ['أقترح إضافة حدائق للأطفال', 'suggestion', null, 'ar'],
  ['I suggest adding online payment', 'suggestion', null, 'en'],
  ['أبلغ عن محل يبيع أغذية منتهية', 'report', null, 'ar'],
  ['I want to report a building violation', 'report', null, 'en'],
  ['أبي أقدم طلب جديد', 'procedural_request', null, 'ar'],
  ['I want to submit a new request', 'procedural_request', null, 'en'],
  ['ابي اكلم موظف', 'agent', null, 'ar'],
  ['agent please', 'agent', null, 'en'],
  ['talk to a person', 'agent', null, 'en'],
  ['كم سعر الذهب اليوم', 'unknown', null, 'ar'],
  ['who won the football match', 'unknown', null, 'en'],
  ['asdkjhqwe zxmnb', 'unknown', null, 'en'],
];

const SERVICE_CASES: Case[] = [
  ['ابي موعد مع سعادة المحافظ', 'procedural_request', 'governor-meeting', 'ar'],
  ['I want to book a meeting with the Governor', 'procedural_request', 'governor-meeting', 'en'],
  ['أبي أقابل الوالي', 'procedural_request', 'wali-meeting', 'ar'],
  ['I would like to meet the wali', 'procedural_request', 'wali-meeting', 'en'],
  ['أبي أقدم على تدريب في المحافظة', 'procedural_request', 'training', 'ar'],
  ['I want to apply for an internship', 'procedural_request', 'training', 'en'],
  ['أبي تصريح مخيم شتوي', 'procedural_request', 'winter-camps', 'ar'],
  ['I want a winter camp permit', 'procedural_request', 'winter-camps', 'en'],
  ['أبغى أطلب ردم حفرة قدام البيت', 'procedural_request', 'potholes', 'ar'],
  ['there is a pothole in front of my house', 'procedural_request', 'potholes', 'en'],
  ['المطر خرب سور البيت', 'procedural_request', 'weather-damage', 'ar'],
  ['the storm damaged my wall', 'procedural_request', 'weather-damage', 'en'],
  ['الوادي يدخل بيتنا كل سنة', 'procedural_request', 'wadi-protection', 'ar'],
  ['we need protection from the wadi floods', 'procedural_request', 'wadi-protection', 'en'],
  ['أحتاج شيول من البلدية', 'procedural_request', 'equipment-general', 'ar'],
  ['I need a loader from the municipality', 'procedural_request', 'equipment-general', 'en'],
  ['أنا بائع متجول وأبي موقع', 'procedural_request', 'mobile-vendors', 'ar'],
  ['I need a spot for my vegetable stall', 'procedural_request', 'mobile-vendors', 'en'],
  ['أبي موقع لعربة قهوة متنقلة', 'procedural_request', 'mobile-cafe', 'ar'],
  ['I want a location for my coffee truck', 'procedural_request', 'mobile-cafe', 'en'],
  ['كلاب سايبة في الحارة', 'procedural_request', 'stray-animals', 'ar'],
  ['stray dogs in my street', 'procedural_request', 'stray-animals', 'en'],
  ['في فئران في البيت', 'procedural_request', 'pest-control', 'ar'],
  ['there are rats in my kitchen', 'procedural_request', 'pest-control', 'en'],
  ['الزبالة متراكمة في الحارة', 'procedural_request', 'public-cleanliness', 'ar'],
  ['garbage is piling up in our street', 'procedural_request', 'public-cleanliness', 'en'],
  ['أبي أسكر الليوان', 'procedural_request', 'liwan-closure', 'ar'],
  ['I want to close the liwan of my house', 'procedural_request', 'liwan-closure', 'en'],
  ['أبي أحط طاولات قدام المطعم', 'procedural_request', 'commercial-frontage', 'ar'],
  ['I want to put tables in front of my shop', 'procedural_request', 'commercial-frontage', 'en'],
  ['abi radm 7ufra jamb el bait', 'procedural_request', 'potholes', 'ar'],
  ['klab sayba fi el share3', 'procedural_request', 'stray-animals', 'ar'],
  ['كم يوم ياخذ طلب التدريب؟', 'inquiry', 'training', 'ar'],
  ['how long does the winter camp request take?', 'inquiry', 'winter-camps', 'en'],
  ['ما هي المستندات المطلوبة لغلق الليوان؟', 'inquiry', 'liwan-closure', 'ar'],
];

describe('classifier: intents', () => {
  it.each(INTENT_CASES)('%s → %s', async (text, intent, service, language) => {
    const c = await classifier.classify(text);
    expect({ intent: c.intent, service: c.service, language: c.language }).toEqual({ intent, service, language });
    expect(c.confidence).toBeGreaterThanOrEqual(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
  });
});

describe('classifier: services', () => {
  it.each(SERVICE_CASES)('%s → %s / %s', async (text, intent, service, language) => {
    const c = await classifier.classify(text);
    expect({ intent: c.intent, service: c.service, language: c.language }).toEqual({ intent, service, language });
  });
});

describe('classifier: normalization', () => {
  it('Arabic-Indic digits in a reference still read as status', async () => {
    const c = await classifier.classify('وين وصل طلبي رقم BUR-٢٠٢٦-٠٠٠٤٢؟');
    expect(c.intent).toBe('status');
  });
  it('diacritics, tatweel and letter variants do not change the answer', async () => {
    const plain = await classifier.classify('ابغي اطلب ردم حفره قدام البيت');
    const dressed = await classifier.classify('أبْغَى أطْلُــب رَدْم حُفْرَة قُدّام البَيْت');
    expect(dressed).toEqual(plain);
    expect(plain.service).toBe('potholes');
  });
  it('uses the fallback language for a bare reference', async () => {
    expect((await classifier.classify('BUR-2026-00042', 'en')).language).toBe('en');
    expect((await classifier.classify('BUR-2026-00042')).intent).toBe('status');
  });
  it('a very long message is read from its beginning, quickly', async () => {
    const text = 'كلاب سايبة في الحارة تخوف العيال. '.repeat(3_000) + 'x'.repeat(100_000);
    const t0 = performance.now();
    const c = await classifier.classify(text);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(c.service).toBe('stray-animals');
  });
  it('empty and emoji-only messages are unknown', async () => {
    expect((await classifier.classify('')).intent).toBe('unknown');
    expect(await classifier.classify('😂😂😂', 'en')).toMatchObject({ intent: 'unknown', language: 'en', service: null });
  });
});

describe('alternatives', () => {
  it('ranks the candidates, the decided intent and service first', async () => {
    for (const text of ['كم يوم ياخذ طلب التدريب؟', 'عندي شكوى على الموظف', 'stray dogs in my street', 'وين وصل طلبي', 'hello']) {
      const c = await classifier.classify(text);
      expect(c.alternatives?.length, text).toBeGreaterThanOrEqual(2);
      expect(c.alternatives![0]).toMatchObject({ intent: c.intent, service: c.service });
      const rest = c.alternatives!.slice(1).map((a) => a.score);
      expect(rest, text).toEqual([...rest].sort((x, y) => y - x));
    }
  });
});

/** Messages of blind-2026-12 equal to training lines written before it (see the test below). */
const KNOWN_BLIND_OVERLAP = [
  'السلام عليكم',
  'هلا والله',
  'مسا الخير',
  'السلام عليكم 🌹🌹',
  'يسعد صباحكم',
  'اهلين',
  'hello',
  'hey there 👋',
  'الله يعطيكم العافيه',
  'شكرا جزيلا',
  'كفيت ووفيت',
  'thx',
  'ما هو رقم الدعم الفني؟',
  'where is the governorate office located',
  'wain maktab el mu7afatha',
  'ابي اقدم طلب',
  'I want to apply for a service',
  'موظف لو سمحت',
  'كم سعر الذهب اليوم',
  '😴😴',
  'asdfgh',
  // blind-2026-12b (29 lines existed before it was written; «متى تفتحون؟»-like short ones are common wording)
  'السلام عليكم ورحمة الله وبركاته',
  'مرحبا',
  'هلا',
  'صباح الخير 🌞',
  'Hello',
  'hi',
  'Good morning',
  'salam',
  'mar7aba',
  'hala w ghala',
  'شكرا',
  'شكراً جزيلاً',
  'تسلمون 🌹',
  'thank you',
  'shukran',
  'متابعة طلب',
  'كم يوم ياخذ طلب التدريب؟',
  'متى تفتحون؟',
  'هل تعملون يوم السبت؟',
  'ما هي منصة تجاوب؟',
  'what are your working hours',
  'ههههههه',
  'متى رمضان السنة الجاية؟',
  'tell me a joke',
  // blind-2026-12c
  'طلب تدريب',
  'رش حشرات',
  'transfer me to customer service',
  'مساء الخير 🌙',
  'hi there',
  'hala wallah',
  'هاي',
  'helo',
  'مرحبا hello',
  'مرحبا بكم',
  'yslmo 🌹',
  'mashkoreen ma 8a9artu',
  'تسلمون 👍',
  'مشكور',
  'tell me a joke 😂',
  // blind-2026-12d: 8 common short lines that were training lines before it was written, and «wain ajadid el
  // jawaz», which the nlu5 tuner (who never saw the set) wrote as an other-authority line meanwhile.
  'when is my request due',
  'ابي اكلم موظف',
  'live agent',
  'operator',
  'هلا وغلا',
  'thanks a lot',
  'جزاكم الله خيرا',
  'mashkoreen',
  'wain ajadid el jawaz',
  // blind-2026-12e: 7 common short lines equal (after normalization) to training lines written before it
  // (2026-11-24 to 2026-12-01), none by the nlu6 tuner.
  'are you open on saturday',
  'agent please',
  'حولني علي موظف',
  'hala',
  'تسلم',
  'مشكور اخوي',
  'السلام عليكم موجودين',
  // blind-2026-12f: 4 common lines equal (after normalization) to training lines written before it
  // (in config/nlu at 07f935e, before the set was committed), none by the nlu7 tuner.
  'ليش ترفضون طلبي كل مره هذا ظلم',
  'اسعد الله صباحكم',
  'شكرا علي الرد السريع',
  'السلام عليكم يا اهل الخير',
  // blind-2026-12g: 9 common lines equal (after normalization) to training lines already in config/nlu at
  // 27a9468, before the set was committed (039fb94); none added by the nlu8 tuner.
  'طاب يومكم',
  'hey',
  'مشكورين',
  'شكرا لكم',
  'thanks',
  'appreciate it',
  'mashkoor',
  'tislamoon',
  'ممكن موظف يكلمني',
  // blind-2026-12h: 13 short lines (bare service names, greetings, thanks, «complaint», «lol») equal (after
  // normalization) to training lines already in config/nlu at f5a3541, before the set was committed (3857d90).
  'مقابله الوالي',
  'حمايه من الوادي',
  'غلق ليوان',
  'المساحه الاماميه للمحل',
  'متي بيخلص طلبي',
  'complaint',
  'اقتراح',
  'suggestion',
  'يا هلا',
  'tislam',
  'ما قصرتوا',
  'بارك الله فيكم',
  'lol',
  // blind-2026-12i: 13 short lines (greetings, thanks, «I have a complaint», office hours, a wali appointment in
  // Arabizi) equal (after normalization) to training lines already in config/nlu at 4045315, before the set was
  // committed (a60e8ba); none added by the nlu10 tuner (it added no training line).
  'abgha maw3ed 3nd el wali',
  'abi asakir el liwan',
  'شو أوقات الدوام عندكم؟',
  'وين مكتب المحافظة بالضبط؟',
  'هل تمت الموافقة على طلبي؟',
  'عندي شكوى',
  '3ndi shakwa',
  'connect me with customer service',
  'marhaba',
  'صبحكم الله بالخير',
  'hi مرحبا',
  'assalamu alaikum',
  'تمام شكرا',
  // blind-2026-12j: 13 short lines (bare service names, «what can you do», "are you a robot?", greetings) equal
  // (after normalization) to training lines already in config/nlu at e02c282, before the set was committed
  // (ad2a03b); the nlu11 tuner added no training line.
  'طلب مقابلة المحافظ',
  'إصلاح أضرار الأنواء المناخية',
  'حماية المنازل من الأودية',
  'القبض على الحيوانات السائبة',
  'what can you do',
  'how do i cancel a request i sent by mistake?',
  'I want to file a complaint',
  'أريد التحدث مع موظف',
  'Good evening',
  'thank you يا اخوي',
  'شيول',
  'pothole',
  'are you a robot?',
  // blind-2026-12k: its lines equal to training lines that existed before it was written (at 8fede53).
  'شو المطلوب عشان اقابل الوالي؟',
  'مساكم الله بالخير',
  'كيف الغي طلب قدمته بالغلط؟',
  // blind-2026-12l: its lines equal to training lines that existed before it was written (at 41bf241).
  'الدوام عندكم لين كم الساعة؟',
  'وين مكان مبنى المحافظة بالضبط؟',
  'shakwa 3la el baladiya',
  'who won the match yesterday',
  // blind-2026-12m: 19 more lines equal to training lines of files older than the set (greetings, thanks, bare service names, short questions; none of the nlu14 files).
  'مقابلة الوالي',
  'طلب تحديد موقع لمقهى متحرك',
  'تسكير ليوان',
  'what can you do?',
  'wain maktab el baladiya fi el buraimi?',
  'تقديم شكوى',
  'كم سعر الذهب اليوم؟',
  'متى تطلع نتايج الدبلوم العام؟',
  'تحويل لموظف',
  'الله يعطيكم العافية',
  'جزاكم الله خيراً',
  'Much appreciated 🙏',
  'صباح الخير',
  'هلا وغلا 🌷',
  'مرحباً',
  'أسعد الله صباحكم',
  'Hi',
  'Good morning!',
  'hey 👋',
  // blind-2026-12n: 14 more lines equal to training lines of files older than the set (greetings, thanks, bare service names, short questions; none of the nlu14 files).
  'abi asakkir el liwan',
  'المساحة الامامية للمحل',
  'thanks a lot!',
  'أبغى أجدد ملكية السيارة، وين أروح؟',
  'whats ur whatsapp number',
  'Hello there',
  'Can I write to you in English or only Arabic?',
  'thank you وايد',
  'الله يجزاكم خير، وصلت المعلومة',
  'جزاكم الله خيرًا',
  'kam raqam el call center?',
  'what is tajawob',
  'good morning',
  'مساء الخير',
  // blind-2026-12o: 8 more lines equal to training lines of files older than the set (greetings, thanks, bare service names, short questions; none of the nlu14 files).
  'tislamoon 🙏',
  'المخيمات الشتوية متى يفتح التسجيل فيها هالسنة؟',
  'حفره',
  'Tell me a joke',
  'marhaba 👋',
  'طلب إغلاق ليوان',
  'Who won the match yesterday?',
  'shukran 3la el rad',
  // blind-2026-12p: its lines equal to training lines that existed before it was written (at 4d148be: greetings, thanks, bare service names, short questions).
  'Governor meeting request',
  'مقابلة الوالي',
  'طلب تدريب',
  'Wadi protection for my house',
  'mobile vendor site',
  'pest control',
  'liwan closing',
  'رش الحشرات داخل البيت بفلوس ولا مجاني؟',
  'What are your working hours?',
  'complaint',
  'how to renew my visa',
  'tell me a joke',
  'كم سعر الذهب اليوم؟',
  'أريد التحدث مع موظف',
  'جزاكم الله خيراً',
  'الله يعطيكم العافية',
  'thanks a lot!',
  'thx',
  'السلام عليكم ورحمة الله وبركاته',
  'مرحباً',
  'صباح الخير',
  'مساء الخير',
  'هلا',
  'هلا والله',
  'hi',
  'Hello 👋',
  'good morning',
  'Hey there',
  'salam',
  'marhaba',
  // blind-2026-12q: the same, at 4d148be.
  'طلب تدريب',
  'training request',
  'Pothole',
  'حماية المنازل من الأودية',
  'wadi protection',
  'mobile vendor site',
  'القبض على الحيوانات السائبة',
  'غلق ليوان',
  'liwan closure',
  'هل يعمل هذا المساعد الآلي على مدار الساعة؟',
  'هل تمت الموافقة على طلبي الخاص باستغلال واجهة المحل؟',
  'Request status',
  'complaint',
  'ما موعد صرف رواتب المتقاعدين هذا الشهر؟',
  'how to renew my resident card?',
  'tell me a joke',
  'تحويل لموظف',
  'تسلمون',
  'بارك الله فيكم',
  'mashkoor',
  'هلا والله',
  'السلام عليكم ورحمة الله وبركاته',
  'مرحباً',
  'صباح الخير',
  'السلام عليكم',
  'Hello',
  'good morning',
  'hi there 👋',
  'marhaba',
  'hala wallah',
];

describe('filings and their service', () => {
  it('a filing that names no service gets none, so the bot asks which (FILING_SERVICE_SCORE takes only a named one)', async () => {
    for (const text of ['أبغى أقدم طلب', 'ودي أرفع طلب', 'I want to submit a request', 'new request', 'طلب جديد', 'please help me file a request']) {
      const c = await classifier.classify(text);
      expect(c.intent, text).toBe('procedural_request');
      expect(c.service, text).toBeNull();
    }
  });
});

describe('evaluation sets', () => {
  const sets = [loadLabelled(), ...blindFiles().map((f) => loadLabelled(f))];
  it('share no line with the training utterances (after normalization)', () => {
    const training = new Set(loadTrainingData(defaultConfigDir).utterances.map((u) => normalizeForMatch(u.text)));
    expect(sets[0]!.length).toBeGreaterThanOrEqual(330);
    // A blind set is frozen. blind-2026-12 was written without reading config/nlu/; 21 of its common short
    // messages turned out equal to training lines that existed before it (greetings, «hello», «thx» …).
    // They are listed; any other overlap means a training line was copied from a blind set.
    const known = new Set(KNOWN_BLIND_OVERLAP.map(normalizeForMatch));
    for (const [n, items] of [...sets, ...devFiles().map((f) => loadLabelled(f))].entries()) {
      const overlap = items.map((i) => normalizeForMatch(i.text)).filter((t) => training.has(t) && (n === 0 || n >= sets.length ? t !== '' : !known.has(t)));
      expect(overlap).toEqual([]);
    }
  });
  it('cover every intent, every service and every variety', () => {
    const services = loadTrainingData(defaultConfigDir).serviceIds;
    for (const items of sets) {
      for (const s of services) expect(items.filter((i) => i.service === s).length, s).toBeGreaterThanOrEqual(5);
      for (const v of ['msa', 'gulf', 'en', 'arabizi']) expect(items.some((i) => i.variety === v)).toBe(true);
    }
    expect(blindFiles().length).toBeGreaterThanOrEqual(1);
    const blind = loadLabelled(blindFiles()[0]);
    expect(blind.length).toBeGreaterThanOrEqual(300);
    expect(blind.some((i) => i.variety === 'mixed')).toBe(true);
  });
  it('the labelled set: at least 97% route, 96.5% intent and 97% service accuracy, under 5% clarification (quality gate)', async () => {
    const report = await evaluate(classifier, loadLabelled(), { timingRounds: 1 });
    expect(report.routeAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(report.intentAccuracy).toBeGreaterThanOrEqual(0.965);
    expect(report.serviceAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(report.languageAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(report.clarificationRate).toBeLessThan(0.05);
  });
});

/**
 * Regression floors of the blind sets: each set's ONE measurement with the model it was written for,
 * minus a margin of about two points (blind-2026-12: route 94.6%, intent 94.6%, service 96.0%,
 * clarification 3.6%, measured on 2026-12-01 at commit 0e29826). Never raise a floor by tuning on the set.
 * Raised after the nlu3 work, which was tuned on its own development set and k-fold only (blind-2026-12 as a
 * regression: route 96.9%, intent 96.3%, service 98.4%, clarification 3.3%), with a margin of about two points.
 */
const BLIND_FLOORS: Record<string, { route: number; intent: number; service: number; maxClarification: number }> = {
  'blind-2026-12.yaml': { route: 0.95, intent: 0.945, service: 0.965, maxClarification: 0.05 },
  // Measured once on 2026-12-02 at commit ddf61ce: route 95.2%, intent 94.9%, service 96.1%, clarification 4.9%.
  'blind-2026-12b.yaml': { route: 0.93, intent: 0.925, service: 0.94, maxClarification: 0.065 },
  // Measured once on 2026-12-02 at commit b26749f: route 92.0%, intent 91.2%, service 90.9%, clarification 3.0%.
  'blind-2026-12c.yaml': { route: 0.9, intent: 0.89, service: 0.885, maxClarification: 0.05 },
  // Measured once on 2026-12-02 at commit 9c88e13: route 96.0%, intent 95.4%, service 96.1%, clarification 2.6%.
  'blind-2026-12d.yaml': { route: 0.94, intent: 0.935, service: 0.94, maxClarification: 0.045 },
  // Measured once on 2026-12-02 at commit 6b7e45a: route 94.9%, intent 94.0%, service 96.4%, clarification 2.8%.
  'blind-2026-12e.yaml': { route: 0.93, intent: 0.92, service: 0.945, maxClarification: 0.045 },
  // Measured once on 2026-12-02 at commit 79cce48: route 95.3%, intent 94.5%, service 97.0%, clarification 3.4%.
  'blind-2026-12f.yaml': { route: 0.93, intent: 0.925, service: 0.95, maxClarification: 0.055 },
  // Measured once on 2026-12-02 at commit e389935: route 94.2%, intent 93.2%, service 95.7%, clarification 2.6%.
  'blind-2026-12g.yaml': { route: 0.92, intent: 0.91, service: 0.935, maxClarification: 0.045 },
  // Measured once on 2026-12-02 at commit ae7420d: route 95.0%, intent 94.3%, service 95.9%, clarification 1.9%.
  'blind-2026-12h.yaml': { route: 0.93, intent: 0.92, service: 0.94, maxClarification: 0.04 },
  // Measured once on 2026-12-02 at commit 54dac39: route 96.1%, intent 95.7%, service 95.5%, clarification 2.7%.
  'blind-2026-12i.yaml': { route: 0.94, intent: 0.935, service: 0.935, maxClarification: 0.045 },
  // Measured once on 2026-12-02 at commit ec035ee: route 93.1%, intent 92.6%, service 94.9%, clarification 2.2%.
  'blind-2026-12j.yaml': { route: 0.91, intent: 0.905, service: 0.93, maxClarification: 0.04 },
  // Measured once on 2026-12-03 at commit 41bf241: route 96.7%, intent 96.5%, service 97.6%, clarification 2.2%.
  'blind-2026-12k.yaml': { route: 0.945, intent: 0.94, service: 0.955, maxClarification: 0.045 },
  // Measured once on 2026-12-03 at commit 99fde66: route 95.3%, intent 94.8%, service 97.6%, clarification 2.5%.
  'blind-2026-12l.yaml': { route: 0.93, intent: 0.925, service: 0.955, maxClarification: 0.045 },
  // Measured once on 2026-12-03 at commit 1c33eee: route 97.4%, intent 97.0%, service 97.2%, clarification 2.2%.
  'blind-2026-12m.yaml': { route: 0.955, intent: 0.95, service: 0.95, maxClarification: 0.045 },
  // Measured once on 2026-12-03 at commit 1c33eee: route 96.6%, intent 96.4%, service 98.8%, clarification 3.5%.
  'blind-2026-12n.yaml': { route: 0.945, intent: 0.94, service: 0.965, maxClarification: 0.055 },
  // Measured once on 2026-12-03 at commit 6d452f5: route 96.6%, intent 95.8%, service 98.4%, clarification 3.6%.
  'blind-2026-12o.yaml': { route: 0.945, intent: 0.935, service: 0.96, maxClarification: 0.055 },
  // Measured once on 2026-12-03 at commit 0b2f94d: route 96.8%, intent 95.8%, service 98.8%, clarification 3.6%.
  'blind-2026-12p.yaml': { route: 0.945, intent: 0.935, service: 0.965, maxClarification: 0.055 },
  // Measured once on 2026-12-03 at commit 0b2f94d: route 97.6%, intent 97.4%, service 99.2%, clarification 2.5%.
  'blind-2026-12q.yaml': { route: 0.955, intent: 0.95, service: 0.97, maxClarification: 0.045 },
};

describe('blind sets (regression floors)', () => {
  it.each(blindFiles().map((f) => [basename(f), f]))('%s stays above its floor', async (name, file) => {
    const floor = BLIND_FLOORS[name];
    expect(floor, `no floor for ${name}: measure it once and add one`).toBeDefined();
    const report = await evaluate(classifier, loadLabelled(file), { timingRounds: 1 });
    expect(report.routeAccuracy).toBeGreaterThanOrEqual(floor!.route);
    expect(report.intentAccuracy).toBeGreaterThanOrEqual(floor!.intent);
    expect(report.serviceAccuracy).toBeGreaterThanOrEqual(floor!.service);
    expect(report.clarificationRate).toBeLessThanOrEqual(floor!.maxClarification);
    expect(report.languageAccuracy).toBeGreaterThanOrEqual(0.97);
  });
});

describe('training data and cache', () => {
  it('rejects an unknown intent or service id in the utterance files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tawasul-nlu-cfg-'));
    cpSync(join(defaultConfigDir, 'services.yaml'), join(dir, 'services.yaml'));
    mkdirSync(join(dir, 'nlu'));
    writeFileSync(join(dir, 'nlu', 'x.yaml'), 'language: en\nintents:\n  chitchat: [hello]\n');
    expect(() => loadTrainingData(dir)).toThrow(ConfigError);
    writeFileSync(join(dir, 'nlu', 'x.yaml'), 'language: en\nservices:\n  no-such-service: [help]\n');
    expect(() => loadTrainingData(dir)).toThrow(/unknown service/);
  });
  it('trains deterministically and reloads the same model from the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tawasul-nlu-cfg-'));
    cpSync(join(defaultConfigDir, 'services.yaml'), join(dir, 'services.yaml'));
    mkdirSync(join(dir, 'nlu'));
    writeFileSync(
      join(dir, 'nlu', 'small.yaml'),
      [
        'language: en',
        'intents:',
        '  greeting: [hello, hi there, good morning]',
        '  thanks: [thank you, thanks a lot, cheers]',
        'services:',
        '  potholes: [there is a pothole, fill the hole in the road]',
        '  stray-animals: [stray dogs in the street, loose camels on the road]',
      ].join('\n'),
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'tawasul-nlu-cache-'));
    const a = await createClassifier({ configDir: dir, cacheDir: false, shared: false });
    const b = await createClassifier({ configDir: dir, cacheDir, shared: false });
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const first = readFileSync(join(cacheDir, files[0]!), 'utf8');
    const c = await createClassifier({ configDir: dir, cacheDir, shared: false });
    expect(readFileSync(join(cacheDir, files[0]!), 'utf8')).toBe(first);
    const texts = ['hello', 'thanks', 'a pothole', 'stray dogs', 'something else'];
    for (const t of texts) {
      expect(await b.classify(t)).toEqual(await a.classify(t));
      expect(await c.classify(t)).toEqual(await a.classify(t));
    }
  });
  it('starts from a seed cache named by TAWASUL_NLU_SEED_CACHE when its own cache has no model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tawasul-nlu-cfg-'));
    cpSync(join(defaultConfigDir, 'services.yaml'), join(dir, 'services.yaml'));
    mkdirSync(join(dir, 'nlu'));
    writeFileSync(join(dir, 'nlu', 'small.yaml'), 'language: en\nintents:\n  greeting: [hello, hi there]\n  thanks: [thank you, thanks a lot]\n');
    const seed = mkdtempSync(join(tmpdir(), 'tawasul-nlu-seed-'));
    await createClassifier({ configDir: dir, cacheDir: seed, shared: false });
    const [file] = readdirSync(seed).filter((f) => f.endsWith('.json'));
    // A recognizable seed: the same model with an empty vocabulary reads every message as unknown.
    const json = JSON.parse(readFileSync(join(seed, file!), 'utf8')) as { vocabulary: string[] };
    writeFileSync(join(seed, file!), JSON.stringify({ ...json, vocabulary: [] }));
    const own = mkdtempSync(join(tmpdir(), 'tawasul-nlu-own-'));
    const previous = process.env[SEED_CACHE_ENV];
    process.env[SEED_CACHE_ENV] = seed;
    try {
      const seeded = await createClassifier({ configDir: dir, cacheDir: own, shared: false });
      expect((await seeded.classify('hello')).intent).toBe('unknown');
      expect(readdirSync(own)).toEqual([file]);
    } finally {
      if (previous === undefined) delete process.env[SEED_CACHE_ENV];
      else process.env[SEED_CACHE_ENV] = previous;
    }
    delete process.env[SEED_CACHE_ENV];
    const trained = await createClassifier({ configDir: dir, cacheDir: false, shared: false });
    if (previous !== undefined) process.env[SEED_CACHE_ENV] = previous;
    expect((await trained.classify('hello')).intent).toBe('greeting');
  });
  it('the compiled scoring gives what the NLP.js network gives', () => {
    const models = trainNetworks(loadTrainingData(defaultConfigDir).utterances.filter((_, i) => i % 10 === 0));
    const compiled = compileNetwork(models.intent);
    for (const text of ['ابي اكلم موظف', 'stray dogs in my street', 'wain wasal talabi', 'كم سعر الذهب']) {
      const { all } = extractFeatureSets(text);
      const expected = models.intent.run(all)!;
      const got = runCompiled(compiled, all);
      for (const [label, value] of Object.entries(expected)) expect(got[label]!, label).toBeCloseTo(value, 5);
      // The vectors the classifier scores are the same bag, in the same order: the same outputs to the last bit.
      const vectors = extractFeatureVectors(text);
      expect(Object.entries(toFeatures(vectors.all))).toEqual(Object.entries(all));
      expect(toFeatures(vectors.content)).toEqual(extractFeatureSets(text).content);
      expect(runCompiled(compiled, vectors.all)).toEqual(got);
    }
  });
});
