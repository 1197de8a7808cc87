/** The console's texts in Arabic (default, right-to-left) and English; both complete (a test compares the keys). */
export type Lang = 'ar' | 'en';

const ar = {
  appName: 'تواصل — لوحة الموظفين', signIn: 'تسجيل الدخول', signOut: 'تسجيل الخروج', username: 'اسم المستخدم', password: 'كلمة المرور',
  badCredentials: 'اسم المستخدم أو كلمة المرور غير صحيحة', locked: 'تم قفل الحساب مؤقتاً بعد محاولات فاشلة متكررة. حاول بعد', expired: 'انتهت جلستك، سجّل الدخول مجدداً',
  language: 'English', inbox: 'المحادثات', requests: 'الطلبات', dashboard: 'لوحة مؤشرات الأداء', calendar: 'التقويم والعطل', accounts: 'الحسابات', audit: 'سجل التدقيق',
  notifications: 'الإشعارات', noNotifications: 'لا توجد إشعارات', markRead: 'تمت القراءة', live: 'مباشر', offline: 'غير متصل — إعادة الاتصال…',
  waiting: 'بانتظار موظف', mine: 'محادثاتي', held: 'كل المحادثات المستلمة', noChats: 'لا توجد محادثات هنا', waitedFor: 'الانتظار', dueIn: 'الرد الأول خلال', overdueBy: 'متأخر بمقدار',
  channel: 'القناة', lang: 'اللغة', takeOver: 'استلام المحادثة', handBack: 'إعادة إلى المساعد الآلي', send: 'إرسال', reply: 'اكتب ردك…', canned: 'ردود جاهزة', chooseCanned: 'اختر رداً جاهزاً',
  notes: 'ملاحظات داخلية', addNote: 'إضافة ملاحظة', notePlaceholder: 'ملاحظة لا يراها المراجع…', selectChat: 'اختر محادثة من القائمة', heldBy: 'يستلمها', residentLeft: 'غادر المراجع المحادثة',
  resident: 'المراجع', bot: 'المساعد الآلي', system: 'النظام', agent: 'الموظف', otherRequests: 'طلبات المراجع الأخرى', otherChats: 'محادثاته الأخرى', none: 'لا يوجد',
  fileRequest: 'تقديم طلب عن متصل', service: 'الخدمة', chooseService: 'اختر الخدمة', submit: 'تقديم', filed: 'تم تقديم الطلب',
  f_name: 'الاسم الكامل', f_civilId: 'الرقم المدني', f_phone: 'رقم الهاتف', f_email: 'البريد الإلكتروني', f_address: 'الموقع / العنوان', f_party: 'الطرف المعني', f_description: 'الوصف', f_preferredDate: 'الموعد المفضل', optional: '(اختياري)',
  reference: 'الرقم المرجعي', status: 'الحالة', filedAt: 'تاريخ التقديم', dueAt: 'تاريخ الاستحقاق', department: 'القسم', applicant: 'مقدم الطلب', assignee: 'المكلّف',
  s_filed: 'مقدم', s_in_progress: 'قيد التنفيذ', s_on_hold: 'معلق', s_closed: 'منجز', s_rejected: 'مرفوض', all: 'الكل', overdue: 'متأخر', escalated: 'مصعّد', from: 'من', to: 'إلى', search: 'بحث بالرقم المرجعي', filter: 'تصفية', clear: 'مسح',
  record: 'بيانات الطلب', attachments: 'المرفقات', history: 'سجل الحالة', slaClock: 'ساعة مستوى الخدمة', workingDaysLeft: 'أيام عمل متبقية', escalationLevels: 'مستويات التصعيد', level: 'المستوى', fired: 'تم التصعيد', pending: 'مجدول',
  actions: 'الإجراءات', accept: 'قبول', reject: 'رفض مع السبب', inProgress: 'قيد التنفيذ', onHold: 'تعليق', done: 'منجز', note: 'ملاحظة', assign: 'تكليف', reason: 'سبب الرفض', saved: 'تم الحفظ وإشعار المراجع',
  description: 'الوصف', location: 'الموقع', civilId: 'الرقم المدني', phone: 'الهاتف', email: 'البريد', back: 'رجوع', noRequests: 'لا توجد طلبات', total: 'الإجمالي',
  period: 'الفترة', bucket: 'التجميع', day: 'يومي', month: 'شهري', refresh: 'تحديث', csv: 'CSV', frByChannel: 'الالتزام بزمن الرد الأول حسب القناة (%)', bySevice: 'الإنجاز ضمن أيام العمل حسب الخدمة (%)',
  byDepartment: 'الإنجاز ضمن أيام العمل حسب القسم (%)', overTime: 'المخالفات والتصعيدات عبر الزمن', liveQueue: 'الطابور الآن', met: 'ملتزم', missed: 'متأخر', onTime: 'في الوقت', late: 'متأخر', escalations: 'تصعيدات',
  openRequests: 'طلبات مفتوحة', overdueRequests: 'طلبات متأخرة', heldChats: 'محادثات مستلمة', waitingChats: 'محادثات منتظرة',
  year: 'السنة', holiday: 'العطلة', confirm: 'تأكيد', move: 'نقل', cancel: 'إلغاء', seed: 'تقديري', confirmed: 'مؤكد', cancelled: 'ملغى', recomputed: 'أعيد حساب مواعيد الطلبات المفتوحة:',
  addAccount: 'إضافة حساب', displayName: 'الاسم الظاهر', role: 'الدور', r_agent: 'موظف مركز الاتصال', r_department: 'رئيس قسم', r_supervisor: 'مشرف', r_admin: 'مدير النظام', departments: 'الأقسام',
  disable: 'تعطيل', enable: 'تفعيل', resetPassword: 'تعيين كلمة مرور', active: 'نشط', disabled: 'معطل', newPassword: 'كلمة المرور الجديدة', at: 'الوقت', actor: 'المستخدم', action: 'الإجراء', subject: 'الموضوع',
  error: 'حدث خطأ', forbidden: 'ليست لديك صلاحية لهذا', otherDepartment: 'هذا الطلب يخص قسماً آخر', heldByOther: 'يستلم هذه المحادثة موظف آخر', newEscalation: 'تصعيد جديد', notSent: 'لم تُرسل رسالتك؛ اتصل به أو قدّم طلباً عنه', invalid: 'قيمة غير صحيحة أو ناقصة', required: 'هذا الحقل مطلوب',
  contacts: 'جهات التصعيد', contactsHint: 'البريد الإلكتروني ورقم الرسائل القصيرة لكل مسؤول تصله تصعيدات الطلبات؛ تُحفظ في الإعدادات المحلية وتُطبّق فوراً.', save: 'حفظ',
};

const en: typeof ar = {
  appName: 'Tawasul — staff console', signIn: 'Sign in', signOut: 'Sign out', username: 'Username', password: 'Password',
  badCredentials: 'Wrong username or password', locked: 'The account is locked for a while after repeated failures. Try again after', expired: 'Your session has expired: sign in again',
  language: 'العربية', inbox: 'Chats', requests: 'Requests', dashboard: 'SLA dashboard', calendar: 'Calendar and holidays', accounts: 'Accounts', audit: 'Audit trail',
  notifications: 'Notifications', noNotifications: 'No notifications', markRead: 'Mark read', live: 'Live', offline: 'Offline — reconnecting…',
  waiting: 'Waiting for an agent', mine: 'Mine', held: 'All held chats', noChats: 'No chats here', waitedFor: 'Waiting', dueIn: 'First response due in', overdueBy: 'Overdue by',
  channel: 'Channel', lang: 'Language', takeOver: 'Take over', handBack: 'Hand back to the bot', send: 'Send', reply: 'Write your reply…', canned: 'Canned replies', chooseCanned: 'Choose a canned reply',
  notes: 'Private notes', addNote: 'Add note', notePlaceholder: 'A note the resident never sees…', selectChat: 'Choose a chat from the list', heldBy: 'Held by', residentLeft: 'The resident left this chat',
  resident: 'Resident', bot: 'Bot', system: 'System', agent: 'Agent', otherRequests: "The resident's other requests", otherChats: 'Other chats', none: 'None',
  fileRequest: 'File a request for a caller', service: 'Service', chooseService: 'Choose the service', submit: 'File', filed: 'Request filed',
  f_name: 'Full name', f_civilId: 'Civil ID', f_phone: 'Phone number', f_email: 'E-mail', f_address: 'Location / address', f_party: 'Party concerned', f_description: 'Description', f_preferredDate: 'Preferred date', optional: '(optional)',
  reference: 'Reference', status: 'Status', filedAt: 'Filed', dueAt: 'Due', department: 'Department', applicant: 'Applicant', assignee: 'Assignee',
  s_filed: 'Filed', s_in_progress: 'In progress', s_on_hold: 'On hold', s_closed: 'Done', s_rejected: 'Rejected', all: 'All', overdue: 'Overdue', escalated: 'Escalated', from: 'From', to: 'To', search: 'Search by reference', filter: 'Filter', clear: 'Clear',
  record: 'Record', attachments: 'Attachments', history: 'Status history', slaClock: 'SLA clock', workingDaysLeft: 'working days left', escalationLevels: 'Escalation levels', level: 'Level', fired: 'Fired', pending: 'Scheduled',
  actions: 'Actions', accept: 'Accept', reject: 'Reject with a reason', inProgress: 'In progress', onHold: 'On hold', done: 'Done', note: 'Note', assign: 'Assign', reason: 'Reason for rejection', saved: 'Saved; the resident is notified',
  description: 'Description', location: 'Location', civilId: 'Civil ID', phone: 'Phone', email: 'E-mail', back: 'Back', noRequests: 'No requests', total: 'Total',
  period: 'Period', bucket: 'Grouping', day: 'Daily', month: 'Monthly', refresh: 'Refresh', csv: 'CSV', frByChannel: 'First-response compliance by channel (%)', bySevice: 'Completed within working days by service (%)',
  byDepartment: 'Completed within working days by department (%)', overTime: 'Breaches and escalations over time', liveQueue: 'The queue now', met: 'Met', missed: 'Missed', onTime: 'On time', late: 'Late', escalations: 'Escalations',
  openRequests: 'Open requests', overdueRequests: 'Overdue requests', heldChats: 'Held chats', waitingChats: 'Waiting chats',
  year: 'Year', holiday: 'Holiday', confirm: 'Confirm', move: 'Move', cancel: 'Cancel', seed: 'Estimated', confirmed: 'Confirmed', cancelled: 'Cancelled', recomputed: 'Open requests recomputed:',
  addAccount: 'Add account', displayName: 'Display name', role: 'Role', r_agent: 'Call-centre agent', r_department: 'Department head', r_supervisor: 'Supervisor', r_admin: 'Administrator', departments: 'Departments',
  disable: 'Disable', enable: 'Enable', resetPassword: 'Set password', active: 'Active', disabled: 'Disabled', newPassword: 'New password', at: 'Time', actor: 'User', action: 'Action', subject: 'Subject',
  error: 'Something went wrong', forbidden: 'You do not have access to this', otherDepartment: 'This request belongs to another department', heldByOther: 'Another agent holds this chat', newEscalation: 'New escalation', notSent: 'your message was not sent; call them back or file a request for them', invalid: 'Missing or not valid', required: 'This field is required',
  contacts: 'Escalation contacts', contactsHint: "The e-mail and SMS number of each role that receives escalations; saved in the local configuration overlay and applied at once.", save: 'Save',
};

/** The texts of each language. */
export const TEXTS: Record<Lang, typeof ar> = { ar, en };
/** A text key. */
export type TextKey = keyof typeof ar;

/** Formats an instant in Muscat time for the language. */
export function formatTime(lang: Lang, iso: string | null | undefined, withDate = true): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-OM' : 'en-GB', {
    timeZone: 'Asia/Muscat', ...(withDate ? { dateStyle: 'medium' } : {}), timeStyle: 'short',
  } as Intl.DateTimeFormatOptions).format(new Date(iso));
}

/** «3 د 20 ث» / "3m 20s" style durations. */
export function formatDuration(lang: Lang, ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const u = lang === 'ar' ? { d: 'ي', h: 'س', m: 'د', s: 'ث' } : { d: 'd', h: 'h', m: 'm', s: 's' };
  const parts = d ? [`${d}${u.d}`, `${h}${u.h}`] : h ? [`${h}${u.h}`, `${m}${u.m}`] : [`${m}${u.m}`, `${sec}${u.s}`];
  return parts.join(' ');
}
