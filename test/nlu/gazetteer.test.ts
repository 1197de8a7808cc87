import { beforeAll, describe, expect, it } from 'vitest';
import type { Intent } from '../../bot/core/types.js';
import { createClassifier, type NeuralClassifier } from '../../bot/nlu/classifier.js';
import { elsewhereOnlyAsPlace, extractFeatures } from '../../bot/nlu/features.js';
import { conceptOf } from '../../bot/nlu/lexicon.js';

const concepts = (text: string): string[] =>
  Object.keys(extractFeatures(text))
    .filter((k) => k.startsWith('x:'))
    .map((k) => k.slice(2));

describe('gazetteer concepts', () => {
  it('names another authority’s business in Arabic, English and Arabizi', () => {
    for (const w of ['مستشفي', 'كهربا', 'مخالفه', 'جواز', 'بنك', 'اذان', 'طقس', 'مباراه', 'عمانتل', 'hospital', 'passport', 'fines', 'mustashfa', 'fatoora'])
      expect(conceptOf(w), w).toBe('elsewhere');
  });
  it('names hazards, public fixtures, machines and rubbish', () => {
    for (const w of ['مكسور', 'منفجره', 'طافحه', 'cracked', 'maksoor']) expect(conceptOf(w), w).toBe('hazard');
    for (const w of ['اناره', 'منهول', 'pipe', 'manhole', '3amood']) expect(conceptOf(w), w).toBe('fixture');
    for (const w of ['جريدر', 'رافعه', 'grader', 'crane', 'greder']) expect(conceptOf(w), w).toBe('loader');
    for (const w of ['حاويات', 'litter', '7awiya']) expect(conceptOf(w), w).toBe('rubbish');
  });
  it('finds the concept of an Arabic word with its article and its own plural ending', () => {
    expect(concepts('النفايات متكدسة')).toContain('rubbish');
    expect(concepts('والمستشفى بعيد')).toContain('elsewhere');
  });
});

describe('another authority named only as a place', () => {
  it.each(['كلاب ضالة عند المدرسة', 'حفرة كبيرة قدام المستشفى', 'near the hospital there is a big hole', 'klab 3nd el madrasa', 'dogs on the way to school'])(
    '«%s» names it as a place',
    (text) => {
      expect(elsewhereOnlyAsPlace(text)).toBe(true);
    },
  );
  it.each(['how do I register at the school', 'متى يفتح المستشفى', 'حفرة عند البيت', 'أبي موعد في المستشفى قدام البيت'])('«%s» does not', (text) => {
    expect(elsewhereOnlyAsPlace(text)).toBe(false);
  });
});

describe('Arabizi spellings reach the concept of their Arabic word (consonant skeleton)', () => {
  it.each([
    ['fi 7ofar kbeera fi el share3', 'hole'],
    ['el share3 kolla 7ufar', 'hole'],
    ['zbaala mtraakma wara el souq', 'rubbish'],
    ['el bait malyan sarasser', 'insect'],
    ['fi fe2ran fi el ma6bakh', 'rodent'],
    ['nabi mooqabala ma3 el waali', 'wali'],
    ['ana abi tadreeeb', 'training'],
  ])('%s → %s', (text, concept) => {
    expect(concepts(text)).toContain(concept);
  });
  it('an English word lends its skeleton to no Arabizi word, and a skeleton is read only in an Arabizi message', () => {
    // "cyclone" (rain) and «yes2alni» (he asks me) share a skeleton; only Arabic and digit-spelled words count.
    expect(concepts('el bot yes2alni nafs el so2al')).not.toContain('rain');
    expect(concepts('nice sarsar toy')).not.toContain('insect');
    expect(concepts('fi sarsar fi el bait')).toContain('insect');
    // Another authority's words lend none (خادمة, a maid, and «5edma», service).
    expect(concepts('el 5edma sayy2a')).not.toContain('elsewhere');
  });
  it('a skeleton two concepts share goes to the one with more words (حفرة over حفارة)', () => {
    expect(concepts('fi 7ofrah gdam el bait')).toContain('hole');
  });
});

describe('messages outside the 15 services', () => {
  let classifier: NeuralClassifier;
  beforeAll(async () => {
    classifier = await createClassifier();
  }, 300_000);
  it.each<[string, Intent, string | null]>([
    ['متى يفتح المستوصف يوم الجمعة؟', 'unknown', null],
    ['كم غرامة مخالفة السرعة؟', 'unknown', null],
    ['how do I renew my passport', 'unknown', null],
    ['kaif adfa3 fatoorat el kahraba', 'unknown', null],
    ['عمود إنارة مكسور وطايح على الرصيف', 'report', null],
    ['a burst pipe is flooding the road', 'report', null],
    ['السيل كسر سور البيت وأبي تعويض', 'procedural_request', 'weather-damage'],
    ['كلاب ضالة عند المدرسة كل صباح', 'procedural_request', 'stray-animals'],
    ['fi 7ofra kbeera gdam el mustashfa', 'procedural_request', 'potholes'],
    ['How do I book an appointment at the hospital?', 'unknown', null],
    ['نحتاج جريدر يسوي الطريق الترابي للمزرعة', 'procedural_request', 'equipment-general'],
  ])('%s → %s %s', (text, intent, service) => {
    const c = classifier.classifySync(text);
    expect([c.intent, c.service]).toEqual([intent, service]);
  });
  it('a complaint that voices anger stays a complaint even when it names another authority', () => {
    expect(classifier.classifySync('موظف المستشفى عامل أبوي بطريقة مهينة، هذا استهتار وعيب').intent).toBe('complaint');
  });
});
