/**
 * The framing of a letter: the greeting, the address («سعادة مدير البلدية المحترم»), «تحية طيبة وبعد»
 * before the point, and the closing («وتفضلوا بقبول فايق الاحترام»), thanks and signature («مقدمه:
 * …», "Best regards, …") after it. A formal letter's framing says nothing of what the letter asks, but
 * its words (سلام، تحية، شكر) outweigh a short body, so the classifier reads the body apart
 * (model.ts falls back to the whole text when the body alone says nothing).
 */
import { normalizeArabic } from './normalize.js';

// Separators that end a framing phrase.
const SEP = String.raw`[\s,،.;:؛!؟?\-–—…]*`;

/** Phrases that open a message, stripped one after another from its start (normalized text, lower case). */
const OPENINGS: RegExp[] = [
  /^بسم الله الرحمن الرحيم/,
  /^(?:و\s*)?(?:ال)?سلام(?:\s*عليكم)?(?: و\s*رحمه الله)?(?: و\s*بركاته)?/,
  /^(?:تحيه طيبه|تحيه واحترام|طيب التحيه|بعد التحيه|التحيه والتقدير|تحيه وتقدير)(?:\s*(?:و\s*)?(?:بعد|تقدير|احترام))?/,
  /^(?:و\s*)?(?:اما\s+)?بعد(?=\s*[,،.:]|$)/,
  /^(?:صباح|مساء) (?:الخير|النور)(?: (?:عليكم|جميعا|للجميع))?/,
  /^(?:مرحبا|اهلا|هلا)(?: (?:بكم|جميعا|يا جماعه))?(?=\s*[,،.!])/,
  /^dear\b[^,\n.:]{0,60}/,
  /^(?:to whom it may concern|greetings|good (?:morning|afternoon|evening|day)(?: to you| all| everyone)?|hello|hi|hey|assalam+u? ?alaikum|salam)(?:\s+(?:team|all|there|sir|madam|everyone))?(?=\s*[,.!\n]|$)/,
  /^i hope (?:this|my) (?:e-?mail|message|letter) finds you well/,
  /^(?:i )?hope (?:you are|you're|all is) (?:well|fine|doing well)/,
];

/** An address: a title, then up to eight words ending at a comma or a courtesy. Its words are kept («سعادة الوالي» names a service), its courtesy dropped. */
const ADDRESSES: RegExp[] = [
  /^(?:الى\s+)?(?:سعاده|معالي|حضره|السيد|السيده|الفاضل|الفاضله|الافاضل|المكرم|المكرمون|الاخ|الاخوه|الاخوان|اخوي|اخواني|اخي|الاخت|الساده|عزيزي|المحترمين|الموقرين|الى من يهمه الامر)(?:\s+[^\s,،.:]+){0,8}?(?:\s+(?:المحترم|المحترمه|المحترمين|الموقر|الموقره|الكرام|الكريم|حفظه الله|حفظكم الله|رعاه الله|ايده الله))?(?=\s*[,،.:\n]|$)/,
  /^(?:[^\s,،.:]+\s+){0,5}(?:المحترم|المحترمه|المحترمين|الموقر|الموقره|الكرام|حفظه الله|حفظكم الله)(?=\s*[,،.:\n]|$)/,
];
/** Courtesy words of an address. */
const COURTESY = /(?:^|\s)(?:الى|المحترم|المحترمه|المحترمين|الموقر|الموقره|الكرام|الكريم|حفظه الله|حفظكم الله|رعاه الله|ايده الله|dear|to)(?=\s|$)/g;

/** Where the closing of a message starts (the earliest match wins; everything after it is dropped). */
const CLOSINGS: RegExp[] = [
  /(?:^|\s|[,،.])(?:و\s*)?تفضلوا (?:ب\s*)?قبول/,
  /(?:^|\s|[,،.])(?:و\s*)?تقبلوا(?: منا| مني)? (?:فايق|وافر|خالص|جزيل|تحياتي|تحيات|الاحترام|التحيه|التقدير)/,
  /(?:^|\s|[,،.])مع (?:خالص |فايق |وافر |جزيل )?(?:الشكر|التحيه|التحيات|التقدير|الاحترام)/,
  /(?:^|\s|[,،.])(?:و\s*)?لكم (?:جزيل |كل )?(?:الشكر|التقدير)/,
  /(?:^|\s|[,،.])(?:و\s*)?(?:شاكرين|شاكر|شاكره|شاكرا)(?: (?:لكم|و\s*مقدر|و\s*مقدرين))?(?: (?:حسن |سرعه )?(?:تعاونكم|تجاوبكم|اهتمامكم))?(?=\s*[,،.\n]|$)/,
  /(?:^|\s|[,،.])(?:و\s*)?دمتم (?:بخير|ذخرا|سالمين|بود)/,
  /(?:^|[,،.!?؟\n]\s*)(?:و\s*)?(?:شكرا|وشكرا|مشكورين)(?: (?:لكم|مقدما|سلفا))?(?=\s*[,،.\n]|\s*$)/,
  /(?:^|[,،.\n]\s*)(?:مقدمه|مقدم الطلب|مقدمه الطلب|مقدم الشكوي|مقدمه الشكوي|المرسل|المرسله|المواطن|المواطنه|اخوكم|اختكم|ابنكم|بنتكم|صاحب المحل|صاحبه المحل|اهالي|التوقيع)\s*[:]?/,
  /(?:^|\s|[,.])(?:best|kind|warm|warmest)? ?regards\b/,
  /(?:^|\s|[,.])(?:yours )?(?:sincerely|faithfully|respectfully)\b/,
  /(?:^|\s|[,.])thank(?:s| you) (?:in advance|for your (?:kind )?(?:consideration|attention|time|cooperation|help|support))/,
  /(?:^|[,.!?\n]\s*)thanks and regards\b/,
  /(?:^|\s|[,،.])(?:و\s*)?(?:تحياتي|الله يحفظكم|الله يعطيكم العافيه|والله الموفق)(?=\s*[,،.\n]|$)/,
  /[,،.!؟]\s*(?:ابو|ام|بو) [^\s,،.]+(?: [^\s,،.]+)?$/,
];

/** Openings then addresses, in the order they are tried; separators at the start and at the end of a text. */
const FRAMES = [...OPENINGS, ...ADDRESSES];
const LEADING_SEP = new RegExp(`^${SEP}`);
const TRAILING_SEP = new RegExp(`${SEP}$`);

/** A body shorter than this (in words) is not read apart from its framing. */
const MIN_BODY_WORDS = 3;

const words = (s: string): number => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/**
 * The body of a message without its letter framing, or undefined when there is no framing or the
 * body left is too short to stand alone (a greeting with «أحد موجود؟» stays a greeting).
 */
export function letterBody(text: string): string | undefined {
  let t = normalizeArabic(text).toLowerCase().replace(/\s+/g, ' ').trim();
  const original = t;
  const kept: string[] = [];
  // Openings and addresses, one after another.
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of FRAMES) {
      const m = re.exec(t);
      if (m && m[0].length > 0) {
        const rest = t.slice(m[0].length).replace(LEADING_SEP, '');
        if (rest.length < t.length) {
          if (ADDRESSES.includes(re)) kept.push(m[0].replace(COURTESY, ' ').trim());
          t = rest;
          changed = true;
        }
      }
    }
  }
  // The closing: cut at the earliest closing marker past the first words of the body.
  let cut = t.length;
  for (const re of CLOSINGS) {
    const m = re.exec(t);
    if (m && m.index < cut && words(t.slice(0, m.index)) >= MIN_BODY_WORDS) cut = m.index;
  }
  t = t.slice(0, cut).replace(TRAILING_SEP, '').trim();
  if (t === original.replace(TRAILING_SEP, '') || words(t) < MIN_BODY_WORDS) return undefined;
  return [...kept, t].filter((x) => x.length > 0).join(' ، ');
}
