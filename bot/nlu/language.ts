/** Language of a message: Arabic (including Arabizi, Gulf Arabic written in Latin letters) or English. */
import type { Language } from '../core/types.js';
import { normalizeArabic } from './normalize.js';

/** Characters looked at: the language shows in the first lines. */
const MAX_CHARS = 600;

// Things that carry no language: references, e-mails, links, and a few words used in both.
const NEUTRAL =
  /\bbur[\s_-]*\d{4}[\s_-]*[a-z0-9]{4}[\s_-]*[a-z0-9]{4}\b|\bbur[\s-]*\d{4}[\s-]*\d{3,6}\b|[^\s@]{1,64}@\S{1,255}|https?:\/\/\S{1,2000}|www\.\S{1,2000}|\b(?:ok|okay|okk|k|pdf|sms|gps|id|bur|om|lol|hmm+)\b/giu;

// Gulf Arabic words commonly written in Latin letters (lower case).
const ARABIZI_WORDS = new Set([
  'salam',
  'slam',
  'salaam',
  'assalam',
  'asalam',
  'alsalam',
  'alaikum',
  'alaykum',
  'alikum',
  'aleikum',
  'marhaba',
  'mar7aba',
  'hala',
  'ahlan',
  'shukran',
  'shokran',
  'shukrn',
  'mashkoor',
  'mashkour',
  'mashkur',
  'mashkoreen',
  'mashkoorin',
  'mashkooreen',
  'yslmo',
  'yslmu',
  'yeslamu',
  'teslam',
  'tslm',
  'slm',
  'yeslamo',
  'yislamo',
  'ya3tik',
  'allah',
  'inshallah',
  'mashallah',
  'wallah',
  'yzak',
  'jazak',
  'abi',
  'abgha',
  'abgh',
  'abga',
  'aby',
  'abee',
  'ibi',
  'bghit',
  'ana',
  'enta',
  'inta',
  'entu',
  'intu',
  'ani',
  'wain',
  'wein',
  'wen',
  'wayn',
  'shlon',
  'shloon',
  'kaif',
  'kef',
  'shu',
  'sho',
  'esh',
  'aish',
  'laish',
  'lesh',
  'mata',
  'mita',
  'kam',
  'chem',
  'wayed',
  'wajid',
  'zain',
  'zen',
  'mob',
  'moob',
  'mub',
  'ma',
  'mafi',
  'ku',
  'fi',
  'illi',
  'elli',
  'ili',
  'hadha',
  'hatha',
  'hathi',
  'haza',
  'kalb',
  'kilab',
  'klab',
  'chlab',
  'klaab',
  'bait',
  'beit',
  'bayt',
  'baitna',
  'bitna',
  'share3',
  'sharea',
  'shari',
  'fareej',
  'freej',
  'fireej',
  'talab',
  'talabi',
  'tlb',
  'lo',
  'samaht',
  'smaht',
  'samhat',
  'ya',
  'akhoy',
  'akhoi',
  'khalas',
  'tamam',
  'na3am',
  'aywa',
  'la',
  'labba',
  'muqabla',
  'moqabla',
  'mqabla',
  'mu7afeth',
  'mohafeth',
  'muhafidh',
  'tadreeb',
  'tadrib',
  'mukhayam',
  'mkhayam',
  'shita',
  'qama',
  'gmama',
  'zbala',
  'ba3ooth',
  'fi2ran',
  'fiaran',
  'jurthan',
  'sarasir',
  'hufra',
  'hofra',
  'hfra',
  'matar',
  'seil',
  'maqha',
  'gahwa',
  'ba3a',
  'muwadhaf',
  'mowathaf',
  'muwazaf',
  'mwadhaf',
  'ashtki',
  'shakwa',
  'balagh',
  'eqtira7',
  'e9tira7',
  'el',
  'wel',
  'bel',
  'fel',
  'jamb',
  'jnb',
  'mai',
  'maay',
  'masjid',
  'masjed',
  'sayara',
  'ba3d',
  'lain',
  'el7in',
  'alhin',
  'ams',
  'bukra',
  'baker',
]);
// English words that also occur above ("ma", "fi", "la" ...) do not make an English sentence Arabic by themselves.
const ENGLISH_WORDS = new Set([
  'the',
  'a',
  'an',
  'is',
  'are',
  'was',
  'i',
  'my',
  'me',
  'you',
  'your',
  'we',
  'our',
  'to',
  'of',
  'in',
  'on',
  'at',
  'for',
  'with',
  'and',
  'or',
  'it',
  'this',
  'that',
  'there',
  'please',
  'want',
  'need',
  'would',
  'like',
  'can',
  'could',
  'how',
  'what',
  'where',
  'when',
  'who',
  'which',
  'do',
  'does',
  'did',
  'have',
  'has',
  'not',
  'no',
  'yes',
  'hi',
  'hello',
  'thanks',
  'thank',
  'request',
  'about',
  'from',
  'be',
  'been',
  'will',
  'if',
  'any',
  'some',
  'street',
  'house',
  'home',
  'near',
  'dear',
  'sir',
  'good',
  'morning',
]);
// A number glued to a unit or an ordinal is English-like ("3pm", "2nd", "5km"), not Arabizi.
const NUMBER_WITH_UNIT = /^\d+(?:st|nd|rd|th|am|pm|km|kg|m|h|hr|hrs|min|mins|x|d|s)?$/;
// Arabizi letters-for-sounds: 2 ء, 3 ع, 5 خ, 6 ط, 7 ح, 8 غ, 9 ص/ق inside a word made of letters.
const ARABIZI_DIGIT = /^(?=.*[a-z])(?=.*[235679])[a-z235679']+$/;

const ARABIC_WORD = /\p{Script=Arabic}/u;
const LATIN_WORD = /\p{Script=Latin}/u;

/** Counts words written in Arabic and in Latin letters. */
function countWords(text: string): { arabic: number; latin: number } {
  let arabic = 0;
  let latin = 0;
  for (const w of text.split(/\s+/)) {
    if (ARABIC_WORD.test(w)) arabic += 1;
    else if (LATIN_WORD.test(w)) latin += 1;
  }
  return { arabic, latin };
}

/** True when Latin-script text reads as Arabizi rather than English. */
export function isArabizi(text: string): boolean {
  const tokens = text
    .toLowerCase()
    .split(/[^a-z0-9']+/)
    .filter(Boolean);
  let arabizi = 0;
  let english = 0;
  for (const t of tokens) {
    if (ENGLISH_WORDS.has(t)) english += 1;
    else if (ARABIZI_WORDS.has(t)) arabizi += 1;
    else if (!NUMBER_WITH_UNIT.test(t) && ARABIZI_DIGIT.test(t)) arabizi += 1;
  }
  return arabizi > 0 && arabizi >= english;
}

/**
 * Language of Latin-script text: English unless it reads as Arabizi. (franc, asked here before with
 * only English and Arabic allowed, can never answer Arabic for Latin script — it picks among the
 * languages of the text's script — so it decided nothing and is no longer called.)
 */
function latinLanguage(latin: string): Language {
  return isArabizi(latin) ? 'ar' : 'en';
}

/** Recent answers: the pipeline and the classifier both ask about the same message, the work is done once. */
const recent = new Map<string, Language>();
const RECENT_MAX = 64;

/**
 * Detects the writer's language; `fallback` (default 'ar') when nothing in the text decides it. Text
 * in Arabic script is Arabic without asking franc; mixed Arabic/English goes with the script of most
 * words (Arabic on a tie); Latin-only text is English unless it reads as Arabizi.
 */
export function detectLanguage(text: string, fallback?: Language): Language {
  const key = `${fallback ?? ''}\u0000${text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text}`;
  const known = recent.get(key);
  if (known) return known;
  const language = detect(text, fallback);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(key, language);
  return language;
}

function detect(text: string, fallback?: Language): Language {
  const content = normalizeArabic(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text).replace(NEUTRAL, ' ');
  const { arabic, latin } = countWords(content);
  if (arabic === 0 && latin === 0) return fallback ?? 'ar';
  if (latin === 0 || arabic >= latin) return 'ar';
  const latinOnly = content.replace(/\S*\p{Script=Arabic}\S*/gu, ' ');
  return latinLanguage(latinOnly);
}
