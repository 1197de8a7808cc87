/**
 * Gazetteers of what lies OUTSIDE the 15 services, as concepts (lexicon.ts merges them): another
 * authority's business (health, schools, utilities' bills, police and traffic, passports and civil
 * status, banks, prayer times, weather, sports, telecom, shops and companies, jobs, courts), things
 * broken or dangerous (a hazard) and the public fixtures they happen to (street lights, pipes, manholes,
 * signals, wires, bridges). Words are given as `normalizeForMatch` leaves them, one space between words;
 * Arabizi spellings not listed still reach a concept through their consonant skeleton (features.ts).
 * The service words (equipment, rubbish) that new wording kept missing are here too, and the rule
 * (`outsideServices`) model.ts applies after the networks.
 */

import type { Intent } from '../core/types.js';

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

/** Concept → words. */
export const GAZETTEER: Record<string, string[]> = {
  elsewhere: words(`
    مستشفي مستشفيات مستوصف عياده طبيب دكتور دكتوره اسنان تطعيم تطعيمات لقاح صيدليه دوا علاج مريض ممرض
    مدرسه مدارس مدرسي نتايج امتحان امتحانات اختبارات معلم معلمه منهج ترجمه
    كهربا كهرباء فاتوره فواتير عداد نماء مزون انقطاع
    شرطه الشرطه مخالفه مخالفات مرور سياقه رادار ردار
    جواز جوازات باسبورت تاشيره فيزا ميلاد جنسيه
    بنك بنوك مصرف قرض قروض صراف
    اذان الاذان صلاه الصلاه امساكيه هلال
    طقس الطقس حراره الحراره غيوم رطوبه ارصاد
    مباراه مباريات مباراة دوري منتخب كوره
    رصيد باقه انترنت شريحه عمانتل اوريدو الجو طيران مطار رحلات سفاره وزاره الوزاره
    هايبر لولو كارفور بيتزا بنزين بترول
    وظيفه وظايف توظيف محكمه قاضي تامين اسكان الاسكان الضمان زكاه الحج خادمه كفاله سوبرماركت طرد
    hospital hospitals clinic doctor dentist vaccination vaccine vaccines pharmacy medicine patient
    school schools exam exams results teacher teachers translate translation
    electricity bill bills meter outage
    police rop fines speeding traffic driving
    passport visa citizenship
    bank banks loan atm
    prayer prayers adhan azan
    forecast temperature sunny humidity
    football league match score
    sim internet wifi recharge credit topup omantel ooredoo flight flights airport embassy ministry
    hypermarket lulu carrefour pizza petrol fuel
    العين دبي ابوظبي الشارقه الحدود المنفذ منفذ dubai sharjah abudhabi border borders crossing customs
    job jobs vacancy court insurance housing hajj umrah zakat maid sponsor supermarket parcel
    mustashfa mostashfa musta4fa 3yada 3eyada 3iyada daktor doktor madrasa madrasah mdrsa natayej
    kahraba kahraba2 kahrabaa fatoora fatora fatoorat fatorat mo5alafa mukhalafa mkhalfa m5alfa muroor moror mroor
    jaw shur6a shor6a shorta jawaz jawaaz bassbort salat salah athan adhan azan taqs 6aqs 6a8s ta8s 6ags mubarat mobara raseed baqa wadheefa wadhifa
  `),
  hazard: words(`
    مكسور مكسوره انكسر انكسرت متكسر متكسره تكسرت تكسر متعطل متعطله معطل معطله عطلان عطلانه خربان خربانه تالف تالفه
    منفجر منفجره انفجر انفجرت مايل مايله متدلي متدليه مكشوف مكشوفه طافح طافحه طفحت ساقط ساقطه طايح طايحه يطيح
    سقط سقطت طاح طاحت تهدم تهدمت انهارت تشقق متشقق متشققه متصدع متصدعه تصدع شقوق انهار ينهار منهار خطر خطير خطيره مخاطر
    broken faulty malfunctioning leaning hanging exposed cracked cracks collapsed collapse collapsing burst overflowing
    dangerous danger hazard hazardous unsafe fallen fell
    تسرب يسرب تسريب شرار leak leaking leaks sparks yesarrib ysarrib tasreeb shraar
    maksoor maksoora maksura 5arban kharban 5arbana kharbana mt3a6el mit3a6il m3a66al ta2e7 taye7 tayi7 5a6ar khatar 5a6eer khateer
  `),
  fixture: words(`
    عمود اعمده اناره الاناره ماسوره مواسير انبوب انابيب منهول مناهيل بالوعه مجاري الصرف اشارات الضويه اسلاك سلك كيبل كيبلات
    لوحه لوحات جسر الجسر مرجيحه مراجيح غاز
    streetlight streetlights lamppost lamp pole poles pipe pipes pipeline manhole manholes sewage sewer signal signals wires wire cable
    cables signboard billboard bridge swing swings gas
    3amood 3mood 3amud anara enara mawasir masoora masura manhool manhol majari eshara ishara aslak silk jisr
    شجره شجر نخله tree trees bayb lo7a lo7at shajara
  `),
  // Heavy machines and levelling land (equipment-general).
  loader: words(`
    شيول جرافه بلدوزر معدات معده اليات اليه اليات جريدر قريدر كريدر حفاره حفار بوكلين تانكر رافعه كرين ونش قلاب شاحنه تريلا وايت صهريج
    دحل مدحله رولر تسويه تسويت
    sheyool sheyoul shyool shiyool jcb jarafa loader bulldozer excavator equipment truck trucks machine machines machinery grader
    crane tanker lorry roller digger backhoe tipper forklift levelling leveling flatten compact
    greder grader kraider jareder 7affara haffara kreen krain gallab qallab sahreej
  `),
  // What a service does, in the words residents use for it (the skeleton index spreads them to Arabizi).
  damage: words(`
    ضرر اضرار تضرر تضررت تضرروا متضرر متضرره متضررين خساير خسائر تلفيات
    damage damages damaged adhrar a6rar dharar 9'arar
  `),
  spray: words(`
    رش نرش يرش ترش مكافحه مبيد مبيدات تعقيم
    spray spraying sprayed fumigate fumigation pesticide pesticides exterminator
    rash rush yrush mukafa7a mokafa7a mukafaha mobeed tab5eer
  `),
  barrier: words(`
    حمايه حاجز حواجز مصد مصدات جابيون جابيونات
    barrier barriers gabion gabions embankment berm culvert
    7imaya 7emaya himaya 7ajez 7ajiz hajiz 7awajiz
  `),
  permit: words(`
    تصريح تصاريح ترخيص تراخيص رخصه
    permit permits permission licence license licensed
    ta9ree7 tasree7 tasreeh tar5ee9 tarkhees ru5sa rukhsa
  `),
  enclose: words(`
    اغلاق غلق اقفال قفل تسكير سكر نسكر اسكر تقفيل
    enclose enclosing enclosed closing
    3'alq ghalq igfal taskeer asakker asakir nsakir
  `),
  pavement: words(`
    رصيف الرصيف ساحه مساحه واجهه
    pavement sidewalk frontage forecourt terrace
    ra9eef raseef ra9if sa7a mesa7a masa7a waje7a waj7a wajha wajiha
  `),
  // «شروط» and «شرطة» share a skeleton: the conditions of a service win it for Arabizi spellings (shoroot).
  conditions: words(`
    شروط الشروط شرط متطلبات اشتراطات
    shoroot shuroo6 shoroo6 shro6 mt6alabat
  `),
  rubbish: words(`
    زباله قمامه نفايات مخلفات قاذورات حاويه حاويات براميل اكياس وساخه وسخ اوساخ
    zbala zibala zbaala zebala qomama gmama 7awiya hawiya 7awyat
    garbage rubbish trash waste litter debris bin bins dumped dumping dirty filth
  `),
};

/** Frames a hazard (something broken or dangerous) turns into a report when no service is named. */
const HAZARD_FRAMES = new Set<Intent>(['procedural_request', 'unknown', 'inquiry']);
/** Frames another authority's business turns into `unknown` unless a service clearly wins. */
const ELSEWHERE_FRAMES = new Set<Intent>(['procedural_request', 'inquiry', 'complaint', 'unknown']);
/** A service wins over another authority's words only from this score. */
const ELSEWHERE_SERVICE = 0.6;

/**
 * What the gazetteers say of a message the 15 services do not cover: a hazard (a broken street light,
 * a burst pipe) is a report when the service model leans to no service (`serviceLeaning`: its best guess,
 * even below the threshold, is a service); a question or request about another authority's business (a hospital
 * appointment, an electricity bill, a traffic fine) is `unknown`, unless its complaint voices anger or delay.
 */
export function outsideServices(all: Record<string, number>, top: Intent | undefined, serviceScore: number, serviceLeaning = false): Intent | undefined {
  if (top === undefined) return undefined;
  if (all['x:hazard'] !== undefined) return serviceScore === 0 && !serviceLeaning && HAZARD_FRAMES.has(top) ? 'report' : undefined;
  if (!all['x:elsewhere'] || serviceScore >= ELSEWHERE_SERVICE || !ELSEWHERE_FRAMES.has(top)) return undefined;
  if (top === 'complaint' && (all['x:anger'] !== undefined || all['x:delay'] !== undefined || all['x:complain'] !== undefined)) return undefined;
  return 'unknown';
}
