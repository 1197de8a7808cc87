/**
 * Turns a message into the bag of features the classifiers see. Spelling variants must share
 * evidence, so besides the normalized word each token gives: its light and Snowball (NLP.js) stems,
 * a "concept" for dialect and synonym words (أبا/أبغى/ودي/abi/want → want), a consonant skeleton for
 * Latin words (Arabizi "mowadhaf"/"muwadhaf" → mwdhf), and character 3-grams of its stem. Word pairs
 * carry the sentence frame ("وين وصل", "how long"). Feature values are scaled so that a long message
 * does not outweigh a short one.
 */
import { createRequire } from 'node:module';
import { maskReferences } from './entities.js';
import { conceptEntries, conceptOf } from './lexicon.js';
import { normalizeForMatch, toAsciiDigits } from './normalize.js';

interface WordStemmer {
  stemWord(word: string): string;
}
const require = createRequire(import.meta.url);
const { StemmerAr } = require('@nlpjs/lang-ar') as { StemmerAr: new () => WordStemmer };
const { StemmerEn } = require('@nlpjs/lang-en-min') as { StemmerEn: new () => WordStemmer };
const arabicStemmer = new StemmerAr();
const englishStemmer = new StemmerEn();

/** Bumped whenever feature extraction changes, so cached models are retrained. */
export const FEATURES_VERSION = 15;

/** A bag of features (feature → weight). */
export type Features = Record<string, number>;

// Emoji that carry an intent of their own, mapped to a word before punctuation is stripped.
const EMOJI_WORDS: Array<[RegExp, string]> = [
  [/[\u{1F64F}\u{2764}\u{1F339}\u{1F490}\u{1F496}\u{1F49A}]/gu, ' thanks '],
  [/[\u{1F44B}]/gu, ' hello '],
  [/[\u{1F44D}\u{1F44C}]/gu, ' ok '],
  [/[\u{1F620}\u{1F621}\u{1F624}\u{1F92C}\u{1F612}]/gu, ' angry '],
];

// English contractions and chat spellings, expanded before tokenizing.
const ENGLISH_SHORT: Array<[RegExp, string]> = [
  [/\b(can)'?t\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\b(what|where|who|how|there|it|that|here)'s\b/g, '$1 is'],
  [/\bi'm\b/g, 'i am'],
  [/\b(\w+)'re\b/g, '$1 are'],
  [/\b(\w+)'ve\b/g, '$1 have'],
  [/\b(\w+)'ll\b/g, '$1 will'],
  [/\b(\w+)'d\b/g, '$1 would'],
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\bpl[sz]\b/g, 'please'],
  [/\bthx\b/g, 'thanks'],
];

const PHONE = /\b(?:968)?[279]\d{7}\b/g;
const NUMBER = /\d+/g;

const AR_PREFIXES = ['وبال', 'فبال', 'وال', 'بال', 'فال', 'كال', 'ولل', 'لل', 'ال', 'و', 'ف', 'ب', 'ل'];
const AR_SUFFIXES = ['هما', 'كم', 'هم', 'ها', 'نا', 'ات', 'ين', 'ون', 'ان', 'يه', 'ه', 'ي', 'ك'];
const ARABIC_WORD = /^[\u0621-\u064a]+$/;
const LATIN_WORD = /^[a-z]+$/;
// Arabizi digits as letters, for a spelling-independent feature ("7ufra" → "hufra").
const ARABIZI_DIGITS: Record<string, string> = { '2': 'a', '3': 'a', '5': 'kh', '6': 't', '7': 'h', '8': 'gh', '9': 's' };

// Function words: they say how something is asked, not which service it is about (left out of the service model).
const FUNCTION_WORDS = new Set([
  'the',
  'a',
  'an',
  'in',
  'on',
  'at',
  'of',
  'to',
  'for',
  'with',
  'from',
  'by',
  'about',
  'near',
  'my',
  'our',
  'your',
  'their',
  'his',
  'her',
  'i',
  'we',
  'you',
  'they',
  'he',
  'she',
  'it',
  'me',
  'us',
  'them',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'am',
  'do',
  'does',
  'did',
  'not',
  'no',
  'and',
  'or',
  'but',
  'this',
  'that',
  'these',
  'those',
  'there',
  'here',
  'please',
  'can',
  'could',
  'would',
  'will',
  'should',
  'want',
  'need',
  'like',
  'have',
  'has',
  'had',
  'some',
  'any',
  'so',
  'very',
  'too',
  'just',
  'also',
  'all',
  'get',
  'got',
  'someone',
  'في',
  'من',
  'عن',
  'علي',
  'الي',
  'لي',
  'ل',
  'و',
  'يا',
  'هذا',
  'هذه',
  'هذي',
  'ذا',
  'اللي',
  'الذي',
  'التي',
  'انا',
  'احنا',
  'نحن',
  'انت',
  'انتم',
  'ابي',
  'ابغي',
  'ابغا',
  'ابا',
  'اريد',
  'ارغب',
  'نبي',
  'نبا',
  'نبغي',
  'ودي',
  'بغيت',
  'لو',
  'سمحت',
  'سمحتوا',
  'ممكن',
  'عندي',
  'عندنا',
  'عند',
  'فيه',
  'مع',
  'او',
  'ثم',
  'كل',
  'بعد',
  'قبل',
  'قد',
  'لقد',
  'هو',
  'هي',
  'هم',
  'كان',
  'يكون',
  'ما',
  'لا',
  'مو',
  'مب',
  'الحين',
  'ان',
  'انه',
  'اذا',
  'abi',
  'abgha',
  'aby',
  'ana',
  'fi',
  'el',
  'al',
  'min',
  'lo',
  'ya',
  '3nd',
  '3ndi',
  'ma',
  'w',
  'la',
]);

/** Strips one common Arabic prefix and one suffix, keeping at least three letters. */
export function lightStemArabic(word: string): string {
  let w = word;
  const prefix = AR_PREFIXES.find((p) => w.startsWith(p) && w.length - p.length >= 3);
  if (prefix) w = w.slice(prefix.length);
  const suffix = AR_SUFFIXES.find((s) => w.endsWith(s) && w.length - s.length >= 3);
  if (suffix) w = w.slice(0, -suffix.length);
  return w;
}

/** The normalized tokens of a message (letters repeated 3+ times kept once), with placeholders for references, phones and numbers. */
export function tokenize(text: string): string[] {
  // References first: collapsing repeated letters below would break one such as BUR-2026-AAAK-7M2X.
  let t = maskReferences(toAsciiDigits(text), ' zref ').replace(/[\u2018\u2019`]/g, "'");
  if (/[\u2600-\u27bf\u{1f300}-\u{1faff}]/u.test(t)) for (const [re, word] of EMOJI_WORDS) t = t.replace(re, word);
  t = normalizeForMatch(t).replace(/(\p{L})\1{2,}/gu, '$1');
  if (/'|\b(?:u|ur|pl[sz]|thx)\b/.test(t)) for (const [re, long] of ENGLISH_SHORT) t = t.replace(re, long);
  // Arabizi writes a letter as an apostrophe and a digit («mo7afe'6», «a'6rar»): one word, not two.
  if (/'\d/.test(t)) t = t.replace(/(?<=[a-z0-9])'(?=\d)/g, '');
  t = t
    .replace(/[-/@.+'_]/g, ' ')
    .replace(PHONE, ' zphone ')
    .replace(/\b\d+\b/g, ' znum ')
    // A hamza on the line is often left out («شي»/«شيء», «ما»/«ماء»).
    .replace(/(?<=[\u0621-\u064a])\u0621(?=\s|$)/g, '');
  return t
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => (NUMBER_WORDS.has(w) ? 'znum' : w));
}

// Numbers spelled out read as digits do («three weeks» = «3 weeks»); «one»/«واحد» are left alone ("no one", «واحد يرمي…»).
const NUMBER_WORDS = new Set(
  'two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty hundred اثنين اثنان ثنتين ثلاث ثلاثه اربع اربعه خمس خمسه سته سبع سبعه ثمان ثمانيه تسع تسعه عشره عشرين ثلاثين اربعين خمسين مية ميه مئه'.split(
    ' ',
  ),
);

/** Arabizi digits spelled as letters. */
function spellArabizi(token: string): string {
  return token.replace(NUMBER, (d) => [...d].map((c) => ARABIZI_DIGITS[c] ?? c).join(''));
}

/** Consonant skeleton of a Latin word: first letter, then no vowels, no doubled letters ("muwadhaf" → "mwdhf"). */
function skeleton(latin: string): string {
  const rest = latin.slice(1).replace(/[aeiouy]/g, '');
  return (latin[0]! + rest).replace(/(.)\1+/g, '$1');
}

// Cross-script consonant classes: an Arabic word and its Arabizi spelling share a skeleton
// (حفره / 7ufra → HFR, مخيم / mu5ayam → MXM). Close sounds share a class (ت ط 6 t, د ض ذ ظ ز ث d dh th z,
// ق غ g q gh 8); long vowels, hamza and w/y are left out, as Arabizi writes them loosely.
const ARABIC_CLASS: Record<string, string> = {
  ب: 'B',
  ت: 'T',
  ط: 'T',
  ث: 'D',
  د: 'D',
  ذ: 'D',
  ض: 'D',
  ظ: 'D',
  ز: 'D',
  ج: 'J',
  ح: 'H',
  ه: 'H',
  خ: 'X',
  ر: 'R',
  س: 'S',
  ص: 'S',
  ش: 'C',
  ع: 'E',
  غ: 'Q',
  ق: 'Q',
  ف: 'F',
  ك: 'K',
  ل: 'L',
  م: 'M',
  ن: 'N',
};
const LATIN_CLASSES: Array<[RegExp, string]> = [
  [/kh/g, 'X'],
  [/sh/g, 'C'],
  [/gh/g, 'Q'],
  [/(?:th|dh|th)/g, 'D'],
  [/ch/g, 'K'],
];
const LATIN_CLASS: Record<string, string> = {
  b: 'B',
  p: 'B',
  t: 'T',
  '6': 'T',
  d: 'D',
  z: 'D',
  j: 'J',
  '7': 'H',
  h: 'H',
  '5': 'X',
  x: 'X',
  r: 'R',
  s: 'S',
  c: 'S',
  '9': 'S',
  '3': 'E',
  q: 'Q',
  g: 'Q',
  '8': 'Q',
  f: 'F',
  v: 'F',
  k: 'K',
  l: 'L',
  m: 'M',
  n: 'N',
  X: 'X',
  C: 'C',
  Q: 'Q',
  D: 'D',
  K: 'K',
};

/** The cross-script consonant skeleton of a token (Arabic: of its light stem), or undefined when shorter than two consonants. */
export function consonantSkeleton(token: string, arabicStem: string | undefined): string | undefined {
  let out = '';
  if (arabicStem !== undefined) {
    for (const ch of arabicStem) out += ARABIC_CLASS[ch] ?? '';
  } else {
    // Arabizi: the article and the feminine/plural ending -a/-ah/-at are written inconsistently.
    let t = token.replace(/^(?:el|al|il)(?=[a-z0-9]{3})/, '').replace(/(?<=[a-z0-9]{3})(?:ah|at|a|eh|e)$/, '');
    for (const [re, cls] of LATIN_CLASSES) t = t.replace(re, cls);
    for (const ch of t) out += LATIN_CLASS[ch] ?? '';
  }
  out = out.replace(/(.)\1+/g, '$1');
  if (out.length > 3 && out.endsWith('H')) out = out.slice(0, -1);
  return out.length >= 2 ? out : undefined;
}

/** Character 3-grams of a word padded with '#'. */
function trigrams(word: string): string[] {
  const padded = `#${word}#`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}

interface TokenForms {
  /** Word-level features (word, stems, concept, skeleton). */
  words: string[];
  /** The cross-script consonant skeleton of a Latin token, used only in a message written in Arabizi. */
  latinCross?: string;
  /** The concept whose Arabic or Arabizi word shares that skeleton (a spelling the lexicon does not list), used only in Arabizi. */
  latinConcept?: string;
  /** Character n-grams. */
  grams: string[];
  /** What word pairs are made of: the concept, else the stem. */
  unit: string;
}

/** Consonant skeleton (3+ classes) → the concept most of whose Arabic (or digit-spelled Arabizi) words have it. */
let skeletonConcepts: Map<string, string> | undefined;

/** The concept an Arabizi spelling reaches through its skeleton («zbaala», «7ofar», «mustashfa»). */
function conceptBySkeleton(skeletonKey: string): string | undefined {
  if (!skeletonConcepts) {
    // Votes per skeleton and concept: the concept with most words of that skeleton wins, a tie drops it.
    const votes = new Map<string, Map<string, number>>();
    for (const [concept, list] of conceptEntries()) {
      // Another authority's words are too many and too common to lend their skeletons (خادمة / «5edma»).
      if (concept === 'elsewhere') continue;
      for (const w of list) {
        const arabic = ARABIC_WORD.test(w);
        // English words would lend their skeletons to unrelated Arabizi ones ("cyclone" / «yes2alni»).
        if (!arabic && !/\d/.test(w)) continue;
        const key = consonantSkeleton(w, arabic ? lightStemArabic(w) : undefined);
        if (key === undefined || key.length < 3) continue;
        const byConcept = votes.get(key) ?? new Map<string, number>();
        byConcept.set(concept, (byConcept.get(concept) ?? 0) + 1);
        votes.set(key, byConcept);
      }
    }
    skeletonConcepts = new Map();
    for (const [key, byConcept] of votes) {
      const [first, second] = [...byConcept].sort((a, b) => b[1] - a[1]);
      if (first && (!second || second[1] < first[1])) skeletonConcepts.set(key, first[0]);
    }
  }
  return skeletonConcepts.get(skeletonKey);
}

/** Forms of tokens already seen (words repeat; this keeps a message's cost to a few lookups). */
const formsCache = new Map<string, TokenForms>();
const FORMS_CACHE_MAX = 20_000;

/** The features of one token, cached. */
function tokenForms(token: string): TokenForms {
  let forms = formsCache.get(token);
  if (!forms) {
    if (formsCache.size >= FORMS_CACHE_MAX) formsCache.clear();
    forms = computeForms(token);
    formsCache.set(token, forms);
  }
  return forms;
}

function computeForms(token: string): TokenForms {
  const words = [`w:${token}`];
  let base = token;
  let cross: string | undefined;
  if (ARABIC_WORD.test(token)) {
    base = lightStemArabic(token);
    words.push(`l:${base}`, `s:${arabicStemmer.stemWord(token)}`);
    cross = consonantSkeleton(token, base);
  } else if (/[a-z]/.test(token)) {
    base = LATIN_WORD.test(token) ? token : spellArabizi(token);
    const stem = englishStemmer.stemWord(base);
    words.push(`s:${stem}`);
    if (base.length >= 4) words.push(`k:${skeleton(base)}`);
    const latin = /^[a-z0-9]+$/.test(token) ? consonantSkeleton(token, undefined) : undefined;
    if (latin !== undefined) return withConcept(token, base, words, latin);
  }
  if (cross !== undefined) words.push(`t:${cross}`);
  return withConcept(token, base, words, undefined);
}

/** Adds the concept and the character n-grams of a token to its word features. */
function withConcept(token: string, base: string, words: string[], latinCross: string | undefined): TokenForms {
  // Arabizi writes long vowels and stressed consonants doubled or not («waali», «tadreeeb», «zbaala»).
  const single = /^[a-z0-9]+$/.test(token) ? base.replace(/(.)\1+/g, '$1') : base;
  // An Arabic word with its article or conjunction but its own ending («النفايات» → نفايات).
  const unprefixed = ARABIC_WORD.test(token) ? token.replace(/^(?:وبال|فبال|وال|بال|فال|كال|ولل|لل|ال)(?=.{3})/, '') : token;
  const concept = conceptOf(token) ?? conceptOf(base) ?? conceptOf(unprefixed) ?? (single !== base ? conceptOf(single) : undefined);
  if (concept) words.push(`x:${concept}`);
  const grams = base.length >= 3 && !token.startsWith('z') ? trigrams(base).map((g) => `c:${g}`) : [];
  const latinConcept = !concept && latinCross !== undefined ? conceptBySkeleton(latinCross) : undefined;
  return { words, grams, unit: concept ? `x:${concept}` : base, latinCross, latinConcept };
}

// Latin words that mark a message as Arabizi (Gulf Arabic in Latin letters) rather than English.
const ARABIZI_MARKERS = new Set([
  'el',
  'al',
  'abi',
  'aby',
  'abgha',
  'abga',
  'ab8a',
  'nabi',
  'fi',
  'fe',
  'wain',
  'wein',
  'esh',
  'aish',
  'shu',
  'sho',
  'kam',
  'ana',
  'ya',
  'mn',
  'min',
  'wala',
  'w',
  'ma',
  'la',
  'law',
  'lo',
  'hal',
  'kil',
  'kaif',
  'lesh',
  'laish',
  'mata',
  'ba',
  'bs',
  'bas',
  'wayed',
  'ya3ni',
  'inshallah',
  'wallah',
]);

/** True when the Latin tokens of a message are Arabizi: a digit used as a letter, or an Arabizi function word. */
function isArabizi(tokens: string[]): boolean {
  return tokens.some((t) => ARABIZI_MARKERS.has(t) || (/[a-z]/.test(t) && /[235679]/.test(t)));
}

// Words that make the next one a place («عند المدرسة», "near the hospital"), not the matter of the message.
const LOCATIVES = new Set(
  'عند جنب بجنب جانب بجانب قرب بقرب قريب قدام جدام امام ورا وراء خلف حول مقابل يم صوب عن near beside behind outside opposite by next front way 3nd jamb gdam giddam wara janb garb'.split(
    ' ',
  ),
);
const ARTICLES = new Set(['the', 'el', 'al', 'to', 'of', 'il']);

/** True when every word of another authority's business (gazetteer.ts) in the text only says where («كلاب عند المدرسة»). */
export function elsewhereOnlyAsPlace(text: string): boolean {
  const tokens = tokenize(text);
  let seen = false;
  for (const [i, token] of tokens.entries()) {
    if (!tokenForms(token).words.includes('x:elsewhere')) continue;
    seen = true;
    let j = i - 1;
    while (j >= 0 && ARTICLES.has(tokens[j]!)) j--;
    if (j < 0 || !LOCATIVES.has(tokens[j]!)) return false;
  }
  return seen;
}

/** Weight of character n-grams relative to word features. */
const GRAM_WEIGHT = 0.35;
/** Weight of word pairs. */
const PAIR_WEIGHT = 0.6;

/** A feature bag as parallel arrays in insertion order (the order a `Features` object enumerates in): what the classifier scores. */
export interface FeatureVector {
  keys: string[];
  values: number[];
}

/** A feature vector being built: `add` keeps the largest weight of a key, as `Features` bags always did. */
class VectorBuilder implements FeatureVector {
  readonly keys: string[] = [];
  readonly values: number[] = [];
  private readonly at = new Map<string, number>();
  /** Word-level keys (those that count towards the scaling). */
  words = 0;

  /** Adds `key` with weight `w` (the largest wins); true when the key is new. */
  add(key: string, w: number): boolean {
    const i = this.at.get(key);
    if (i === undefined) {
      this.at.set(key, this.keys.length);
      this.keys.push(key);
      this.values.push(Math.max(0, w));
      return true;
    }
    this.values[i] = Math.max(this.values[i]!, w);
    return false;
  }

  /** Divides every weight by the square root of the number of word-level features, so long and short messages weigh alike. */
  scaled(): FeatureVector {
    if (this.words > 4) {
      const f = Math.sqrt(4 / this.words);
      for (let i = 0; i < this.values.length; i++) this.values[i] = this.values[i]! * f;
    }
    return { keys: this.keys, values: this.values };
  }
}

/** Both feature vectors of a message: `all` for the intent model, `content` (no function words) for the service model. */
export function extractFeatureVectors(text: string): { all: FeatureVector; content: FeatureVector } {
  const all = new VectorBuilder();
  const content = new VectorBuilder();
  const tokens = tokenize(text);
  const arabizi = isArabizi(tokens);
  let previous: string | undefined;
  for (const token of tokens) {
    const forms = tokenForms(token);
    const { grams, unit } = forms;
    const isContent = !FUNCTION_WORDS.has(token);
    const addWord = (key: string): void => {
      if (all.add(key, 1)) all.words += 1;
      if (isContent && content.add(key, 1)) content.words += 1;
    };
    for (const key of forms.words) addWord(key);
    if (arabizi && forms.latinCross !== undefined) {
      addWord(`t:${forms.latinCross}`);
      if (forms.latinConcept !== undefined) addWord(`x:${forms.latinConcept}`);
    }
    for (const key of grams) {
      all.add(key, GRAM_WEIGHT);
      if (isContent) content.add(key, GRAM_WEIGHT);
    }
    if (previous !== undefined) all.add(`p:${previous}_${unit}`, PAIR_WEIGHT);
    previous = unit;
  }
  return { all: all.scaled(), content: content.scaled() };
}

/** The weight of `key` in a feature vector (undefined when absent). */
export function weightOf(v: FeatureVector, key: string): number | undefined {
  const i = v.keys.indexOf(key);
  return i < 0 ? undefined : v.values[i];
}

/** A feature vector as a bag (same keys in the same order, same weights). */
export function toFeatures(v: FeatureVector): Features {
  const bag: Features = {};
  for (let i = 0; i < v.keys.length; i++) bag[v.keys[i]!] = v.values[i]!;
  return bag;
}

/** Both feature bags of a message: `all` for the intent model, `content` (no function words) for the service model. */
export function extractFeatureSets(text: string): { all: Features; content: Features } {
  const { all, content } = extractFeatureVectors(text);
  return { all: toFeatures(all), content: toFeatures(content) };
}

/** The feature bag of a message (deterministic: same text, same features); `content` leaves out function words. */
export function extractFeatures(text: string, content = false): Features {
  const sets = extractFeatureSets(text);
  return content ? sets.content : sets.all;
}
