/**
 * More cues of how a message is framed (reframe.ts applies them after the networks), each a pattern of the
 * frame, never of one service: a general-knowledge question about an office holder or the governorate
 * (who the wali is, how many wilayats, when a fort opens) is nobody's service; a question how far the
 * writer's own request has come («وين وصل طلب الليوان حقي؟») is a status look-up even when it names the
 * service; a need the writer tells as a story («…نبي فريق البلدية») asks for a service. Matched on
 * `normalizeForMatch` text.
 */
import { B, E, HYPOTHETICAL } from './cues.js';

/** Who holds an office, or its name: «منو والي…», «شو اسم المحافظ», "who is the wali", «mnu el wali». */
const OFFICE_HOLDER = new RegExp(
  `${B}(?:منو|من هو|من هي|مين|مين هو|اسم|who is|who's|whos|who was|who are|name of|mnu|minu|meno|man howa|min howa|ism|esm)(?: \\S+){0,2} (?:ال)?(?:والي|ولاه|محافظ|وزير|wali|walis|governor|minister|(?:el |al )?(?:wali|m[uo]7?h?af[ie]\\S*|wazeer|wazir))${E}`,
);
/** Facts about the governorate or the country: population, how many wilayats, when founded, sights, a fort, a law of another body. */
const GOVERNORATE_FACT = new RegExp(
  [
    `${B}(?:تاسست|تاسيس|انشئت|معالم|المعالم|سياحي|سياحيه|السياحيه|اثري|اثريه|حصن|قلعه|متحف|قانون العمل|القطاع الخاص)${E}`,
    `${B}(?:كم (?:ولايه|عدد الولايات|ولايات)|(?:عدد|كم) (?:ال)?سكان)${E}`,
    `${B}(?:population|founded|history|historical|tourist|tourists|tourism|attractions|sights|landmark|landmarks|fort|castle|museum|visitors|labou?r law|private sector)${E}`,
    `${B}how many (?:wilayats?|wilayat|governorates|people)${E}`,
    `${B}kam (?:wilaya|wilayat|welaya)${E}`,
  ].join('|'),
);
/** Words of meeting an office holder, or of the writer's own wish: then the message is a request, not a quiz. */
const MEETING_OR_WISH = new RegExp(
  `${B}(?:مقابله|موعد|لقاء|اقابل|نقابل|اشوف|مكتب|ابي|ابغي|ابا|اريد|ارغب|نبي|ودي|احتاج|meeting|meet|appointment|office|audience|book|muqabla|mqabla|muqablat|aqabil|aqabel|nqabil|maw3ed|mo3ad|maktab|abi|abgha|ubgha|nabi|want|need)${E}`,
);

/** A piece of writing asked of the assistant: «اكتب لي قصيدة», «ساعدني في كتابة سيرة ذاتية», "write me a poem", «iktib li 8a9eeda». */
const WRITING_TASK = new RegExp(
  `${B}(?:اكتب|اكتبلي|اكتبي|الف|(?:ساعدني|ساعدوني|تساعدني|تساعدوني|مساعدتي|مساعدتنا) في كتابه|ترجم|ترجملي|write|compose|translate|iktib|ktb|iktibli|tarjim)${E}(?: \\S+){0,3} (?:ال)?(?:قصيده|شعر|قصه|نكته|سيره ذاتيه|سيرتي الذاتيه|مقال|خاطره|رساله حب|poem|poetry|story|joke|essay|cv|resume|song|love letter|homework|8a9eeda|qaseeda|gaseeda|9a9a|nukta)${E}`,
);

/** True when a message asks a general-knowledge question (who holds an office, facts about the governorate) or asks the assistant to write a poem, a story or a CV. */
export function asksGeneralKnowledge(normalized: string): boolean {
  if (WRITING_TASK.test(normalized)) return true;
  if (MEETING_OR_WISH.test(normalized)) return false;
  return OFFICE_HOLDER.test(normalized) || GOVERNORATE_FACT.test(normalized);
}

/** The writer's own request, named or not: «طلبي», «طلب الليوان حقي», «اللي قدمته», "my liwan request", «6alab el tadreeb ma3i». */
const OWN_REQUEST = new RegExp(
  [
    `${B}(?:و)?(?:طلبي|طلباتي|معاملتي|طلبنا|معاملتنا|بلاغي|قدمت|قدمنا|رسلت|ارسلت)${E}`,
    `${B}(?:الذي|التي|اللي|الي) (?:تقدمت|تقدمنا|رفعت|رفعته|رفعتها|رفعناه|ارسلته|رسلته|قدمته|قدمتها|طلبته|طلبتها)${E}`,
    `${B}(?:طلب|الطلب|معامله|المعامله)(?: \\S+){0,4} (?:حقي|حقنا|مالي|اللي قدمته|اللي قدمتها|اللي طلبته|اللي رسلته|اللي ارسلته|المقدم|الذي قدمته|التي قدمتها)${E}`,
    // A family member's, or «الخاص بي»: «طلب التدريب حق بنتي», «الطلب الخاص بابنتي»; received by the office: «وصلكم طلب الرش؟».
    `${B}(?:طلب|الطلب|معامله|المعامله)(?: \\S+){0,4} (?:(?:الخاص|الخاصه) ب\\S+|حق (?:بنتي|ولدي|ابني|ابوي|امي|اخوي|اختي|زوجتي|اهلي))${E}`,
    `${B}(?:وصلكم|استلمتوا|استلمتو|استلمتم) (?:ال)?(?:طلب|بلاغ)${E}`,
    `${B}(?:my|our)(?: \\S+){0,3} (?:request|application|form|report)${E}`,
    `${B}(?:i|we) (?:applied|submitted|sent|filed)${E}`,
    `${B}(?:request|application|report) (?:i|we) (?:made|sent|submitted|filed|raised)${E}`,
    `${B}(?:6alabi|talabi|6lbi|6alabna|qaddamt\\S*|gaddamt\\S*|qadamt\\S*)${E}`,
    `${B}(?:6alab|talab|6lab|el 6alab)(?: \\S+){0,4} (?:ma3i|ma3ana|7aggi|7ggi|7agi|7gi|7aggna|7ggna|elli qaddamt\\S*)${E}`,
    // Its number given: «رقم الطلب ١٢٤٥٨», «الطلب رقم 4521», "request no 4521", «ra8am el 6alab 301», a BUR- reference.
    `${B}(?:ب|و)?رقم (?:ال)?(?:طلب|مرجع|معامله|بلاغ)(?: \\S+)? \\d{3,}${E}`,
    `${B}(?:ال)?(?:طلب|معامله|بلاغ) (?:ب|و)?رقم \\d{3,}${E}`,
    `${B}(?:request|application|reference|ref|ra8am|raqam|rqm)(?: (?:no|number|num|el 6alab|el talab|6alab|talab))? \\d{3,}${E}`,
    `${B}bur-?\\d{4}`,
  ].join('|'),
);
/** How far it has come: «وين وصل», «مستجدات», «تحدد», «انقبل», «فيه جديد», "any news", "approved yet", «ta7dees». */
const PROGRESS = new RegExp(
  [
    `${B}(?:وين|الي اين|لوين) (?:وصل|وصلت|صار)${E}`,
    `${B}(?:ب|و|ل)?(?:وصل|وصلت|وصلكم|مستجدات|المستجدات|جديد|مال|ماله|تحدد|تحددت|انقبل|انقبلت|انرسل|انرسلت|وضعه|وضعها|حالته|حالتها|حاله|تحديث|اخبار|اتطمن|نتطمن|اطمن|استلمتوه|استلمتوها|استلمتوا|استلمتو|استلمتم)${E}`,
    `${B}(?:وش|شو|ايش|ويش) (?:صار|سار|استجد)${E}`,
    `${B}(?:wain|wein|ween|wen) (?:wasal|wsal|wi?9al|9ar)${E}`,
    `${B}(?:jadeed|jdeed|ta7dees|ta7dith|t7adad|t7added|anqubal|enqubal|inqubal|anrasal|7ala|7alat|7alta|wa'?6'?3\\S*|et'?6ammin|at'?6amman|a6amman)${E}`,
    `${B}(?:shu|esh|wesh|sh) (?:9ar|sar|9aar)${E}`,
    `${B}(?:update|updates|news|status|approved|accepted|happened|happening|progress|any word|yet|received|receive it|get it|still open|open or closed)${E}`,
    // Received, accepted or refused yet, or not: «هل تم استلام طلبي», «انرفض ولا للحين», «wsl 6alabi walla la».
    `${B}(?:استلام|استلامه|انرفض|انرفضت|ولا للحين|ولا لين الحين|ولا لا|wsl|wasal|wi9al|w9al|walla la|wla la)${E}`,
    `${B}(?:معرفه|اعرف|نعرف) وضع${E}`,
  ].join('|'),
);

/** Progress asked of any request or appointment, own or not: «في تحديث على الطلب؟», «الموعد تحدد؟», "any update on the request". */
const PROGRESS_OF_REQUEST = new RegExp(
  [`${B}(?:ب|و|ل)?(?:تحديث|مستجدات|المستجدات|وين وصل|وين وصلت)${E}`, `${B}(?:ta7dees|ta7dith|wain wasal|wein wasal|any update|any news)${E}`].join('|'),
);
/** A request named by that word. */
const REQUEST_WORD = new RegExp(`${B}(?:و|ب|ل)?(?:ال)?(?:طلب|معامله|6alab|talab|request|application)${E}`);
/** «موعد المقابلة تحدد؟»: whether an appointment asked for is set. */
const APPOINTMENT_SET = new RegExp(
  `${B}(?:ال)?(?:موعد|mo3ad|maw3ed|mo3ed|appointment|meeting)(?: \\S+){0,4} (?:تحدد|تحددت|انحجز|t7adad|t7added|scheduled)${E}`,
);

/** True when a message asks how far the writer's own request has come, whichever service it names. */
export function asksAfterOwnRequest(normalized: string): boolean {
  if (HYPOTHETICAL.test(normalized)) return false;
  if (OWN_REQUEST.test(normalized) && PROGRESS.test(normalized)) return true;
  return (REQUEST_WORD.test(normalized) && PROGRESS_OF_REQUEST.test(normalized)) || APPOINTMENT_SET.test(normalized);
}

/** Rain, wind, floods and storms: what a weather-event repair is about. */
const WEATHER = new RegExp(
  `${B}(?:و|ب|ل|من)?(?:ال)?(?:مطر|امطار|سيل|سيول|ريح|رياح|عاصفه|عواصف|اعصار|انواء|منخفض|غبار|اعصار|rain|rains|storm|storms|wind|winds|cyclone|flood|floods|flooding|weather|ma6ar|mu6ar|matar|amtar|seel|seil|sail|ree7|riya7|3asifa|3a9fa|a3sar|anwa2|anwaa)${E}`,
);

/** True when a message names rain, wind, a flood or a storm. */
export function namesWeather(normalized: string): boolean {
  return WEATHER.test(normalized);
}

/** The writer's need or plea: «نبي», «ابغى», «نحتاج», «ساعدوني», «الله يخليكم», «abi», «nabi», "we need", "please". */
const NEED = new RegExp(
  `${B}(?:و)?(?:ابي|ابغي|ابغا|ابا|نبي|نبغي|نبغا|ودي|ودنا|اريد|نريد|ارغب|نرغب|احتاج|نحتاج|محتاج|محتاجين|ساعدوني|ساعدونا|تعالوا|الله يخليكم|نطلب|اطلب|نامل|abi|abgi|abgha|abga|ubgha|nabi|nbi|nabgha|nabga|a7taj|n7taj|me7taj|sa3doona|sa3dooni|need|want|help us|help me|please send|someone to|somebody to)${E}`,
);

/** True when a message voices the writer's need or plea (a story that ends in asking for a service). */
export function voicesNeed(normalized: string): boolean {
  return NEED.test(normalized);
}
