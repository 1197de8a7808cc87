/**
 * Boundary rules between routes that wording nobody trained for kept crossing (reframe.ts and cues.ts apply
 * them), each a rule of the message's frame, never a phrase of one service: wanting to know, or asking how
 * long, what is needed or whether one's own ground is covered, asks ABOUT a service; asking whether a kind
 * of message may be sent on this channel, whether one living elsewhere may use it, or on which days and hours
 * it answers asks how the office works; asking that a person call back asks for an agent; a wish that the
 * office make something new (a shelter, an app, a park) is a suggestion even when it names a service's
 * object. Matched on `normalizeForMatch` text.
 */
import { B, E } from './cues.js';
import { conceptOf } from './lexicon.js';

/** A question: a question mark in the raw text. */
const ASKED = /[?؟]/;

/** «ابي اعرف», «أود معرفة», "I want to know", «abi a3rf»: the writer wants to learn something, not to file it. */
const WANT_TO_KNOW = new RegExp(
  [
    `${B}(?:ابي|ابغي|ابغا|ابا|اريد|ودي|ودنا|اود|نبي|نبغي|نبغا|نريد|نود|حاب|حابين|احب|بغيت) (?:ا|ن)?(?:عرف|اعرف|نعرف|معرفه|استفسر|نستفسر|اسال|نسال|افهم)${E}`,
    `${B}(?:abi|aby|abgha|nabi|ودي|widdi|wdi|ab?ga) (?:a|n)?(?:3rf|3raf|3arf|3eraf|afham|as2al|asal|astafsir)${E}`,
    `${B}(?:want to|wanna|would like to|i'd like to|i d like to|need to|wish to|like to) (?:know|ask|inquire|enquire|understand|check whether|check if)${E}`,
  ].join('|'),
);

/** The state of a request («حالة طلب», «خلص ولا باقي», "status", "approved"): wanting to know it is a look-up. */
const STATE = new RegExp(
  `${B}(?:حاله|الحاله|بحاله|وين وصل|وصل لوين|خلص|انتهي|باقي|انقبل|اعتمد|انرفض|status|update|progress|approved|accepted|pending|finished|wain wasal|7alat)${E}`,
);

/** How long a service takes: «كم يوم ياخذ», «كم مدة», "how long", "how many days", «kam yom», «kam ykhalis». */
const HOW_LONG_FORMS = [
  'كم (?:يوم|ايام|اسبوع|اسابيع|شهر|مده|المده|وقت|الوقت|ياخذ|يستغرق|تستغرق|يطول)',
  '(?:ياخذ|تاخذ|يستغرق|تستغرق|يخلص|يطول) (?:كم|وقت)',
  '(?:kam|cham|kem) (?:yom|youm|ywm|yawm|ayam|ayyam|usboo3|esboo3|osboo3|shahar|wagt|waqt|mudda|muddat|yakhdh|yakhd|yakhid|yakhith|ya5th|ya5ith|ykhalis|ykhls|y5ls|y5alis|yestaghriq)',
  '(?:yakhdh|yakhd|yakhid|ya5ith|ya5th|ykhalis|ykhls|y5ls|y5alis|y5ales) (?:kam|cham)',
  'how (?:long|many days|many weeks|many months|much time|soon)',
].join('|');
const HOW_LONG = new RegExp(`${B}(?:${HOW_LONG_FORMS})${E}`);
/** …opening the message: a question with or without a question mark. */
const HOW_LONG_FIRST = new RegExp(`^(?:${HOW_LONG_FORMS})${E}`);

/** The writer's own private ground: «حوشي», «أرضي الخاصة», "my own plot", "private". */
const OWN_GROUND = new RegExp(
  `${B}(?:حوشي|حوشنا|ارضي|ارضنا|الخاص|الخاصه|خاصه|خاص|private|my own|our own|inside my|in my own|7oshi|7awshi|ardhi|khasa|5asa|5a9a)${E}`,
);

/** "does it need…", "will it cost…", "do they require…": a question what a service needs or covers, anywhere in the message. */
const WHAT_IT_NEEDS = new RegExp(
  `${B}(?:does|do|will|would|did) (?:it|this|that|they|you|the \\S+) (?:need|needs|require|requires|take|takes|cost|costs|include|cover|apply|accept)${E}`,
);

/**
 * True when a message asks about a service rather than files it by these rules: the writer wants to know,
 * or asks how long it takes, what it needs, or (as a question) whether it covers their own private ground.
 */
export function asksAboutByRule(normalized: string, raw: string): boolean {
  if (STATE.test(normalized)) return false;
  if (WANT_TO_KNOW.test(normalized) || WHAT_IT_NEEDS.test(normalized)) return true;
  // A message that opens with «كم يوم…», "how long…" asks, with or without a question mark.
  if (HOW_LONG_FIRST.test(normalized)) return true;
  return ASKED.test(raw) && (HOW_LONG.test(normalized) || OWN_GROUND.test(normalized) || ITS_TERMS.test(normalized));
}

/** A service's terms: whether it renews, when it opens or starts, who must one be («لازم يكون», «يشترط»), "renewed yearly", «yabda mita». */
const ITS_TERMS = new RegExp(
  `${B}(?:يتجدد|تتجدد|يجدد|تجديده|يبدا|تبدا|يبدي|يفتح التسجيل|لازم يكون|لازم اكون|يشترط|يشترط ان|renew|renewed|renewal|start|starts|opens|open for|must be|has to be|have to be|yabda|yabdaa|tabda|ytjadad|yitjadad|lazem ykoon|lazim ykun)${E}`,
);

/** True when a calm question asks a service's terms (whether it renews, when it starts, who one must be). */
export function asksTermsByRule(normalized: string, raw: string): boolean {
  return ASKED.test(raw) && ITS_TERMS.test(normalized) && !WISH.test(normalized);
}

/** An animal dead: a carcass is waste to remove, not a stray to catch («قطاوة ميتة», "dead goat", «jeefa»). */
const DEAD = new RegExp(
  `${B}(?:ميت|ميته|ميتين|نافق|نافقه|نافقين|جيفه|جيف|جثه|جثث|فطيس|فطيسه|dead|carcass|carcasses|died|mayt|mayyit|mayta|mayteh|jeefa|ji?fa)${E}`,
);

/** True when the message names a dead animal (public cleanliness removes it). */
export function namesDeadAnimal(normalized: string): boolean {
  return DEAD.test(normalized);
}

/** Building protection from a wadi: a wall, a culvert, gabions, «حماية», «جدار», "protection", «7imaya». */
const PROTECTION_WORK = new RegExp(
  `${B}(?:ال)?(?:حمايه|جدار|جدران|سور|حاجز|حواجز|عباره|عبارات|سد|protection|protect|wall|walls|gabion|gabions|barrier|culvert|dam|7imaya|7emaya|jidar|sed)${E}`,
);

/** True when the message names pests (insects, rodents) and asks for no protection work: spraying, not a wall (near a wadi or not). */
export function namesPestsNotProtection(normalized: string): boolean {
  const words = normalized.split(' ');
  return words.some((w) => conceptOf(w) === 'insect' || conceptOf(w) === 'rodent') && !PROTECTION_WORK.test(normalized);
}

/** Whether one may: «اقدر», «يمكنني», «ينفع», "can I", «agdar». */
const MAY = new RegExp(
  `${B}(?:هل|اقدر|نقدر|يمكنني|يمكن|ممكن|ينفع|يصلح|مسموح|can|could|may|possible|allowed|agdar|a9dar|ag?dar|ngdar|mumkin|momkin|yenfa3|ynfa3)${E}`,
);
/** Sending a kind of message other than a filing: a suggestion, a complaint, a report, feedback ("can I file a request here?" files one). */
const SEND_KIND = new RegExp(
  `${B}(?:و|ال|ب)?(?:اقتراح|اقتراحي|اقتراحات|مقترح|مقترحات|شكوي|شكوه|شكاوي|بلاغ|ملاحظه|ملاحظات|ملاحظاتي|suggestion|suggestions|idea|ideas|complaint|complaints|feedback|report|iqtira7|eqtira7|e8tera7|i8tira7|shakwa|balagh)${E}`,
);
/** This channel: «هنا», «عبر المحادثة», «بالواتساب», "here", "through whatsapp", "this chat". */
const THIS_CHANNEL = new RegExp(
  `${B}(?:هنا|هني|من هنا|عبر|بالواتساب|واتساب|الواتساب|المحادثه|الشات|البوت|here|through|via|whatsapp|chat|this chat|this number|hna|hina|hon|wts|whats)${E}`,
);
/** Living or being elsewhere: «ساكن في», «أقيم», "I live in", «from outside», «from there». */
const ELSEWHERE_RESIDENT = new RegExp(
  `${B}(?:ساكن|ساكنه|اسكن|نسكن|ساكنين|مقيم|مقيمه|اقيم|اعيش|نعيش|من هناك|من برا|من خارج|من الخارج|i live|we live|living|i stay|based in|reside|residing|from outside|from abroad|from there|across the border|sakin|saken|askun|askin|a3eesh)${E}`,
);
/** Using or applying to the office: «أقدم», «أستخدم», «خدماتكم», "apply", "use your services". */
const USE_OFFICE = new RegExp(
  `${B}(?:ا|ن)?(?:قدم|اقدم|نقدم|تقديم|استخدم|نستخدم|استفيد|نستفيد|طلب|اطلب|نطلب|خدماتكم|خدماتكم|apply|submit|use|request|services|aqaddim|agaddim|aqdim|agdim|at2addam)${E}`,
);
/** Round the clock, weekends, holidays: «24 ساعة», «طول اليوم», «الجمعة», «العيد», "24/7", "weekends", «jum3a». */
const WHEN_OPEN = new RegExp(
  `${B}(?:24/7|24 7|24|طول اليوم|الجمعه|الجمعه والسبت|السبت|العيد|الاعياد|رمضان|الاجازه|الاجازات|العطله|العطل|weekend|weekends|friday|fridays|saturday|saturdays|holiday|holidays|eid|ramadan|jum3a|jom3a|el jum3a|sabt|3eed|ejaza)${E}`,
);
/** The office working or answering, addressed: «تشتغلون», «تداومون», «تفتحون», «تردون», «شغال», "are you open", "answered", «tshtghloon». */
const WORKS = new RegExp(
  `${B}(?:تشتغلون|تشتغلوا|تداومون|تداوموا|دوامكم|تفتحون|مفتوحين|فاتحين|تردون|تردوا|يرد|شغال|شغالين|you open|you work|you answer|you reply|you respond|answered|replied|you available|tshtghloon|tishtaghloon|tshtaghloon|tishta8loon|tshta8loon|tdawmoon|tdawmon|dawamkom|dawamkum|tiftahoon|tift7oon|shaghal|sha8al|shaghaleen)${E}`,
);
/** A wish or a «why don't you» (a suggestion's frame, not a question how the office works). */
const WISH = new RegExp(
  `${B}(?:ليش ما|ليه ما|لماذا لا|ياليت|يا ليت|ياريت|يا ريت|نتمني|اتمني|اقترح|نقترح|why not|why don't|why do not|wish|hope|would be|should|lesh ma|laish ma|leish ma|yaret|yaleet)${E}`,
);
/** Jobs in Arabizi spellings («fi wa6aif 3indkum?»; office-cues.ts reads the Arabic and English ones). */
const JOB_WORDS = new RegExp(`${B}(?:wa'?[6d]h?a[iy]+e?f|wa'?[6d]h?ee?fa|wadhayef|wadheefa|shawaghir)${E}`);

/**
 * True when a calm question asks how the office works by these rules: whether a kind of message may be sent
 * on this channel, whether one living elsewhere may use it, on which days or hours it works or answers, or
 * whether it hires.
 */
export function asksOfficeByRule(normalized: string, raw: string): boolean {
  if (!ASKED.test(raw) || WISH.test(normalized)) return false;
  if (MAY.test(normalized) && SEND_KIND.test(normalized) && THIS_CHANNEL.test(normalized)) return true;
  if (ELSEWHERE_RESIDENT.test(normalized) && MAY.test(normalized) && USE_OFFICE.test(normalized)) return true;
  // «هل لولو مفتوح الجمعة؟»: another place's hours are another's business.
  if (WHEN_OPEN.test(normalized) && WORKS.test(normalized)) return !normalized.split(' ').some((w) => conceptOf(w) === 'elsewhere');
  return JOB_WORDS.test(normalized);
}

/** A person: a staff member, an official, someone. */
const SOMEONE = new RegExp(
  `${B}(?:موظف|موظفه|الموظف|مسؤول|المسؤول|احد|حد|شخص|انسان|someone|somebody|a human|human|a person|an employee|staff|officer|official|agent|7ad|a7ad|mowa?[6d]h?af|muwa?[6d]h?af)${E}`,
);
/** …who calls or contacts the writer: «يتصل علي», «يكلمني», «يتواصل معي», "call me", "contact me". */
const CALLS_ME = new RegExp(
  `${B}(?:يتصل علي|يتصل فيني|يتصل بي|يكلمني|يتواصل معي|يرد علي|يتصلون علي|call me|calls me|call me back|contact me|phone me|ring me|get back to me|reach me|ytisil fini|yitisil finy|ytsl 3lay|ykalimni|ykalmni)${E}`,
);

/** True when the writer asks that a person call or contact them (an agent, not a question about contact details). */
export function asksCallback(normalized: string): boolean {
  return SOMEONE.test(normalized) && CALLS_ME.test(normalized);
}

/** A wish or a «why don't you» for the office to make something: «لو تسوون», «ليش ما تسوون», «يا ريت يكون فيه», "why not build". */
const MAKE_WISH = new RegExp(
  [
    `${B}(?:ودي لو|لو|ياليت|يا ليت|ياريت|يا ريت|ليش ما|ليه ما|لماذا لا|نتمني|اتمني) (?:تسوون|تسووا|تبنون|تنشئون|توفرون|تفتحون|تخصصون|تركبون|تزرعون|تحطون|يكون فيه|يكون في|يصير فيه|يصير في|يتم انشاء|يتم توفير)${E}`,
    `${B}(?:law|lo|yaret|ya ret|yarait|yaleet|ya leet|lesh ma|laish ma|leish ma|wdi lo|widdi law) (?:tsawon|tsawoon|tsawwon|tibnoon|tbnoon|twafroon|twafiroon|tiftahoon|tft7oon|t7etton|t7o6oon|tizra3oon|y9eer fi|ykoon fi|ykun fi|yseer fi)${E}`,
    `${B}(?:why (?:not|don't you|do not you) (?:build|make|create|open|set up|plant)|it would be (?:nice|great|good) (?:if|to)|would be great)${E}`,
  ].join('|'),
);
/** What the office would make: a shelter, an app, a park, a walkway, online booking, a place for everyone. */
const NEW_THING = new RegExp(
  `${B}(?:ال)?(?:ماوي|ماوي|محميه|تطبيق|حديقه|حدائق|ممشي|ملعب|منتزه|نظام|خدمه الكترونيه|حجز|اونلاين|الكتروني|مكان|سوق|مظلات|اشجار|shelter|app|application|park|walkway|playground|online|booking|system|market|trees|ma2wa|mawa|tatbeeq|7ajz|7adiqa|mamsha|online)${E}`,
);

/** True when a wish asks the office to make something new for everyone, even when it names a service's object («لو تسوون مأوى للكلاب»). */
export function wishesNewFacility(normalized: string): boolean {
  return MAKE_WISH.test(normalized) && NEW_THING.test(normalized);
}
