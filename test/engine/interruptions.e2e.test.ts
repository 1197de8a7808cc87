/**
 * End-to-end: at every step of the intake, a message that is clearly something else is handled as
 * that; the form waits (and its question comes again), is paused for an agent, or is dropped with a word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import type { Language } from '../../bot/core/types.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';

const t = new Templates();
const FIELDS = ['name', 'civilId', 'phone', 'email', 'address', 'party', 'description', 'preferredDate'] as const;

/** The field the reply's last line asks for ('confirm' at the summary). */
function asked(reply: string, lang: Language): string | undefined {
  const last = reply.trim().split('\n\n').at(-1)!;
  for (const f of FIELDS) if (last.endsWith(t.render(lang, `ask_${f}`))) return f;
  if (last.includes(t.render(lang, 'confirm').split('\n').at(-1)!) || last === t.render(lang, 'confirm_again')) return 'confirm';
  return undefined;
}

interface Script {
  start: string;
  answers: Record<string, string>;
  complaint: string;
  suggestion: string;
  report: string;
  agent: string;
  question: string;
  hoursWord: string;
  status: string;
  otherService: string;
  otherServiceName: string;
  menu: string;
  confirm: string;
}
const S: Record<Language, Script> = {
  ar: {
    start: 'ابي اطلب ردم حفره قدام البيت',
    answers: {
      name: 'سالم بن علي الكعبي',
      civilId: '12345678',
      phone: '92345678',
      email: 'تخطي',
      address: 'ولاية البريمي، حي الخضراء قرب المسجد',
      description: 'حفرة عميقة في الشارع الرئيسي تسبب حوادث',
    },
    complaint: 'عندي شكوى على البلدية',
    suggestion: 'أقترح تشجير الشارع العام',
    report: 'أبلغ عن تسرب مياه في الشارع',
    agent: 'أبي أكلم موظف',
    question: 'متى دوام البلدية؟',
    hoursWord: 'الأحد',
    status: 'وين وصل طلبي BUR-2026-00001',
    otherService: 'ابي اطلب مقابلة سعادة المحافظ',
    otherServiceName: 'مقابلة',
    menu: 'القائمة',
    confirm: 'تمام 👍',
  },
  en: {
    start: 'I want to request filling a pothole in front of my house',
    answers: {
      name: 'John Michael Smith',
      civilId: '87654321',
      phone: '91234567',
      email: 'skip',
      address: 'Al Buraimi, near the central market',
      description: 'A deep pothole on the main road is causing accidents',
    },
    complaint: 'I have a complaint about the municipality',
    suggestion: 'I suggest planting trees in the main street',
    report: 'I want to report a water leak in the street',
    agent: 'I want to talk to an agent',
    question: 'what are your working hours?',
    hoursWord: 'Sunday',
    status: 'where is my request BUR-2026-00001',
    otherService: 'I would like to book a meeting with the Governor',
    otherServiceName: 'Governor',
    menu: 'menu',
    confirm: 'sure',
  },
};

describe.each(['ar', 'en'] as const)('interruptions of the intake (%s)', (lang) => {
  const s = S[lang];
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  /** Opens a pothole form and answers until `field` is asked; returns the chat and the last reply. */
  async function until(field: string): Promise<{ chat: ChatClient; reply: string }> {
    const chat = await ChatClient.open(run.base);
    let reply = await chat.say(s.start);
    for (let i = 0; i < 10; i++) {
      const f = asked(reply, lang);
      if (f === field) return { chat, reply };
      if (!f || !s.answers[f]) throw new Error(`unexpected reply: ${reply}`);
      reply = await chat.say(s.answers[f]!);
    }
    throw new Error(`never asked ${field}`);
  }

  it('a complaint at the name step gets the approved reply, is not stored as the name, and the form waits', async () => {
    const { chat } = await until('name');
    const reply = await chat.say(s.complaint);
    expect(reply).toContain(t.approvedReply(lang));
    expect(reply).toContain(t.render(lang, 'form_waiting', { service: run.app.config.services.find((x) => x.id === 'potholes')!.name[lang] }));
    expect(asked(reply, lang)).toBe('name');
    expect(asked(await chat.say(s.answers.name!), lang)).toBe('civilId');
  });

  it('a suggestion at the address step gets the approved reply and the form waits', async () => {
    const { chat } = await until('address');
    const reply = await chat.say(s.suggestion);
    expect(reply).toContain(t.approvedReply(lang));
    expect(asked(reply, lang)).toBe('address');
  });

  it('a report at the description step gets the approved reply and the form waits', async () => {
    const { chat } = await until('description');
    const reply = await chat.say(s.report);
    expect(reply).toContain(t.approvedReply(lang));
    expect(asked(reply, lang)).toBe('description');
    const summary = await chat.say(s.answers.description!);
    expect(asked(summary, lang)).toBe('confirm');
    expect(summary).not.toContain(s.report);
  });

  it('a complaint at the description step is not stored as the description', async () => {
    const { chat } = await until('description');
    const reply = await chat.say(s.complaint);
    expect(reply).toContain(t.approvedReply(lang));
    expect(asked(reply, lang)).toBe('description');
  });

  it('a question at the civil ID step is answered, then the question comes again', async () => {
    const { chat } = await until('civilId');
    const reply = await chat.say(s.question);
    expect(reply).toContain(s.hoursWord);
    expect(asked(reply, lang)).toBe('civilId');
  });

  it('asking for a person at the phone step queues the chat; «menu» resumes the form where it stopped', async () => {
    const { chat } = await until('phone');
    const reply = await chat.say(s.agent);
    expect(reply).toBe(t.render(lang, 'handoff_queued'));
    expect((await run.app.engine.deps.conversations.get(chat.key))?.owner).toBe('queue');
    const back = await chat.say(s.menu);
    expect(back).toContain(t.render(lang, 'resume_dialogue', { service: run.app.config.services.find((x) => x.id === 'potholes')!.name[lang] }));
    expect(asked(back, lang)).toBe('phone');
  });

  it('a status look-up at the e-mail step drops the form with a word and asks for the phone of the request', async () => {
    const { chat } = await until('email');
    const reply = await chat.say(s.status);
    expect(reply).toContain(t.render(lang, 'switched', { service: run.app.config.services.find((x) => x.id === 'potholes')!.name[lang] }));
    expect(reply).toContain(t.render(lang, 'status_ask_phone', { reference: 'BUR-2026-00001' }));
  });

  it('another service at the summary drops the form with a word and starts the new one', async () => {
    const { chat } = await until('confirm');
    const reply = await chat.say(s.otherService);
    expect(reply).toContain(t.render(lang, 'switched', { service: run.app.config.services.find((x) => x.id === 'potholes')!.name[lang] }));
    expect(reply).toContain(s.otherServiceName);
    expect(asked(reply, lang)).toBe('name');
  });

  it('a complaint at the summary gets the approved reply; the summary waits and a plain confirmation files it', async () => {
    const { chat } = await until('confirm');
    const before = await run.app.engine.deps.requests.count();
    const reply = await chat.say(s.complaint);
    expect(reply).toContain(t.approvedReply(lang));
    expect(asked(reply, lang)).toBe('confirm');
    expect(await run.app.engine.deps.requests.count()).toBe(before);
    const filed = await chat.say(s.confirm);
    expect(filed).toMatch(/BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    // No SMS or SMTP transport is configured in this test: the reply promises neither.
    expect(filed).toContain(t.render(lang, 'notify_none'));
    expect(filed).not.toContain(lang === 'ar' ? 'الرسائل النصية' : 'SMS');
  });

  it('a 👍 alone confirms the summary and files the request; elsewhere it still asks for text', async () => {
    const { chat } = await until('confirm');
    const before = await run.app.engine.deps.requests.count();
    const filed = await chat.say('👍');
    expect(filed).toMatch(/BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(await run.app.engine.deps.requests.count()).toBe(before + 1);
    expect(await chat.say('👍')).toBe(t.render(lang, 'empty'));
  });

  it('a name is validated as a name: intent words and too many words are refused', async () => {
    const { chat } = await until('name');
    const tooLong = lang === 'ar' ? 'واحد اثنان ثلاثة أربعة خمسة ستة سبعة' : 'one two three four five six seven';
    const reply = await chat.say(tooLong);
    expect(reply).toContain(t.render(lang, 'invalid_name'));
    expect(asked(reply, lang)).toBe('name');
  });
});

describe('the dialogue keeps its language and its words', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul({ env: { TAWASUL_SMS_URL: 'http://127.0.0.1:9/sms', TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef' } });
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('an Arabic form stays Arabic after a Latin-letter name and an e-mail; «إيه» confirms; SMS is promised when configured', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('ابي اطلب ردم حفره قدام البيت');
    expect(await chat.say('John Smith')).toBe(t.render('ar', 'ask_civilId'));
    await chat.say('12345678');
    expect(await chat.say('92345678')).toBe(t.render('ar', 'ask_email'));
    expect(await chat.say('john.smith@example.com')).toBe(t.render('ar', 'ask_address'));
    await chat.say('ولاية البريمي، حي الخضراء قرب المسجد');
    const summary = await chat.say('حفرة عميقة في الشارع الرئيسي تسبب حوادث');
    expect(summary).toContain('راجع بيانات طلب');
    const filed = await chat.say('إيه');
    expect(filed).toContain('رقم الطلب');
    expect(filed).toContain(t.render('ar', 'notify_sms'));
  });

  it('an English form stays English after an Arabic name; "ok" confirms', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('I want to request filling a pothole in front of my house');
    expect(await chat.say('سالم بن علي')).toBe(t.render('en', 'ask_civilId'));
    await chat.say('87654321');
    await chat.say('91234567');
    await chat.say('skip');
    await chat.say('Al Buraimi, near the central market');
    await chat.say('A deep pothole on the main road is causing accidents');
    const filed = await chat.say('ok');
    expect(filed).toContain('Reference');
    expect(filed).toContain(t.render('en', 'notify_sms'));
  });
});
