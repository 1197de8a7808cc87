/** The page's own words, in Arabic and English (the bot's replies come from the server's templates). */
export type Lang = 'ar' | 'en';

/** Interface strings of one language. */
export interface Strings {
  dir: 'rtl' | 'ltr';
  title: string;
  welcome: string;
  intro: string;
  menu: string[];
  privacy: string;
  placeholder: string;
  messageLabel: string;
  send: string;
  location: string;
  locationUnavailable: string;
  locationFailed: string;
  locationSent: string;
  typing: string;
  sendFailed: string;
  retry: string;
  otherLanguage: string;
  switchTo: string;
  log: string;
  you: string;
  bot: string;
  agent: string;
}

/** The strings of both languages. */
export const STRINGS: Record<Lang, Strings> = {
  ar: {
    dir: 'rtl',
    title: 'تواصل — محافظة البريمي',
    welcome: 'أهلاً بك في تواصل',
    intro: 'المساعد الآلي لمحافظة البريمي، على مدار الساعة. اختر من القائمة أو اكتب سؤالك.',
    menu: ['استفسار عن الخدمات وأوقات العمل', 'تقديم طلب خدمة', 'متابعة طلب سابق', 'التحدث مع موظف'],
    privacy: 'نحفظ نص هذه المحادثة وبيانات طلبك (الاسم والرقم المدني والهاتف) لمعالجة طلبك ومتابعته فقط.',
    placeholder: 'اكتب رسالتك هنا…',
    messageLabel: 'رسالتك',
    send: 'إرسال',
    location: 'إرسال موقعي',
    locationUnavailable: 'إرسال الموقع غير متاح في هذا المتصفح؛ اكتب العنوان بدلاً منه.',
    locationFailed: 'تعذر تحديد موقعك؛ اكتب العنوان بدلاً منه.',
    locationSent: 'موقعي',
    typing: 'تواصل يكتب…',
    sendFailed: 'تعذر الإرسال، حاول مرة أخرى.',
    retry: 'إعادة الإرسال',
    otherLanguage: 'English',
    switchTo: 'Switch to English',
    log: 'المحادثة',
    you: 'أنت',
    bot: 'تواصل',
    agent: 'موظف مركز الاتصال',
  },
  en: {
    dir: 'ltr',
    title: 'Tawasul — Al Buraimi Governorate',
    welcome: 'Welcome to Tawasul',
    intro: 'The assistant of Al Buraimi Governorate, around the clock. Choose from the menu or type your question.',
    menu: ['Ask about services and working hours', 'File a service request', 'Follow up a request', 'Talk to an agent'],
    privacy: "We keep this chat's text and your request's details (name, civil ID, phone) only to handle and follow up your request.",
    placeholder: 'Type your message…',
    messageLabel: 'Your message',
    send: 'Send',
    location: 'Send my location',
    locationUnavailable: 'Sending a location is not available in this browser; please type the address instead.',
    locationFailed: 'Your location could not be found; please type the address instead.',
    locationSent: 'My location',
    typing: 'Tawasul is typing…',
    sendFailed: 'Could not send, please try again.',
    retry: 'Send again',
    otherLanguage: 'العربية',
    switchTo: 'التبديل إلى العربية',
    log: 'Conversation',
    you: 'You',
    bot: 'Tawasul',
    agent: 'Contact-centre agent',
  },
};

/** The browser's preferred language among ours (the first of Arabic or English it lists); Arabic otherwise. */
export function browserLanguage(languages: readonly string[]): Lang {
  const first = languages.find((l) => /^(ar|en)(-|$)/i.test(l));
  return first && /^en/i.test(first) ? 'en' : 'ar';
}
