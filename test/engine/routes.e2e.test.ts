import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { sampleRequest } from '../store/request-store-contract.js';

const t = new Templates();

describe('every route of the SPEC over the web chat API', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('answers a greeting in the writer language and offers the menu', async () => {
    const ar = await ChatClient.open(run.base);
    const r1 = await ar.say('السلام عليكم ورحمة الله');
    expect(r1).toContain('وعليكم السلام');
    expect(r1).toContain(t.render('ar', 'menu'));
    const en = await ChatClient.open(run.base);
    expect(await en.say('Good morning')).toContain(t.render('en', 'menu'));
    expect(await en.say('thank you so much')).toBe(t.render('en', 'thanks'));
    expect(await ar.say('شكرا جزيلا')).toBe(t.render('ar', 'thanks'));
  });

  it('answers inquiries instantly from the knowledge base', async () => {
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('ما هي أوقات الدوام الرسمي؟')).toMatch(/الأحد إلى الخميس/);
    expect(await chat.say('what is the phone number of the call centre?')).toContain('+968 2564 3286');
    expect(await chat.say('كم يوم ياخذ طلب التدريب؟')).toContain('5 أيام عمل');
    expect(await chat.say('what do I need to request a liwan closure?')).toContain('ownership deed');
    expect(await chat.say('what is the link of the e-services portal')).toContain('https://service.bur.gov.om/');
    const menu = await ChatClient.open(run.base);
    const services = await menu.say('١');
    expect(services).toContain(t.render('ar', 'kb_services', { portal: 'https://service.bur.gov.om/', lines: '' }).split('\n')[0]);
    expect(services).toContain('طلب المخيمات الشتوية');
  });

  it('sends the approved Tajawob reply verbatim to complaints, suggestions and reports', async () => {
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('عندي شكوى على شركة المقاولات اللي تشتغل في الشارع')).toBe(t.approvedReply('ar'));
    expect(await chat.say('أقترح تركيب إنارة في الحديقة العامة')).toBe(t.approvedReply('ar'));
    expect(await chat.say('أبلغ عن تسرب مياه في الشارع العام')).toBe(t.approvedReply('ar'));
    const en = await ChatClient.open(run.base);
    const reply = await en.say('I want to file a complaint about the rude employee at the municipality');
    expect(reply).toBe(t.approvedReply('en'));
    expect(reply.startsWith(t.tajawob.ar)).toBe(true);
  });

  it('answers status only with the reference and the phone the request was filed with', async () => {
    const rec = await run.app.engine.deps.requests.create(sampleRequest({ filedAt: run.clock.now() }));
    const chat = await ChatClient.open(run.base);
    expect(await chat.say(`وين وصل طلبي ${rec.reference}`)).toBe(t.render('ar', 'status_ask_phone', { reference: rec.reference }));
    expect(await chat.say('٩٩٩٩٩٩٩٩')).toContain('لم أجد');
    expect(await chat.say(`${rec.reference} 92345678`)).toContain(t.render('ar', 'status_filed'));
    const en = await ChatClient.open(run.base);
    const reply = await en.say(`what is the status of my request ${rec.reference.toLowerCase()}, my number is 92345678`);
    expect(reply).toContain(rec.reference);
    expect(reply).toContain('filed, awaiting processing');
    expect((await run.app.engine.deps.conversations.auditTrail()).some((a) => a.subject === rec.reference && a.action === 'request.status.view')).toBe(true);
  });

  it('locks status look-ups after repeated wrong guesses', async () => {
    const chat = await ChatClient.open(run.base);
    let last = '';
    for (let i = 0; i < 6; i++) last = await chat.say(`BUR-2026-0${String(9000 + i)} 91111111`);
    expect(last).toContain(t.render('ar', 'status_locked', { callCentre: '+968 2564 3286' }));
  });

  it('tells an overdue request that it was escalated and why (right no. 8)', async () => {
    const rec = await run.app.engine.deps.requests.create(
      sampleRequest({ filedAt: new Date('2026-10-01T06:00:00Z'), dueAt: new Date('2026-10-09T10:20:00Z') }),
    );
    const chat = await ChatClient.open(run.base);
    expect(await chat.say(`status ${rec.reference} phone 92345678`)).toContain(t.render('en', 'status_overdue'));
  });

  it('redirects unanswerable inquiries to Tajawob, and answers a bare acknowledgement with the menu', async () => {
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('كم سعر كيلو الطماطم في السوق المركزي اليوم؟')).toBe(t.approvedReply('ar'));
    expect(await chat.say('ok')).toBe(t.render('ar', 'menu'));
  });

  it('hands the chat to the call-centre queue, saying when agents are back outside hours', async () => {
    const open = await ChatClient.open(run.base);
    expect(await open.say('ابي اكلم موظف لو سمحت')).toBe(t.render('ar', 'handoff_queued'));
    run.clock.set('2026-11-26T15:00:00Z'); // Thursday 19:00 in Muscat
    const closed = await ChatClient.open(run.base);
    const reply = await closed.say('can I talk to a real person please');
    expect(reply).toContain('The contact centre is closed now');
    expect(reply).toMatch(/Sunday,? 29 November 2026.*08:30/);
    run.clock.set('2026-11-22T05:00:00Z');
  });
});
