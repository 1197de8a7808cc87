import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { chromiumAvailable, launch, shot, signIn, switchLanguage } from './browser.js';
import { addAccount } from './helpers.js';

/** The resident's view of the chat (what the web chat page polls). */
async function residentSees(run: Running, chat: ChatClient): Promise<Array<{ author: string; text: string }>> {
  const r = await fetch(`${run.base}/api/webchat/conversations/${chat.conversationId}/messages`, { headers: chat.auth });
  return ((await r.json()) as { messages: Array<{ author: string; text: string }> }).messages;
}

describe.skipIf(!chromiumAvailable)('console inbox in headless Debian chromium', () => {
  let run: Running;
  let browser: Browser;
  beforeAll(async () => {
    run = await startTawasul();
    await addAccount(run, 'amal', 'agent');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await run?.cleanup();
  });

  it('an agent sees a chat arrive live, takes it, replies, hands back, and the bot resumes the open dialogue', async () => {
    const page = await signIn(browser, run.base, 'amal', { shot: 'console-signin-ar.png' });
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await page.locator('#view-waiting').waitFor();
    await page.locator('.live.on').waitFor();
    expect(await page.locator('.chat-row').count()).toBe(0);

    // The resident starts a pothole request, then asks for a person in the middle of it.
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('أبغى أطلب ردم حفرة قدام البيت')).toMatch(/اسم/);
    expect(await chat.say('سالم بن علي البادي')).toMatch(/المدني/);
    const sent = performance.now();
    await chat.say('أبي أكلم موظف');
    await page.locator('.chat-row').first().waitFor(); // no reload: the event stream brought it
    const liveMs = performance.now() - sent;
    console.log(`console: chat visible in the inbox ${liveMs.toFixed(0)} ms after the resident's message`);
    await shot(page, 'inbox-waiting-ar');

    await page.click('.chat-row');
    await page.locator('.transcript .msg.in', { hasText: 'أبي أكلم موظف' }).waitFor();
    await page.click('#take');
    await page.locator('#handback').waitFor();
    await page.selectOption('#canned', 'greeting');
    expect(await page.inputValue('#reply')).toContain('مركز الاتصال');
    await page.fill('#reply', 'مرحباً، معك أمل من مركز الاتصال. كيف أخدمك؟');
    await page.click('#send');
    await page.locator('.transcript .msg.agent', { hasText: 'معك أمل' }).waitFor();
    expect((await residentSees(run, chat)).some((m) => m.author === 'agent' && m.text.includes('معك أمل'))).toBe(true);

    // The resident answers: the agent sees it live in the open chat.
    expect(await chat.say('عندي حفرة كبيرة قدام البيت')).toBe('');
    await page.locator('.transcript .msg.in', { hasText: 'عندي حفرة كبيرة' }).waitFor();
    await page.fill('#note', 'المراجع يفضّل الاتصال بعد الظهر');
    await page.click('.notes + form button');
    await page.locator('.notes li', { hasText: 'بعد الظهر' }).waitFor();

    // File the request for the resident, as on the phone: the intake validators refuse a bad civil ID.
    await page.selectOption('#file-service', 'potholes');
    await page.fill('#file-name', 'سالم بن علي البادي');
    await page.fill('#file-civilId', '12ab');
    await page.fill('#file-phone', '91234567');
    await page.fill('#file-address', 'حي الخضراء، شارع 12');
    await page.fill('#file-description', 'حفرة كبيرة أمام المنزل تعيق السيارات');
    await page.click('#file-submit');
    await page.locator('.field.invalid #file-civilId').waitFor();
    await page.fill('#file-civilId', '١٢٣٤٥٦٧٨'); // Arabic-Indic digits, as the dialogue accepts them
    await page.click('#file-submit');
    await page.locator('.related a', { hasText: /^BUR-/ }).waitFor();
    await shot(page, 'chat-ar');
    await switchLanguage(page, 'en');
    await page.locator('#handback', { hasText: 'Hand back' }).waitFor();
    await shot(page, 'chat-en');
    await page.click('#view-waiting');
    await shot(page, 'inbox-waiting-en');
    await switchLanguage(page, 'ar');

    await page.click('#view-mine');
    await page.click('.chat-row');
    await page.click('#handback');
    await page.locator('#take').waitFor();
    const back = await residentSees(run, chat);
    expect(back.at(-1)!.author).toBe('bot');
    expect(back.at(-1)!.text).toMatch(/المدني/); // the open dialogue resumes at its question
    expect(await chat.say('12345678')).toMatch(/هاتف/);
  });

  it('shows the reason when another agent took the chat first, and reads well on a phone', async () => {
    await addAccount(run, 'badr', 'agent');
    const chat = await ChatClient.open(run.base);
    await chat.say('agent please');
    const page = await signIn(browser, run.base, 'amal', { viewport: { width: 390, height: 844 } });
    // A caller on the phone, with no chat: the agent files the request for them.
    await page.selectOption('.caller-form #file-service', 'stray-animals');
    await page.fill('#file-name', 'عائشة محمد النعيمي');
    await page.fill('#file-civilId', '45678901');
    await page.fill('#file-phone', '+968 9456 7890');
    await page.fill('#file-address', 'حي العقدة قرب المدرسة');
    await page.fill('#file-description', 'كلاب ضالة تتجمع كل مساء قرب المدرسة');
    await page.click('#file-submit');
    await page.locator('#civil-id', { hasText: '45678901' }).waitFor();
    await shot(page, 'caller-request-phone-ar');
    await page.click('#nav-inbox');
    await page.locator('.chat-row').first().waitFor();
    const id = Number(await page.locator('.chat-row').last().getAttribute('data-chat'));
    await page.locator(`.chat-row[data-chat="${id}"]`).click();
    await page.locator('#take').waitFor();
    expect(await run.app.engine.takeOver(chat.key, 'badr')).toBe(true); // badr is quicker
    await page.click('#take');
    await page.locator('.toast.error', { hasText: 'badr' }).waitFor();
    await shot(page, 'inbox-phone-ar');
  });
});
