/**
 * Cues of how the office itself works and of what the office promised (reframe.ts applies them after the
 * networks), each a pattern of the message's frame, never of one service: a question how the office works
 * (do you send an SMS, where do complaints go, is there a tracking page, when are messages answered, do you
 * hire, can a request be cancelled) is an inquiry; a promise the office did not keep is a complaint; a proposal or wish
 * for the writer's own place or person («أقترح ردم الحفرة اللي عند بيتي», «ياليت تعطوني…») files the service.
 * Matched on `normalizeForMatch` text.
 */
import { B, E } from './cues.js';

/** A question: a question mark, or an opening question word. */
const QUESTION = new RegExp(
  `[?؟]|^(?:هل|وهل|كيف|متي|وين|اين|منو|من|شو|وش|ايش|كم|فيه|في|عندكم|لديكم|is|are|do|does|will|can|could|how|when|where|who|what|which|fi|fee|feeh|hal|kaif|kef|mata|wain|mnu|shu)${E}`,
);

/** Notifications: a text, an SMS, an e-mail or a notice the office sends. */
const NOTICE = new RegExp(
  `${B}(?:ب|و)?(?:رساله|رسايل|رسائل|مسج|مسجات|sms|اشعار|اشعارات|تنبيه|ايميل|notification|notifications|notify|notified|text message|texts|email|e-mail|risala|rasayel|masej|message)${E}`,
);
/** Being sent or reached by it: «ترسلون», «بتوصلني», «يصلني», "do you send", "will I get", «tirsloon». */
const SENT = new RegExp(
  `${B}(?:ب|و)?(?:ترسلون|ترسلوا|ترسلو|ترسلونها|يرسل|ترسل|تبعثون|توصلني|يوصلني|يصلني|تصلني|يوصلنا|توصل|يتم ارسال|يتم اشعار|يتم ابلاغ|تبلغون|تبلغوني|send|sends|sent|get|receive|notify|notified|tirsloon|tersloon|trsloon|btirsloon|btersloon|bteb3athoon|bteb3ethoon|tib3athoon|teb3athoon|tb3thoon|bt9ilni|ti9ilni|y9ilni|twa9loon|يوصل|يصل|ywsal|yoo9al|yiw9al)${E}`,
);
/** Where complaints go, who reads them: «الشكاوي وين تروح», «منو يقرا الشكاوي», "who handles complaints". */
const COMPLAINTS_ROUTE = new RegExp(
  [
    `${B}(?:ال)?(?:شكاوي|شكاوى|الشكوي|الشكوى|complaints|shakawi|shakawa)${E}.*${B}(?:وين|اين|لوين|الي اين|منو|من|مين|جهه|قسم|تروح|تحال|يقرا|يقراها|يطالع|who|where|which|handles|reads|reviews|go|wain|mnu|trou7)${E}`,
    `${B}(?:وين|اين|لوين|منو|من|مين|جهه|who|where|which|wain|mnu)${E}.*${B}(?:ال)?(?:شكاوي|شكاوى|complaints|shakawi)${E}`,
  ].join('|'),
);
/** A page, site, link or app… */
const PAGE = new RegExp(
  `${B}(?:ال|بال|عبر ال|و)?(?:رابط|موقع|صفحه|تطبيق|نظام|خدمه الكترونيه|website|site|page|link|portal|app|system|mawqe3|mawqa3|rabi6|tatbeeq)${E}`,
);
/** …to follow requests on. */
const FOLLOW = new RegExp(
  `${B}(?:ا|ن)?(?:تابع|اتابع|نتابع|تتبع|اتتبع|لتتبع|لمتابعه|متابعه|اشوف|نشوف|اعرف|track|tracking|follow|check|see|a3rf|at'?6abba3|ashoof|atab3)${E}`,
);
/** How a request is followed once sent: «كيف أتابع طلبي», «شلون أتابع», «كيف يمكنني متابعة», "how do I track a request", "how i can check", «kaif atab3». */
const HOW_TO_TRACK = new RegExp(
  `${B}(?:كيف|وكيف|شلون|وشلون|كيفيه|how|kaif|kef|shlon)${E}(?: \\S+){0,2} (?:ا|ن|ل)?(?:تابع|اتابع|نتابع|متابعه|اتتبع|نتتبع|تتبع|track|tracking|follow|following|check|trace|atab3|at'?6abba3)${E}`,
);
/** …unless asking where it stands now («كيف أعرف وين وصل طلبي», "how can I check where my request is"): a look-up. */
const WHERE_IT_IS = new RegExp(`${B}(?:وين|اين|حاله|حالته|where|status|wain|wein|wen)${E}`);
/** Whether one exists: «فيه», «هل يوجد», "is there", «fi». */
const EXISTS = new RegExp(`${B}(?:فيه|في|يوجد|توجد|عندكم|لديكم|هل|is there|are there|do you have|any|fi|fee|feeh|3indkom)${E}`);
/** Changing a request already sent: cancelling, editing, withdrawing it (how the office allows it). */
const CHANGE_REQUEST = new RegExp(
  `${B}(?:ا|ن)?(?:الغي|الغاء|لالغاء|اعدل|تعديل|نعدل|اسحب|سحب|cancel|cancelling|canceling|edit|modify|change|withdraw|a3addil|3addil|alghi)${E}`,
);
/** …asked how, or whether one may. */
const HOW_OR_MAY = new RegExp(`${B}(?:كيف|هل|اقدر|نقدر|يمكن|يمكنني|ممكن|الاجراء|how|can|could|may|possible|kaif|agdar|a9dar)${E}`);

/** Where or how to send a complaint, a suggestion or a report: «كيف أقدم مقترح؟», "where can I submit a suggestion?". */
const HOW_TO_SEND = new RegExp(
  `${B}(?:كيف|وين|اين|where|how|kaif|wain)${E}.*${B}(?:ا|ن)?(?:قدم|اقدم|ارسل|ارفع|نقدم|نرسل|تقديم|ارسال|submit|send|file|give|raise|aqaddim|arsil)${E}.*${B}(?:ال)?(?:مقترح|اقتراح|مقترحات|اقتراحات|شكوي|شكوه|الشكوي|ملاحظه|ملاحظات|suggestion|suggestions|complaint|complaints|feedback|idea|shakwa|e8tera7)${E}`,
);
/** «الفرق بين», "the difference between", «el far8»: asking how two kinds of message differ. */
const DIFFERENCE = new RegExp(`${B}(?:ال|و)?(?:فرق|difference|differences|far8|farq)${E}`);
/** «ما في فرق», "no difference": a grievance that all is the same, not a question. */
const NO_DIFFERENCE = new RegExp(`${B}(?:ما في|مافي|ما فيه|لا|بدون|no|any|without|ma fi|mafi) (?:ال)?(?:فرق|difference|far8)${E}`);
/** The kinds of message the office takes: a complaint, a report, a suggestion, a request. */
const MESSAGE_KIND = new RegExp(
  `${B}(?:و|ال|وال|ب|بال)?(?:شكوي|شكاوي|بلاغ|بلاغات|مقترح|مقترحات|اقتراح|اقتراحات|طلب|complaint|complaints|report|reports|suggestion|suggestions|request|requests|shakwa|balagh|i8tira7)${E}`,
);

/** True when the message asks how a complaint, a report, a suggestion or a request differ («ما الفرق بين البلاغ والشكوى؟»). */
export function asksDifference(normalized: string): boolean {
  return DIFFERENCE.test(normalized) && MESSAGE_KIND.test(normalized) && !NO_DIFFERENCE.test(normalized);
}

/** The office's working days and hours: «تداومون», «تشتغلون», "are you open", «dawamkom». */
const WORKING = new RegExp(
  `${B}(?:دوامكم|تداومون|تشتغلون|تفتحون|مفتوحين|فاتحين|are you open|you open|do you work|your working|your office hours|dawamkom|tdawmoon|tishta8loon|tshta8loon)${E}`,
);
/** «ليش ما…», "why not…": a suggestion's frame. */
const WHY_NOT = new RegExp(`${B}(?:ليش ما|ليه ما|لماذا لا|why not|why don't|why do not|laish ma|lesh ma|leish ma)${E}`);

/** Another employer («شركة الكهرباء», "the ministry"): jobs there are another authority's business. */
const OTHER_EMPLOYER = new RegExp(`${B}(?:ال)?(?:شركه|شركات|وزاره|مستشفي|بنك|مصنع|company|companies|ministry|hospital|bank|factory)${E}`);
/** Jobs at the office: vacancies, hiring, a CV. */
const JOBS = new RegExp(
  `${B}(?:ال)?(?:وظايف|وظائف|وظيفه|شواغر|توظيف|للتوظيف|سيرتي|السيره الذاتيه|السير الذاتيه|cv|vacancy|vacancies|hiring|hire|job|jobs|wa'?6ayif|wa'?6eefa|wadhayef|wadheefa)${E}`,
);
/** The office, addressed: «عندكم», «المحافظه», "you", "the governorate". */
const OFFICE = new RegExp(
  `${B}(?:عندكم|لديكم|تستقبلون|تقبلون|تستقبل|المحافظه|بالمحافظه|في المحافظه|البلديه|المكتب|you|your|governorate|office|3indkom|3andkom)${E}`,
);
/** When messages on a channel are answered: «متى تردون على…», "when do you reply". */
const REPLY_TIME = new RegExp(
  [
    `${B}(?:متي|كم|وقت|اوقات|ساعه|24|when|what time|how fast|how long|hours|mata|sa3a)${E}.*${B}(?:ب)?(?:تردون|تردوا|يردون|يرد|الرد|ترد|reply|replies|answer|respond|tirdoon|trdoon|yrd|yrud|yirid)${E}`,
    `${B}(?:ب)?(?:تردون|تردوا|يردون|يرد|ترد|reply|replies|answer|respond|tirdoon|trdoon|yrd|yrud|yirid)${E}.*${B}(?:متي|كم|وقت|ساعه|24|when|what time|hours|mata|sa3a)${E}`,
  ].join('|'),
);

/** «من المفيد أن…», "it would save…": a proposal's argument. */
const WOULD_HELP = new RegExp(`${B}(?:المفيد|الافضل|يستحسن|حبذا|would be|would save|would help|it would|better if)${E}`);

/** Anger, delay or neglect that make a question a grievance (reframe.ts passes what it found). */
export interface Voiced {
  anger: boolean;
  delay: boolean;
}

/**
 * True when a calm question asks how the office works: the notices it sends, where complaints go, a page to
 * track requests, when it answers, whether it hires, how a request is cancelled or edited.
 */
export function asksHowOfficeWorks(normalized: string, raw: string, voiced: Voiced): boolean {
  // Naming a complaint here asks about one; it voices none.
  if (asksDifference(normalized)) return true;
  if (voiced.anger || voiced.delay) return false;
  if (HOW_TO_SEND.test(normalized)) return true;
  if (PROPOSAL.test(normalized) || WOULD_HELP.test(normalized) || WHY_NOT.test(normalized)) return false;
  if (!(QUESTION.test(normalized) || /[?؟]/.test(raw))) return false;
  if (NOTICE.test(normalized) && SENT.test(normalized)) return true;
  if (COMPLAINTS_ROUTE.test(normalized)) return true;
  if (PAGE.test(normalized) && FOLLOW.test(normalized) && (EXISTS.test(normalized) || HOW_OR_MAY.test(normalized))) return true;
  if (HOW_TO_TRACK.test(normalized) && !WHERE_IT_IS.test(normalized)) return true;
  if (JOBS.test(normalized) && OFFICE.test(normalized) && !OTHER_EMPLOYER.test(normalized)) return true;
  if (CHANGE_REQUEST.test(normalized) && HOW_OR_MAY.test(normalized)) return true;
  if (WORKING.test(normalized) && /[?؟]/.test(raw)) return true;
  return REPLY_TIME.test(normalized) && /[?؟]/.test(raw);
}

/** A promise or an announced date of the office: «وعدتوني», «قلتوا بتجون», «أبلغوني بأن», "promised", "said he would", «wa3adni». */
const PROMISED = new RegExp(
  [
    `${B}(?:و)?(?:وعد|وعدت|وعدتوا|وعدتو|وعدتم|وعدتوني|وعدوني|وعدني|وعدتني|وعدونا|وعدتونا|وعود|الوعود|بوعود|وعدنا|وعدا|وعدا|تواعدون|قلتوا|قلتو|قلتم|قالوا|قالو|قال|قالت|اكدتوا|اكدوا|اكدتم|التزمتم|التزمت|التزموا|ابلغوني|ابلغني|ابلغتموني|ابلغت|حددتم|حددتوا|اتفقت|اتفقنا|جاوبتوني)${E}`,
    `${B}(?:promised|promise|promises|said|told me|told us|was told|were told|assured|agreed|supposed to)${E}`,
    `${B}(?:wa3ad\\S*|wa3ood|gulto|galo|galat|qalo|gilto|gal)${E}`,
  ].join('|'),
);
/** The promise not kept, or time gone by since: «ما جيتوا», «ولا تزال», «وللحين», «من أسبوع», "still", "a week later". */
const NOT_KEPT = new RegExp(
  [
    `${B}(?:و)?(?:ما|ولا|لا|لم|محد|ماحد)(?: (?:حد|احد|شي|شيء))? (?:جيتوا|جيتو|جيتم|جا|جاء|جاني|جانا|وصل|وصلني|وصلنا|اتصل|اتصلت|تصل|يتصل|حضر|يحضر|يحضروا|تحقق|يتحقق|يتم|شفنا|شفناه|رد|رديتوا|تنفذ|يتنفذ|انسوي|حصل)${E}`,
    `${B}(?:و)?(?:لا تزال|لا يزال|ما زال|مازال|ما زلت|مازلت|للحين|وللحين|لين الحين|دون جدوي|بدون فايده|كلام وبس|وبس)${E}`,
    `${B}(?:من|منذ|صار|صار لي|صار لنا|صار له|مضي|مر|مرت)(?: \\S+)? (?:اسبوع|اسبوعين|اسبوعان|شهر|شهرين|ايام|يومين)${E}`,
    `${B}(?:still|never|nobody|no one|did not|didn't|has not|hasn't|not come|not call|not show|(?:days|weeks|week|month|months) later)${E}`,
    `${B}(?:ma ?7ad|ma ja|ma t9al|ma t9alat|ma wa9al|lil7een|ba3d ma)${E}`,
  ].join('|'),
);

/** True when the message holds the office to a promise or a date it did not keep. */
export function citesBrokenPromise(normalized: string): boolean {
  return PROMISED.test(normalized) && NOT_KEPT.test(normalized);
}

/** A proposal or a wish: «أقترح», «ياليت», "I'd like to propose", «a8tare7». */
const PROPOSAL = new RegExp(
  `${B}(?:و)?(?:اقترح|نقترح|اقترحت|اقتراح|اقتراحي|اقتراحنا|مقترح|مقترحي|مقترحنا|ياليت|يا ليت|ياريت|يا ريت|ليت|اتمني|نتمني|propose|proposal|suggest|suggestion|wish|a8tare7|aqtare7|iqtira7|eqtira7|yaleet|ya leet)${E}`,
);
/** For the writer's own place or person: «بيتي», «منزلي», «لي», «تعطوني», «منحي», "my street", "for me". */
const FOR_SELF = new RegExp(
  `${B}(?:و|ب|ل)?(?:بيتي|بيتنا|منزلي|لمنزلي|منزلنا|حارتنا|حينا|شارعنا|فريجنا|مزرعتي|مزرعتنا|محلي|لمحلي|لي|لنا|تعطوني|تعطونا|عطوني|اعطوني|منحي|منحنا|توافقون لي|my house|my home|my street|my farm|my shop|our house|our street|for me|for us|give me|beiti|beitna|baiti|baitna|t3a6oni|t3a6ooni)${E}`,
);

/** True when a proposal or wish asks for something for the writer's own place or person (a filing, not a suggestion for everyone). */
export function proposesForSelf(normalized: string): boolean {
  return PROPOSAL.test(normalized) && FOR_SELF.test(normalized);
}

/** A plea or a formal appeal to the office: «أهيب بكم», «أناشدكم», «نلتمس», «تكفون», «الله يخليكم», «أرجو التكرم», "kindly". */
const PLEA = new RegExp(
  [
    `${B}(?:و)?(?:اهيب|نهيب|اناشدكم|نناشدكم|اناشد|نناشد|نلتمس|التمس|اتوسل|نتوسل|نترجاكم|اترجاكم|نترجي|تكفون|الله يخليكم|الله يحفظكم|الله يرضي عليكم|لو تكرمتوا|ارجو التكرم|نرجو التكرم|يرجي التكرم|نامل منكم|امل منكم)${E}`,
    `${B}(?:kindly|please please|i beg you|we beg you|allah y5aleekom|allah ykhaleekom|allah y7f'?6kom|tkfoon|takfoon)${E}`,
    `${B}(?:ارجو|نرجو|يرجي|نامل|امل) (?:التكرم ب)?(?:ارسال|ردم|رش|ازاله|تنظيف|اصلاح|صيد|مكافحه|حمايه|توفير|تخصيص)${E}`,
  ].join('|'),
);

/** True when the message pleads with the office or appeals to it formally. */
export function pleads(normalized: string): boolean {
  return PLEA.test(normalized);
}

/** A proposal's own words: «أقترح», «يستحسن», «من الأفضل», «حبذا», "I suggest", "you should". */
const GENERAL_PROPOSAL = new RegExp(
  `${B}(?:و)?(?:اقترح|نقترح|اقترحت|اقتراح|اقتراحي|اقتراحنا|مقترح|مقترحي|مقترحنا|يستحسن|المستحسن|الافضل|حبذا|اري ان|نري ان|suggest|suggestion|propose|idea|you should|my idea|a8tare7|aqtare7|e8tera7|iqtira7|eqtira7|iqtira7i)${E}`,
);

/** «شرايكم تسوون…؟», «ما رأيكم لو…», "maybe you can…": a proposal worded as a question. */
const WHAT_DO_YOU_THINK = new RegExp(
  `${B}(?:شرايكم|شرايك|ما رايكم|وش رايكم|شو رايكم|ايش رايكم|ويش رايكم|maybe you can|maybe you could|why not|shra?ykom|sh ra2ykom)${E}`,
);

/** True when a proposal asks for a change for everyone, not for the writer's own place or person; `asked`: the text has a question mark. */
export function proposesForAll(normalized: string, asked = false): boolean {
  if (FOR_SELF.test(normalized) || asksDifference(normalized)) return false;
  return (GENERAL_PROPOSAL.test(normalized) && !asked) || WHAT_DO_YOU_THINK.test(normalized);
}
