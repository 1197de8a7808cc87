import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import type { Language } from '../../bot/core/types.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';

const t = new Templates();
const FIELDS = ['name', 'civilId', 'phone', 'email', 'address', 'party', 'description', 'preferredDate'] as const;

/** The field the last reply asks for, or 'confirm' / undefined. */
function asked(reply: string, lang: Language): string | undefined {
  const last = reply.trim().split('\n\n').at(-1)!;
  for (const f of FIELDS) if (last.endsWith(t.render(lang, `ask_${f}`))) return f;
  if (last.includes(t.render(lang, 'confirm').split('\n').at(-1)!)) return 'confirm';
  return undefined;
}

const ANSWERS: Record<Language, Record<string, string>> = {
  ar: {
    name: 'سالم بن علي الكعبي',
    civilId: '١٢٣٤٥٦٧٨',
    phone: '٩٢٣٤٥٦٧٨',
    email: 'تخطي',
    address: 'ولاية البريمي، حي الخضراء قرب المسجد',
    party: 'تخطي',
    description: 'يوجد طلب واضح ومحدد أرجو متابعته في أقرب وقت',
    preferredDate: 'الأسبوع القادم',
  },
  en: {
    name: 'John Michael Smith',
    civilId: '87654321',
    phone: '+968 9876 5432',
    email: 'john.smith@example.com',
    address: 'Al Buraimi, near the central market',
    party: 'skip',
    description: 'Please handle this request, details are clear and specific.',
    preferredDate: 'skip',
  },
};

/** Answers every question until the summary; returns the summary text. */
async function fillFields(chat: ChatClient, first: string, lang: Language): Promise<string> {
  let reply = first;
  for (let i = 0; i < 12; i++) {
    const field = asked(reply, lang);
    if (field === 'confirm') return reply;
    if (!field) throw new Error(`unexpected reply: ${reply}`);
    reply = await chat.say(ANSWERS[lang][field]!);
  }
  throw new Error('dialogue did not reach the summary');
}

describe('intake dialogue over the web chat API', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('files a pothole request from a Gulf-dialect message with Arabic-Indic digits', async () => {
    const chat = await ChatClient.open(run.base);
    const start = await chat.say('ابي اطلب ردم حفره قدام البيت');
    expect(start).toContain('ردم الحفر');
    const summary = await fillFields(chat, start, 'ar');
    expect(summary).toContain('12345678');
    expect(summary).toContain('92345678');
    const filed = await chat.say('تأكيد');
    const ref = /BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(filed)?.[0];
    expect(ref).toBeDefined();
    const rec = await run.app.engine.deps.requests.get(ref!);
    expect(rec).toMatchObject({ serviceId: 'potholes', department: 'municipal-equipment', status: 'filed', channel: 'webchat', language: 'ar' });
    expect(rec!.applicant).toMatchObject({ name: 'سالم بن علي الكعبي', civilId: '12345678', phone: '92345678' });
    // Filed Sunday 22 Nov 2026; 6 working days (no own figure) → Monday 30 Nov, close of official hours (14:20 Muscat).
    expect(rec!.dueAt.toISOString()).toBe('2026-11-30T10:20:00.000Z');
  });

  it('files every one of the 15 services, chosen from the numbered list, in Arabic and English', async () => {
    const services = run.app.config.services;
    for (const [i, s] of services.entries()) {
      const lang: Language = i % 2 === 0 ? 'ar' : 'en';
      const chat = await ChatClient.open(run.base);
      await chat.say(lang === 'ar' ? 'السلام عليكم' : 'hello');
      const list = await chat.say('2');
      expect(list).toContain(s.name[lang]);
      const first = await chat.say(String(i + 1));
      expect(first).toContain(s.name[lang]);
      await fillFields(chat, first, lang);
      const filed = await chat.say(lang === 'ar' ? 'نعم' : 'confirm');
      const ref = /BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(filed)?.[0];
      expect(ref, `${s.id}: ${filed}`).toBeDefined();
      const rec = await run.app.engine.deps.requests.get(ref!);
      expect(rec?.serviceId).toBe(s.id);
      expect(rec?.department).toBe(s.department);
      const days = s.completion.workingDays ?? 6;
      expect(rec!.dueAt).toEqual(run.app.engine.deps.calendar.addWorkingDays(rec!.filedAt, days));
    }
  });

  it('gives the reference, not "try again", when the turn fails after filing, and never files twice', async () => {
    const chat = await ChatClient.open(run.base);
    const summary = await fillFields(chat, await chat.say('ابي اطلب ردم حفره قدام البيت'), 'ar');
    expect(summary).toContain('12345678');
    const templates = run.app.engine.deps.templates;
    const render = templates.render.bind(templates);
    // A fault after the request is stored (here: rendering the filing reply), as a bug would cause.
    const spy = vi.spyOn(templates, 'render').mockImplementation((lang, key, vars) => {
      if (key === 'filed') throw new Error('template fault');
      return render(lang, key, vars);
    });
    const before = await run.app.engine.deps.requests.count();
    let reply: string;
    try {
      reply = await chat.say('تأكيد');
    } finally {
      spy.mockRestore();
    }
    const ref = /BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(reply)?.[0];
    expect(ref, reply).toBeDefined();
    expect(reply).toBe(t.render('ar', 'error_after_filing', { reference: ref!, callCentre: run.app.config.organisation.callCentre }));
    expect((await run.app.engine.deps.requests.get(ref!))?.serviceId).toBe('potholes');
    expect(await run.app.engine.deps.requests.count()).toBe(before + 1);
    // The form is closed: confirming again files nothing more.
    await chat.say('تأكيد');
    expect(await run.app.engine.deps.requests.count()).toBe(before + 1);
  });

  it('re-asks an invalid field, lets the resident correct a field from the summary, and cancel', async () => {
    const chat = await ChatClient.open(run.base);
    const first = await chat.say('Please send someone to catch the stray dogs in my street');
    expect(first).toContain('Catching stray animals');
    await chat.say('John Michael Smith');
    const bad = await chat.say('12ab');
    expect(bad).toContain(t.render('en', 'invalid_civilId'));
    expect(bad).toContain(t.render('en', 'ask_civilId'));
    let reply = await chat.say('87654321');
    reply = await chat.say('123');
    expect(reply).toContain(t.render('en', 'invalid_phone'));
    const summary = await fillFields(chat, await chat.say('91234567'), 'en');
    expect(summary).toContain('91234567');
    expect(await chat.say('change phone')).toContain(t.render('en', 'ask_phone'));
    const fixed = await chat.say('72345678');
    expect(fixed).toContain('72345678');
    expect(fixed).not.toContain('91234567');
    const before = await run.app.engine.deps.requests.count();
    expect(await chat.say('cancel')).toContain(t.render('en', 'cancelled'));
    expect(await run.app.engine.deps.requests.count()).toBe(before);
  });

  it('answers a complaint in the middle of the form with the approved reply while the form waits', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('أبغى أطلب خدمة مكافحة القوارض في البيت');
    await chat.say('سالم بن علي الكعبي');
    const before = await run.app.engine.deps.requests.count();
    const reply = await chat.say('عندي شكوى على موظف في البلدية ما رد علي');
    expect(reply).toContain(t.approvedReply('ar'));
    expect(reply).toContain('ما زال مفتوحاً');
    expect(reply.endsWith(t.render('ar', 'ask_civilId'))).toBe(true);
    expect(await run.app.engine.deps.requests.count()).toBe(before);
    expect(await chat.say('12345678')).toBe(t.render('ar', 'ask_phone'));
  });

  it('takes a location pin as the address', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('ابي اطلب ردم حفرة');
    await chat.say('سالم بن علي الكعبي');
    await chat.say('12345678');
    await chat.say('92345678');
    const r = await chat.say('تخطي');
    expect(asked(r, 'ar')).toBe('address');
    const next = await chat.post({ text: '', location: { latitude: 24.2508, longitude: 55.7931 } });
    expect(next.replies.at(-1)!.text).toBe(t.render('ar', 'ask_description'));
    await chat.say('حفرة عميقة في الشارع الرئيسي تسبب حوادث');
    const filed = await chat.say('تأكيد');
    const rec = await run.app.engine.deps.requests.get(/BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(filed)![0]);
    expect(rec?.location).toEqual({ latitude: 24.2508, longitude: 55.7931 });
  });

  it('survives a restart in the middle of the dialogue', async () => {
    const chat = await ChatClient.open(run.base);
    await chat.say('I would like to apply for a training course');
    await chat.say('Fatma Said Al Badi');
    run = await run.restart();
    const again = new ChatClient(run.base, chat.conversationId, chat.secret);
    const reply = await again.say('76543210');
    expect(reply).toBe(t.render('en', 'ask_phone'));
  });
});
