/**
 * Cues the networks miss on unseen wording, read from the normalized text (model.ts applies them after
 * the networks): asking ABOUT a service rather than filing it, following up a request already made, and
 * a suggestion worded as «ليش ما…؟». Each is a pattern of the question's frame, never of one service.
 */
import { conceptOf } from './lexicon.js';

/** Start of a word in normalized text (\b does not see Arabic letters). */
export const B = String.raw`(?:^|\s)`;
/** End of a word in normalized text. */
export const E = String.raw`(?=\s|$)`;
/**
 * Cues that a message asks ABOUT a service rather than files it: coverage («يشمل», "does it include"),
 * eligibility («يحق», "can I apply if…", "allowed"), a choice between options («ولا لا», «ولا بس», "or only",
 * "or what") and how long it usually takes («عادة», "usually"). Matched on `normalizeForMatch` text.
 */
const ASK_ABOUT = new RegExp(
  [
    `${B}(?:و)?(?:يشمل|تشمل|يشملون|تشملون|يشملها|تشملها|يغطي|تغطي|يحق|يجوز|مسموح|ينفع|يسمح|تسمح|عاده|عادتا|عادتن|ببلاش|مجانا|مجاني|مجانيه|برسوم|بفلوس)${E}`,
    `${B}(?:ولا|او) (?:لا|بس|كم|شو|وش|ايش|بدون|بلاش)${E}`,
    `${B}(?:لو|اذا) (?:انا|كنت|ما كنت|مب|مو|عمري|عمره)${E}`,
    `${B}(?:yeshmal|teshmal|yshmal|tshmal|yashmal|tashmal|ye7eg|y7ig|3adatan|3adatn|3adaten)${E}`,
    `${B}walla (?:la|bas|kam|esh|shu)${E}`,
    `${B}(?:ida|itha|lo) ana${E}`,
    `${B}(?:include|includes|included|including|cover|covers|covered|eligible|allowed|entitled|qualify|usually|typically|normally|free of charge|majani|majanan|b ?floos)${E}`,
    `${B}or (?:only|just|what|not|also)${E}`,
    `${B}(?:only|just) (?:for|on|in|citizens|omanis|men|women)${E}`,
    `${B}what if${E}`,
    `${B}if (?:i am|im|i'm|i m|my|we are|i do not|i don't|i dont)${E}`,
    `${B}(?:not|non) (?:omani|omanis|a citizen|citizens|resident)${E}`,
    `${B}(?:does|do|did|is|are|will) (?:it|the|this|that|they|you) [^?]*\\b(?:also|too|even|only)${E}`,
    `^can (?:it|the|this|they) [^?]*\\b(?:also|too|even|only)${E}`,
  ].join('|'),
);

/** A question whether a service is only for some («للعمانيين بس؟», "only for citizens?"): the raw text ends with «بس؟». */
const ONLY_QUESTION = /(?:^|\s)(?:بس|فقط|only|bas)\s*[?؟]\s*$/i;

/** A question between two options («بالساعة ولا باليوم؟», "sana walla shahar?", "1 year or 2?"): the raw text ends with a question mark. */
const CHOICE_QUESTION = /(?:^|\s)(?:ولا|walla|wila|or)\s[^?؟]{1,40}[?؟]\s*$/i;

/**
 * A yes/no question about a service: «هل يمكن…», «فيه خدمة…؟», "is there a service…", "does the…", "can I…"
 * (not «هل يمكنكم…» / "can you…", a request addressed to the office, nor «هل تم…», a look-up).
 */
const YES_NO = new RegExp(
  [
    `${B}(?:و)?هل(?! (?:يمكنكم|تستطيعون|تقدرون|بامكانكم|باستطاعتكم|تم|تمت|ممكن ت\\S+ون)${E}) `,
    `^hal(?! (?:momkin|mumkin) t\\S+oon${E}| tam${E}| tamm${E}) `,
    `${B}(?:في|فيه|هل في|هل فيه|يوجد|توجد|عندكم|لديكم|fi|fee|fih|feeh|is there|are there|do you have|do you offer|do you provide|do you do)(?: \\S+)? (?:خدمه|خدمات|service|services|5idma|5edma|khidma|khedma)${E}`,
    `^(?:is|are|does|do|will|may|must|should) (?:i|we|one|it|the|this|that|a|an|there|residents|individuals|people|anyone|expats|women|non)${E}`,
    `^can (?:one|residents|individuals|people|anyone|expats|women|non|someone|a (?:resident|citizen|student|woman|family))${E}`,
    `${B}(?:is it possible|is it allowed|is it necessary|is it required|possible to|do i need|do we need|do i have to|any chance)${E}`,
  ].join('|'),
);
/** Modal questions that need the question mark to be questions: «لازم…؟», «اقدر…؟», "lazim…?" («لازم تردمونها» is a demand). */
const MODAL = new RegExp(
  `${B}(?:لازم|يلزم|يشترط|يحتاج|تحتاج|يتطلب|اقدر|نقدر|يقدر|يصير|lazim|lazem|laazim|y7taj|t7taj|ygdar|yigdar|agdar|a9dar|ngdar|yse?eer)${E}`,
);

/** The writer's own request, already made. */
const OWN_PAST = new RegExp(
  `${B}(?:و)?(?:قدمت|قدمته|قدمتها|قدمنا|قدمناه|طلبت|طلبته|طلبنا|طلبي|معاملتي|i applied|i submitted|i filed|we applied|my request|my application|qaddamt|gaddamt|6alabi|talabi)${E}`,
);

/** The writer's own place («قدام بيتي», «حارتنا», "our street", «beitna»): a question naming it asks for the service there. */
const OWN_PLACE = new RegExp(
  `${B}(?:بيتي|بيتنا|منزلي|منزلنا|حارتنا|حينا|شارعنا|فريجنا|مزرعتي|مزرعتنا|عندنا|my house|my home|our house|our home|our street|our area|our neighbourhood|our neighborhood|my street|my farm|our farm|beiti|beitna|baiti|baitna|7aratna|share3na)${E}`,
);
/** True when the message names the writer's own request, already made («طلبي», "I applied"), and no hypothetical one. */
export function namesOwnPastRequest(normalized: string): boolean {
  return OWN_PAST.test(normalized) && !HYPOTHETICAL.test(normalized);
}
/** «لو قدمت…», "if I apply…": a hypothetical request, not one already made. */
export const HYPOTHETICAL = new RegExp(`${B}(?:لو|اذا|if|lo|law|itha|ida) (?:قدمت|طلبت|i apply|i applied|i submit|qaddamt|gaddamt)${E}`);

/** True when a message asks about a service (its coverage, who may apply, how long it usually takes, which option, whether it exists) rather than files it. */
export function asksAboutService(normalized: string, raw = ''): boolean {
  if (ASK_ABOUT.test(normalized) || ONLY_QUESTION.test(raw)) return true;
  // «قدمت على … هل تحدد الموعد؟» asks about the writer's own request: a look-up, not a question about the service.
  if (namesOwnPastRequest(normalized)) return false;
  // «هل بالإمكان ردم الحفرة قدام بيتي؟», "is it possible to send a team to our street?": a request, politely.
  if (OWN_PLACE.test(normalized) || ADDRESSED_REQUEST.test(normalized)) return CHOICE_QUESTION.test(raw);
  return CHOICE_QUESTION.test(raw) || YES_NO.test(normalized) || (/[?؟]/.test(raw) && MODAL.test(normalized));
}

/**
 * Cues of a status look-up that names a service («أتابع طلب…», «هل تم اعتماد…», «حالة طلب…», "any update on",
 * "following up on", "has it been approved", "the status of my…"). Matched on `normalizeForMatch` text.
 */
const STATUS_CUE = new RegExp(
  [
    `${B}(?:اتابع|نتابع|متابعه)(?: علي)? (?:طلب|طلبي|معامله|معاملتي)`,
    `${B}(?:هل )?(?:تم|تمت) (?:اعتماد|قبول|الموافقه|الرد|تحديد|اعتمدتوا)`,
    `${B}(?:تمت|صارت) الموافقه علي`,
    `${B}(?:ata3ab|at3ab|anab3)${E}`,
    `${B}(?:any update|following up|follow up on|followup on|has it been|have they approved|been approved|been accepted)${E}`,
    `${B}(?:حاله|بحاله|عن حاله|وين وصل|لوين وصل) (?:ال)?(?:طلب|طلبي|طلبنا|معاملتي|معامله)${E}`,
    `${B}(?:status|progress) of (?:my|our|the)${E}`,
  ].join('|'),
);

/** True when a message follows up on a request already made. */
export function followsUpRequest(normalized: string): boolean {
  return STATUS_CUE.test(normalized);
}

/**
 * «ليش ما تخلون/تسوون/تحطون…؟», "why don't you add…", "why not open…": a suggestion worded as a
 * question (a complaint asks why something was NOT done to the writer: «ليش ما تردون؟»).
 */
const WHY_NOT_CHANGE = new RegExp(
  [
    `${B}(?:ليش|ليه|لماذا|لم) (?:ما|لا) (?:تخلون|تسوون|تحطون|تفتحون|تضيفون|تنشرون|توفرون|تعملون|تسمحون|تخصصون|تركبون|يتم توفير|يتم اضافه|تسوو|تحطو|تخلو)${E}`,
    `${B}(?:laish|lesh|leish|laysh) ma (?:tsawoon|tsawon|t5aloon|tkhaloon|t7o6oon|t7ottoon|t7otoon|tiftahoon|tift7oon|tzeedoon)${E}`,
    `${B}why (?:do not|don't|dont) you (?:add|make|let|open|put|provide|publish|offer|allow|create|install|set up|have)${E}`,
    `${B}why not (?:add|make|let|open|put|provide|publish|offer|allow|create|install|set up|have)${E}`,
  ].join('|'),
);

/**
 * A change asked for politely, for everyone rather than for the writer: «ممكن تضيفون…», «يا ليت تسوون…»,
 * «لو توفرون…», "it would be nice to have…", "you should add…", "how about adding…".
 */
const POLITE_CHANGE = new RegExp(
  [
    `${B}(?:ممكن|لو|ياليت|يا ليت|ياريت|يا ريت|نتمني|اتمني|نرجو|حبذا لو|حبذا) (?:تضيفون|تسوون|تحطون|توفرون|تفتحون|تخلون|تزيدون|تعملون|تنشرون|تخصصون|تركبون|تضيفوا|تسووا|تحطوا|توفروا|يكون في|يكون فيه|يصير في|يضاف|يتم توفير|يتم اضافه)${E}`,
    `${B}(?:mumkin|momkin|law|lo|ya ret|yaret|ya rait|yarait|ya leet|yaleet) (?:tzeedoon|tdheefoon|tdhifoon|tsawoon|tsawon|t7o6oon|t7otoon|twafiroon|tiftahoon|tift7oon)${E}`,
    `${B}it would be (?:nice|great|good|better|helpful|useful) (?:if|to)${E}`,
    `${B}(?:you should|you could|maybe you could|how about|what about|please consider) (?:add|adding|make|making|open|opening|put|putting|provide|providing|have|having|install|installing|offer|offering|create|creating|plant|planting|build|building)${E}`,
  ].join('|'),
);

/** True when a message suggests a change worded as «ليش ما…؟» / "why don't you…?" or as a polite wish, and voices no anger or delay. */
export function suggestsChange(normalized: string): boolean {
  if (!WHY_NOT_CHANGE.test(normalized) && !POLITE_CHANGE.test(normalized)) return false;
  return !normalized.split(' ').some((w) => {
    const c = conceptOf(w);
    return c === 'anger' || c === 'delay' || c === 'complain';
  });
}

/** A refusal of the writer's request: «رفضتوا طلبي», «انرفض», "rejected", «marfoo'6». */
const REFUSED = new RegExp(
  [
    `${B}(?:و|ف)?(?:رفض|رفضت|رفضوا|رفضو|رفضتوا|رفضتو|رفضتم|رفضه|رفضها|رفضوه|رفضتوه|انرفض|انرفضت|ينرفض|مرفوض|مرفوضه|برفض|لرفض)${E}`,
    `${B}(?:ma?r?foo?'?(?:6|d|dh)h?|rafa'?(?:6|d|dh)\\S*|rf[ao]'?(?:6|d|dh)\\S*|enraf[ae]'?(?:6|d|dh)\\S*)${E}`,
    `${B}(?:rejected|refused|declined|denied|rejection|rejecting|turned down)${E}`,
  ].join('|'),
);

/** Nobody came, answered or called back; nothing happened; still waiting: neglect of a request. */
const NEGLECTED = new RegExp(
  [
    `${B}(?:ما|محد|ولا|لا|ولم|لم)(?: (?:حد|احد|في احد))? (?:جا|جاء|جانا|جاني|يجي|حضر|يحضر|رد|يرد|ردوا|ردو|رديتوا|تردون|يردون|اتصل|تواصل|سوي|تحرك|انسوي|انجز|انعمل|تنفذ|نفذ|اتنفذ|يتم الرد)${E}`,
    `${B}(?:ولا شي|ولا شيء|بدون فايده|بلا فايده|بدون رد|بلا رد|دون رد|دون اي اجراء|لم يحضر احد|لم يتم)${E}`,
    `${B}(?:(?:ma ?7ad|wala ?7ad|ma ?a7ad|7ad ma) \\S*(?:rad|rd|ja|ehtam|sawa|9awa|7a'?6ar|tasal|9al)\\S*|ma (?:y|t|i)?(?:rdoon|rdon|radd|rad|ridd|jaa?|ja)|wala (?:shay|shai|shi))${E}`,
    `${B}(?:nobody|no one|noone|no body|never)(?: \\S+)? (?:came|come|replied|replies|reply|answered|answers|answer|called|calls|responded|responds|contacted|showed|explains|explained|happened)${E}`,
    `${B}(?:(?:no|zero) (?:reply|response|answer|call|callback|action|visit)|nothing (?:happened|was done|done|has been done)|still (?:nothing|no)|never (?:came|called|replied|answered|heard))${E}`,
  ].join('|'),
);

/** A reference to the writer's own request (what a grievance is about). */
const OWN_REQUEST = new RegExp(
  `${B}(?:و)?(?:طلبي|طلبت|طلبنا|قدمت|قدمنا|معاملتي|الطلب|طلب|المعامله|بلاغي|ننتظر|انتظر|منتظر|منتظرين|نستني|استني|waiting|nintether|nintedher|ntether|mntether|application|request|requests|form|submitted|applied|filed|6alabi|6alab|talabi|talab|tlbi|qaddamt|gaddamt|qadamt|6alabna)${E}`,
);
/** A question whether, or what if (a look-up or an inquiry, not a grievance): «انرفض ولا لا؟», "what if it is rejected?". */
const WHETHER = new RegExp(`${B}(?:هل|اذا|لو|ولا|hal|walla|if|whether|or|can|could)${E}`);

/**
 * True when a message voices a grievance about the writer's request: it was refused, or neglected (nobody
 * came or answered, still waiting) or delayed in anger; `angry` says the message has anger or delay words
 * (lexicon concepts). A question whether it was refused («انرفض ولا لا؟») is no grievance.
 */
export function complainsAboutRequest(normalized: string, voiced: { anger: boolean; delay: boolean }, raw = '', filing = false): boolean {
  const question = WHETHER.test(normalized) || /[?؟]/.test(raw);
  if (REFUSED.test(normalized)) return !WHETHER.test(normalized) || voiced.anger || NEGLECTED.test(normalized);
  // «ما حد يرد عليكم نهائياً»: neglect stated (not asked) is a grievance even without naming a request, unless read as a filing.
  if (!OWN_REQUEST.test(normalized)) return !filing && !question && NEGLECTED.test(normalized);
  return NEGLECTED.test(normalized) || voiced.anger || (voiced.delay && !question);
}

/** Someone else: a neighbour, a person, a business (what a report of a violation is about). */
const THIRD_PARTY = new RegExp(
  `${B}(?:و)?(?:جاري|جارنا|جيراننا|جيرانا|الجيران|جارتنا|جارنا|واحد|شخص|احد|مواطن|بايع|بايعه|باعه|محل|المحل|محلات|مطعم|المطعم|مقهي|المقهي|كوفي|كافيه|مخبز|المخبز|بقاله|البقاله|ورشه|الورشه|كراج|شركه|الشركه|مصنع|بائع|بياع|قصاب|ملحمه|مغسله|محطه|عماره|مبني|بنايه|neighbour|neighbor|neighbours|neighbors|someone|somebody|a man|people|shop|shops|restaurant|cafe|café|bakery|grocery|butcher|garage|workshop|company|factory|vendor|seller|building|jar(?:na|i)|jeeran(?:na)?|wa7ed|sha5s|ma7al|ma63am|mat3am|ma6'?3am|maqha|ma8ha|ma5baz|wir?sha|wer4a\\S*|wersha\\S*|sharika|baya3|bayya3|mabna|3imara)${E}`,
);
/** A violation: no permit, against the rules, encroaching, blocking the way, spoiled food, filth. */
const VIOLATION = new RegExp(
  [
    `${B}(?:بدون|دون|بلا|من غير|بغير|ما عنده|ما عندهم|بدون اي) (?:ترخيص|تصريح|تراخيص|تصاريح|رخصه|اذن|موافقه)${E}`,
    `${B}(?:مخالف|مخالفه للانظمه|مخالفين|بشكل مخالف|غير قانوني|غير مرخص|غير مرخصه|تعدي|يتعدي|تتعدي|متعدي|التعدي|تعديات|زياده عن المسموح|اكثر من المسموح|فوق المسموح|منتهي|منتهيه|منتهيه الصلاحيه|فاسد|فاسده|خايس|خايسه|تسمم|مسموم)${E}`,
    `${B}(?:(?:ي|ت)?(?:سد|سدوا|سادين|يسدون|مسكر|مسكرين|قافلين) (?:الطريق|الممر|الرصيف|الشارع|المدخل))${E}`,
    `${B}(?:without|no) (?:a |any )?(?:permit|permits|license|licence|permission|approval|gloves)${E}`,
    `${B}(?:illegal|illegally|unlicensed|unauthorized|unauthorised|violation|violating|violates|encroach|encroaching|encroachment|expired|spoiled|rotten|unhygienic|filthy|poisoning|poisoned|taken over|took over|blocking|blocks|blocked|can not pass|can't pass|cannot pass|inspect|inspection|noise|noisy|nuisance)${E}`,
    `${B}(?:labou?r (?:camp|accommodation|housing)|سكن (?:عمال|للعمال)|sakan 3ummal)${E}`,
    `${B}(?:و)?(?:ازعاج|يزعجون|مزعج|ما خلانا ننام|ما خلونا ننام|ما نقدر ننام|ما نعرف ننام|تفتيش|فتشوا|تفتشون|تفتيشه|iz3aj|ez3aj|t'?fteesh|ma n(?:9|g|q)d?[ae]?r nana?a?m)${E}`,
    `${B}(?:bdoon|bdun|doon|bala|mn 3'?air|min ghair) (?:tasree7|ta9ree7|tasreeh|tar5ee9|tarkhees|ru5sa|rukhsa|permit)${E}`,
    `${B}(?:mo5alif|mukhalif|mo5alfa|muntahi|montahi|fased|fasid|5ayes|khayes)${E}`,
  ].join('|'),
);

/** True when a message reports someone else's violation (a neighbour's liwan closed without a permit, a shop on the pavement, spoiled food on sale). */
export function reportsViolation(normalized: string): boolean {
  if (OWN_PERMIT.test(normalized)) return false;
  return FLAGRANT.test(normalized) || (VIOLATION.test(normalized) && THIRD_PARTY.test(normalized));
}

/** The writer calls the message a complaint («عندي شكوى», "I have a complaint about…"): a complaint stays one. */
const NAMED_COMPLAINT = new RegExp(`${B}(?:complaint|complain|complaining|شكوي|شكوه|اشتكي|نشتكي|اشكو|نشكو|ashtki|nashtki|shakwa)${E}`);

/** True when the writer calls the message a complaint. */
export function namesComplaint(normalized: string): boolean {
  return NAMED_COMPLAINT.test(normalized);
}

/** The writer asks for a permit of their own («ابي تصريح…», "I want a permit…"), whatever a neighbour did. */
const OWN_PERMIT = new RegExp(
  `${B}(?:ابي|ابغي|ابغا|ابا|اريد|ارغب|نبي|نبغي|ودي|i want|i need|we want|we need|i would like|i d like|abi|abgha|nabi|ubgha) (?:\\S+ ){0,3}(?:تصريح|ترخيص|رخصه|permit|license|licence|tasree7|ta9ree7)${E}`,
);

/** A violation that names itself, whoever commits it: encroaching on public land, acting illegally, slaughtering outside the slaughterhouse. */
const FLAGRANT = new RegExp(
  `${B}(?:تعدي|يتعدي|تتعدي|متعدي|التعدي|تعديات|يتعدون|غير قانوني|بشكل غير قانوني|illegal|illegally|encroach|encroaching|encroachment|encroaches|mo5alfa qanooniya|ذبح|يذبح|يذبحون|slaughter|slaughters|slaughtering|slaughtered|dhab7|ythba7|yithba7)${E}`,
);

/** When the weather will come: tomorrow, tonight, this week, the coming days (a forecast is another authority's business). */
const FORECAST_WHEN = new RegExp(
  `${B}(?:بكره|باكر|باچر|الليله|هالاسبوع|هالايام|الاسبوع الجاي|الايام الجايه|اليوم|bukra|bokra|bachir|bacher|tomorrow|tonight|this week|weekend|el youm|elyoum|alyoum)${E}`,
);
/** Future rain: «بتمطر», «bey9eer ma6ar», "will it rain". */
const FORECAST_VERB = new RegExp(
  `${B}(?:بتمطر|راح تمطر|بيمطر|تمطر|يمطر|بيصير|بتصير|بيكون|بيجي|(?:اخبار|a5bar|akhbar) (?:el |al )?(?:المطر|الجو|الطقس|ma6ar|mu6ar|matar|jaw|6aqs)|bey9eer|bay9eer|by9eer|b(?:e|i)?tm6ar|btim6ir|mo6ir|mu6ir|will it|going to|gonna|forecast|expected)${E}`,
);

/** True when a message asks whether it will rain (a weather forecast, not the repair of weather damage). */
export function asksForecast(normalized: string, raw: string): boolean {
  return /[?؟]/.test(raw) && FORECAST_WHEN.test(normalized) && FORECAST_VERB.test(normalized);
}

/**
 * A filing addressed to the office as a polite question: «هل يمكنكم إرسال فريق…», «ممكن تردمون…», "can you send
 * someone…", "could you fill…". Asking whether the office does something in general is no such request.
 */
const ADDRESSED_REQUEST = new RegExp(
  [
    `${B}(?:هل )?(?:يمكنكم|تقدرون|تستطيعون|بامكانكم|ممكن) (?:ارسال|ترسلون|ترسلوا|تبعثون|تطرشون|تجون|تردمون|ترشون|تصيدون|تشيلون|تنظفون|تصلحون|تعطونا|تعطوني|تحجزون|تسجلوني)${E}`,
    `${B}(?:is it possible|possible) to (?:send|come|fix|fill|remove|clean|catch|spray|drain|repair)${E}`,
    `${B}(?:can|could|would) you (?:please |kindly |pls )?(?:send (?:someone|somebody|a team|the team|a truck|a loader|workers|people)|come|fix|fill|remove|clean|catch|spray|book|arrange|repair|register|drain)${E}`,
    // "Please send someone to catch…": the same asked as an imperative.
    `^(?:please|pls|plz|kindly) (?:send (?:someone|somebody|a team|the team|a truck|a loader|workers|people)|come and|fix|fill|remove|clean up|catch|spray|repair|drain)${E}`,
    `${B}(?:momkin|mumkin) t(?:rs|jo|rdm|shel|9ayd|9eed|7jz|sajl)\\S*`,
  ].join('|'),
);

/** True when a message asks the office to do something for the writer, worded as a question. */
export function requestsAction(normalized: string): boolean {
  return ADDRESSED_REQUEST.test(normalized) || (POLITE_ASK.test(normalized) && OWN_PLACE.test(normalized));
}

/** «هل بالإمكان ردم…», «ممكن رش…»: whether the office can do it, which asks for it when the place is the writer's own. */
const POLITE_ASK = new RegExp(`${B}(?:هل )?(?:بالامكان|من الممكن|يمكن|ممكن|تقدرون) (?:ردم|رش|صيد|تنظيف|اصلاح|ارسال|رفع|ازاله|شيل|حجز|تسويه|مسك)${E}`);

/** True when a message asks about a service's coverage, eligibility or options (the strong cues only, not a bare yes/no frame). */
export function asksCoverage(normalized: string): boolean {
  return ASK_ABOUT.test(normalized);
}

/** Words that make the next incident word a risk, not an event: «تسبب حوادث», "causing accidents", «قد يؤدي إلى حريق». */
const CAUSES = new Set(
  'تسبب يسبب بيسبب بتسبب يؤدي تؤدي يودي تودي لحدوث يسببون causing causes cause lead leads leading risk risks yisabib tsabib ysabib'.split(' '),
);
const CAUSE_LINKS = new Set(['في', 'الي', 'ب', 'to', 'a', 'an', 'more', 'many', 'serious', 'fi']);

/** True when every incident word (lexicon.ts) of the text is a consequence it warns of («حفرة تسبب حوادث»), not an incident that happened. */
export function incidentOnlyAsRisk(normalized: string): boolean {
  const words = normalized.split(' ');
  let seen = false;
  for (const [i, w] of words.entries()) {
    if ((conceptOf(w) ?? conceptOf(w.replace(/^(?:وال|بال|ال|و)(?=.{3})/, ''))) !== 'incident') continue;
    seen = true;
    let j = i - 1;
    while (j >= 0 && CAUSE_LINKS.has(words[j]!)) j--;
    if (j < 0 || !CAUSES.has(words[j]!)) return false;
  }
  return seen;
}
