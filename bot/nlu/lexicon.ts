/**
 * Concepts shared by dialect, standard, Arabizi and English spellings of the same word, so that a
 * word the training lines spell one way still counts when a resident spells it another
 * (أبا/أبغى/ودي/abi/want → want). Words are given as `normalizeForMatch` leaves them (ى→ي, ة→ه, أ→ا).
 */

const CONCEPTS: Record<string, string[]> = {
  want: [
    'ابي',
    'ابغي',
    'ابغا',
    'ابا',
    'نبي',
    'نبا',
    'نبغي',
    'نبغا',
    'ودي',
    'ودنا',
    'بغيت',
    'اريد',
    'ارغب',
    'نريد',
    'نرغب',
    'ابغاه',
    'بدي',
    'abi',
    'aby',
    'abee',
    'abgha',
    'abga',
    'abghi',
    'abgh',
    'nabi',
    'naby',
    'nabgha',
    'nbi',
    'bghit',
    'want',
    'wanna',
    'need',
    'wish',
  ],
  what: ['شو', 'وش', 'ايش', 'اش', 'شنو', 'ماهو', 'ماهي', 'esh', 'aish', 'ish', 'shu', 'sho', 'wesh', 'shno', 'what', 'whats'],
  where: ['وين', 'فين', 'اين', 'wain', 'wein', 'wen', 'wayn', 'where'],
  why: ['ليش', 'ليه', 'لماذا', 'laish', 'lesh', 'leish', 'why'],
  how: ['كيف', 'شلون', 'kaif', 'kef', 'kaf', 'shlon', 'shloon', 'how'],
  when: ['متي', 'امتي', 'mata', 'mita', 'meta', 'when'],
  duration: ['مده', 'مدته', 'وقت', 'فتره', 'mudda', 'mudat', 'muddat', 'mudah', 'wagt', 'waqt', 'duration', 'period'],
  howmany: ['كم', 'kam', 'cham', 'chem'],
  now: ['الحين', 'هالحين', 'ذلحين', 'لحين', 'el7in', 'alhin', 'al7in', 'now'],
  much: ['وايد', 'واجد', 'كثير', 'مره', 'wayed', 'wayid', 'wajid', 'waayed', 'alot', 'lot', 'many'],
  front: ['قدام', 'جدام', 'امام', 'قبال', 'giddam', 'jiddam', 'gedam', 'jedam', 'qiddam', 'front'],
  street: ['شارع', 'طريق', 'سكه', 'share3', 'shar3', 'sharea', 'shari', 'tareeq', '6ari8', 'street', 'road'],
  house: ['بيت', 'منزل', 'مسكن', 'بيوت', 'منازل', 'bait', 'beit', 'bayt', 'baitna', 'bitna', 'bait', 'house', 'home', 'villa'],
  neighbourhood: ['حاره', 'فريج', 'حي', 'منطقه', '7ara', '7aratna', 'fareej', 'freej', 'hara', 'neighborhood', 'neighbourhood', 'area'],
  dog: ['كلب', 'كلاب', 'kalb', 'kilab', 'klab', 'chlab', 'dog', 'dogs'],
  employee: [
    'موظف',
    'موظفين',
    'موظفه',
    'الموظف',
    'موظفيين',
    'muwadhaf',
    'mowadhaf',
    'mowathaf',
    'muwazaf',
    'mwadhaf',
    'muwadhafeen',
    'employee',
    'staff',
    'officer',
  ],
  person: ['انسان', 'شخص', 'بشري', 'احد', 'حد', 'insan', 'ensan', '7ad', 'human', 'person', 'somebody', 'someone'],
  complain: ['شكوي', 'اشتكي', 'شكاوي', 'نشتكي', 'تظلم', 'shakwa', 'shakwah', 'ashtki', 'ashteki', 'complain', 'complaint', 'complaining'],
  suggest: [
    'اقتراح',
    'اقترح',
    'مقترح',
    'نقترح',
    'اقتراحي',
    'فكره',
    'eqtira7',
    'e9tira7',
    'iqtira7',
    'aqtari7',
    'suggest',
    'suggestion',
    'propose',
    'proposal',
    'idea',
  ],
  report: ['بلاغ', 'ابلغ', 'ابلاغ', 'الابلاغ', 'نبلغ', 'ballagh', 'balagh', 'ablagh', 'abaligh', 'report', 'reporting'],
  request: ['طلب', 'طلبي', 'معامله', 'معاملتي', 'talab', 'talabi', 'tlb', 'request', 'application', 'applied'],
  reach: ['وصل', 'وصلت', 'صار', 'wasal', '9ar', 'sar', 'reached', 'progress', 'update', 'status'],
  thanks: [
    'شكرا',
    'مشكور',
    'مشكورين',
    'تسلم',
    'تسلمون',
    'يعطيك',
    'يعطيكم',
    'shukran',
    'shokran',
    'mashkoor',
    'mashkooreen',
    'tislam',
    'thanks',
    'thank',
    'thx',
  ],
  hello: ['سلام', 'مرحبا', 'هلا', 'اهلا', 'اهلين', 'salam', 'marhaba', 'mar7aba', 'hala', 'ahlan', 'hello', 'hi', 'hey'],
  meet: ['مقابله', 'اقابل', 'موعد', 'لقاء', 'muqabla', 'moqabla', 'aqabil', 'maw3ed', 'maw3d', 'meeting', 'meet', 'appointment', 'audience'],
  rubbish: ['زباله', 'قمامه', 'نفايات', 'مخلفات', 'قاذورات', 'zbala', 'zibala', 'qomama', 'gmama', 'garbage', 'rubbish', 'trash', 'waste'],
  insect: ['حشرات', 'بعوض', 'صراصير', 'ذباب', 'نمل', 'ba3ooth', 'ba3oodh', 'sarasir', 'insects', 'mosquitoes', 'cockroaches', 'flies', 'ants', 'pests'],
  rodent: ['فيران', 'فئران', 'جرذان', 'قوارض', 'فار', 'fiaran', 'fi2ran', 'jurthan', 'rats', 'rat', 'mice', 'rodents'],
  hole: ['حفره', 'حفر', 'مستنقع', 'hufra', 'hofra', '7ufra', '7ofra', 'hole', 'pothole', 'potholes', 'swamp'],
  rain: ['مطر', 'امطار', 'سيول', 'عاصفه', 'اعصار', 'انواء', 'منخفض', 'matar', 'amtar', 'seil', 'a3sar', 'rain', 'storm', 'cyclone', 'flood'],
  wadi: ['وادي', 'اوديه', 'الوادي', 'wadi', 'awdiya'],
  camp: ['مخيم', 'مخيمات', 'خيمه', 'تخييم', 'نخيم', 'mu5ayam', 'mukhayam', 'mu5ayyam', 'mkhayam', 'camp', 'camping', 'tent'],
  training: ['تدريب', 'اتدرب', 'تدرب', 'تدريبي', 'tadreeb', 'tadrib', 'atdarab', 'training', 'internship', 'intern', 'trainee'],
  coffee: ['قهوه', 'كوفي', 'كرك', 'مقهي', 'كافيه', 'gahwa', 'qahwa', 'kark', 'maqha', 'coffee', 'cafe', 'karak'],
  sell: ['ابيع', 'بيع', 'بائع', 'بسطه', 'متجول', 'abee3', 'bee3', 'ba2e3', 'sell', 'selling', 'vendor', 'hawker', 'stall'],
  shop: ['محل', 'مطعم', 'دكان', 'ma7al', 'ma7al', 'shop', 'store', 'restaurant'],
  liwan: ['ليوان', 'الليوان', 'liwan', 'leewan', 'porch'],
  loader: ['شيول', 'جرافه', 'بلدوزر', 'معدات', 'معده', 'sheyool', 'sheyoul', 'jarafa', 'loader', 'bulldozer', 'excavator', 'equipment', 'truck'],
  governor: ['محافظ', 'المحافظ', 'mu7afeth', 'mohafeth', 'muhafidh', 'governor'],
  wali: ['والي', 'الوالي', 'wali'],
  delay: [
    'تاخير',
    'تاخر',
    'تاخرتوا',
    'متاخر',
    'متاخره',
    'مماطله',
    'معلق',
    'معلقه',
    'تسويف',
    'تطنيش',
    'مطنشين',
    'ta2kheer',
    'ta2a5ur',
    'ta2a5eer',
    'm3alag',
    'mu3allaq',
    'delay',
    'delayed',
    'delays',
    'pending',
    'forever',
    'ignored',
    'ignoring',
    'stuck',
    'overdue',
  ],
  anger: [
    'عيب',
    'اهمال',
    'استهتار',
    'تقصير',
    'مهزله',
    'زعلان',
    'زعلانين',
    'طفشنا',
    'طفشت',
    'قرفنا',
    'مقصرين',
    'نايمين',
    'فوضي',
    'مستاء',
    'مستاءه',
    'متذمر',
    'ظلم',
    '3eib',
    'eib',
    'ehmal',
    'e7mal',
    'taq9eer',
    'unacceptable',
    'terrible',
    'disappointed',
    'disappointing',
    'ridiculous',
    'disgrace',
    'disgraceful',
    'awful',
    'shameful',
    'useless',
    'fed',
    'frustrated',
    'angry',
    'worst',
    'خايب',
    'رديء',
    'ردي',
    'عنيف',
    'مهمل',
    'مهملين',
    'careless',
    'rude',
    'rough',
    'sloppy',
    'badly',
  ],
  incident: [
    'حريق',
    'حرايق',
    'دخان',
    'نار',
    'النار',
    'تشتعل',
    'اشتعال',
    'مشتعل',
    'احترق',
    'احتراق',
    'حادث',
    'حوادث',
    'اصطدام',
    'تصادم',
    'انقلاب',
    'انقلبت',
    'مقلوبه',
    'تسرب',
    'ماس',
    '7areeq',
    '7ariq',
    'harique',
    'do5an',
    '7adith',
    '7adeth',
    'fire',
    'smoke',
    'burning',
    'blaze',
    'crash',
    'crashed',
    'collision',
    'accident',
    'overturned',
    'leak',
    'leaking',
    'sparks',
    'explosion',
  ],
  animal: ['سايب', 'سايبه', 'سائبه', 'ضال', 'ضاله', 'sayib', 'sayeb', 'stray', 'loose'],
};

const INDEX = new Map<string, string>();
for (const [concept, words] of Object.entries(CONCEPTS)) for (const w of words) if (!INDEX.has(w)) INDEX.set(w, concept);

/** The concept of a normalized word, if it has one. */
export function conceptOf(word: string): string | undefined {
  return INDEX.get(word);
}

// Word boundaries for Arabic and Latin words in normalized text (\b does not see Arabic letters).
const B = String.raw`(?:^|\s)`;
const E = String.raw`(?=\s|$)`;
/**
 * Cues that a message asks ABOUT a service rather than files it: coverage («يشمل», "does it include"),
 * eligibility («يحق», "can I apply if…", "allowed"), a choice between options («ولا لا», «ولا بس», "or only",
 * "or what") and how long it usually takes («عادة», "usually"). Matched on `normalizeForMatch` text.
 */
const ASK_ABOUT = new RegExp(
  [
    `${B}(?:و)?(?:يشمل|تشمل|يشملون|تشملون|يشملها|تشملها|يغطي|تغطي|يحق|يجوز|مسموح|ينفع|يسمح|تسمح|عاده|عادتا|عادتن|عادتا)${E}`,
    `${B}(?:ولا|او) (?:لا|بس|كم|شو|وش|ايش)${E}`,
    `${B}(?:لو|اذا) (?:انا|كنت|ما كنت|مب|مو|عمري|عمره)${E}`,
    `${B}(?:yeshmal|teshmal|yshmal|tshmal|yashmal|tashmal|ye7eg|y7ig|3adatan|3adatn|3adaten)${E}`,
    `${B}walla (?:la|bas|kam|esh|shu)${E}`,
    `${B}(?:ida|itha|lo) ana${E}`,
    `${B}(?:include|includes|included|including|cover|covers|covered|eligible|allowed|entitled|qualify|usually|typically|normally)${E}`,
    `${B}or (?:only|just|what|not|also)${E}`,
    `${B}(?:only|just) (?:for|on|in|citizens|omanis|men|women)${E}`,
    `${B}what if${E}`,
    `${B}if (?:i am|im|i'm|i m|my|we are|i do not|i don't|i dont)${E}`,
    `${B}(?:not|non) (?:omani|omanis|a citizen|citizens|resident)${E}`,
    `${B}(?:does|do|did|is|are|will) (?:it|the|this|that|they|you) [^?]*\\b(?:also|too|even|only)${E}`,
  ].join('|'),
);

/** A question between two options («بالساعة ولا باليوم؟», "sana walla shahar?", "1 year or 2?"): the raw text ends with a question mark. */
const CHOICE_QUESTION = /(?:^|\s)(?:ولا|walla|wila|or)\s[^?؟]{1,40}[?؟]\s*$/i;

/** True when a message asks about a service (its coverage, who may apply, how long it usually takes, which option) rather than files it. */
export function asksAboutService(normalized: string, raw = ''): boolean {
  return ASK_ABOUT.test(normalized) || CHOICE_QUESTION.test(raw);
}

/**
 * Cues of a status look-up that names a service («أتابع طلب…», «هل تم اعتماد…», "any update on",
 * "following up on", "has it been approved"). Matched on `normalizeForMatch` text.
 */
const STATUS_CUE = new RegExp(
  [
    `${B}(?:اتابع|نتابع|متابعه)(?: علي)? (?:طلب|طلبي|معامله|معاملتي)`,
    `${B}(?:هل )?(?:تم|تمت) (?:اعتماد|قبول|الموافقه|الرد|تحديد|اعتمدتوا)`,
    `${B}(?:تمت|صارت) الموافقه علي`,
    `${B}(?:ata3ab|at3ab|anab3)${E}`,
    `${B}(?:any update|following up|follow up on|followup on|has it been|have they approved|been approved|been accepted)${E}`,
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

/** True when a message suggests a change worded as «ليش ما…؟» / "why don't you…?" and voices no anger or delay. */
export function suggestsChange(normalized: string): boolean {
  if (!WHY_NOT_CHANGE.test(normalized)) return false;
  return !normalized.split(' ').some((w) => {
    const c = conceptOf(w);
    return c === 'anger' || c === 'delay' || c === 'complain';
  });
}
