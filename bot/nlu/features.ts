/**
 * Turns a message into the bag of features the NLP.js neural classifiers see: the normalized words,
 * light and Snowball (NLP.js) stems of each, Arabizi spellings mapped to letters, and
 * placeholders for references, phone numbers and other numbers.
 */
import { createRequire } from 'node:module';
import { normalizeForMatch } from './normalize.js';

interface WordStemmer {
  stemWord(word: string): string;
}
const require = createRequire(import.meta.url);
const { StemmerAr } = require('@nlpjs/lang-ar') as { StemmerAr: new () => WordStemmer };
const { StemmerEn } = require('@nlpjs/lang-en-min') as { StemmerEn: new () => WordStemmer };
const arabicStemmer = new StemmerAr();
const englishStemmer = new StemmerEn();

/** Bumped whenever feature extraction changes, so cached models are retrained. */
export const FEATURES_VERSION = 3;

/** A bag of features (feature → 1). */
export type Features = Record<string, number>;

// Emoji that carry an intent of their own, mapped to a word before punctuation is stripped.
const EMOJI_WORDS: Array<[RegExp, string]> = [
  [/[\u{1F64F}\u{2764}\u{1F339}\u{1F490}\u{1F496}\u{1F49A}]/gu, ' thanks '],
  [/[\u{1F44B}]/gu, ' hello '],
  [/[\u{1F44D}\u{1F44C}]/gu, ' ok '],
  [/[\u{1F620}\u{1F621}\u{1F624}\u{1F92C}]/gu, ' angry '],
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

const REFERENCE = /\bbur[\s_-]*\d{4}[\s_-]*\d{5,6}\b/g;
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
  'the', 'a', 'an', 'in', 'on', 'at', 'of', 'to', 'for', 'with', 'from', 'by', 'about', 'near', 'my', 'our', 'your', 'their', 'his', 'her',
  'i', 'we', 'you', 'they', 'he', 'she', 'it', 'me', 'us', 'them', 'is', 'are', 'was', 'were', 'be', 'been', 'am', 'do', 'does', 'did',
  'not', 'no', 'and', 'or', 'but', 'this', 'that', 'these', 'those', 'there', 'here', 'please', 'can', 'could', 'would', 'will', 'should',
  'want', 'need', 'like', 'have', 'has', 'had', 'some', 'any', 'so', 'very', 'too', 'just', 'also', 'all', 'get', 'got', 'someone',
  'في', 'من', 'عن', 'علي', 'الي', 'لي', 'ل', 'و', 'يا', 'هذا', 'هذه', 'هذي', 'ذا', 'اللي', 'الذي', 'التي', 'انا', 'احنا', 'نحن', 'انت', 'انتم',
  'ابي', 'ابغي', 'ابغا', 'اريد', 'ارغب', 'نبي', 'نبغي', 'ودي', 'بغيت', 'لو', 'سمحت', 'سمحتوا', 'ممكن', 'عندي', 'عندنا', 'عند', 'فيه', 'مع',
  'او', 'ثم', 'كل', 'بعد', 'قبل', 'قد', 'لقد', 'هو', 'هي', 'هم', 'كان', 'يكون', 'ما', 'لا', 'مو', 'مب', 'الحين', 'ان', 'انه', 'اذا',
  'abi', 'abgha', 'ana', 'fi', 'el', 'al', 'min', 'lo', 'ya', '3nd', '3ndi', 'ma', 'w', 'la',
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
  let t = text.replace(/[\u2018\u2019`]/g, "'");
  if (/[\u2600-\u27bf\u{1f300}-\u{1faff}]/u.test(t)) for (const [re, word] of EMOJI_WORDS) t = t.replace(re, word);
  t = normalizeForMatch(t).replace(/(\p{L})\1{2,}/gu, '$1');
  if (/'|\b(?:u|ur|pl[sz]|thx)\b/.test(t)) for (const [re, long] of ENGLISH_SHORT) t = t.replace(re, long);
  t = t
    .replace(REFERENCE, ' zref ')
    .replace(/[-/@.+'_]/g, ' ')
    .replace(PHONE, ' zphone ')
    .replace(/\b\d+\b/g, ' znum ');
  return t.split(' ').filter((w) => w.length > 0);
}

/** The stem features of one token. */
function wordForms(token: string): string[] {
  if (ARABIC_WORD.test(token)) {
    const light = lightStemArabic(token);
    return [`l:${light}`, `s:${arabicStemmer.stemWord(token)}`];
  }
  if (LATIN_WORD.test(token)) return [`s:${englishStemmer.stemWord(token)}`];
  if (/[a-z]/.test(token)) {
    const spelled = token.replace(NUMBER, (d) => [...d].map((c) => ARABIZI_DIGITS[c] ?? c).join(''));
    return [`s:${spelled}`];
  }
  return [];
}

/** Both feature bags of a message: `all` for the intent model, `content` (no function words) for the service model. */
export function extractFeatureSets(text: string): { all: Features; content: Features } {
  const all: Features = {};
  const content: Features = {};
  for (const token of tokenize(text)) {
    const keys = [`w:${token}`, ...wordForms(token)];
    const isContent = !FUNCTION_WORDS.has(token);
    for (const key of keys) {
      all[key] = 1;
      if (isContent) content[key] = 1;
    }
  }
  return { all, content };
}

/** The feature bag of a message (deterministic: same text, same features); `content` leaves out function words. */
export function extractFeatures(text: string, content = false): Features {
  const sets = extractFeatureSets(text);
  return content ? sets.content : sets.all;
}
