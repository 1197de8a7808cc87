/**
 * The web chat page in headless Debian chromium, tried as a resident would. Each item of the page
 * has a test and a screenshot in test/output/screenshots/webchat-*.png. No test sleeps: every wait
 * is on a locator or a condition, bounded by a timeout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../bot/core/paths.js';
import { Templates } from '../../bot/core/templates.js';
import { type Running, startTawasul } from '../helpers/app.js';

// The functions passed to page.evaluate run in the browser; this file is typechecked without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const localStorage: any;
declare const getComputedStyle: (el: any) => any;
type Element = any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} (.ci/run installs it)`);
const SHOTS = join(projectRoot, 'test/output/screenshots');
const WAIT = { timeout: 15_000 };
const t = new Templates();

describe.skipIf(!available)('web chat page in headless Debian chromium', () => {
  let run: Running;
  let browser: Browser;
  let port: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The page is the Preact bundle built by `npm run build`; build it from the current sources.
    execFileSync(process.execPath, [join(projectRoot, 'bot/http/build-web.mjs')], { stdio: 'ignore' });
    mkdirSync(SHOTS, { recursive: true });
    run = await startTawasul();
    port = new URL(run.base).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A host name on plain HTTP (not a secure context), resolved to loopback.
        '--host-resolver-rules=MAP tawasul.test 127.0.0.1',
      ],
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await run?.cleanup();
  });

  async function open(opts: Parameters<Browser['newContext']>[0] = {}, url = `${run.base}/`): Promise<Page> {
    const ctx = await browser.newContext({ locale: 'ar-OM', viewport: { width: 480, height: 820 }, ...opts });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator('#text').waitFor(WAIT);
    return page;
  }
  async function send(page: Page, text: string): Promise<void> {
    const before = await page.locator('.msg.in').count();
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.msg.in').length > n, before, WAIT);
    await page.locator('#send:not([disabled])').waitFor(WAIT);
  }
  const lastBot = (page: Page) => page.locator('.msg.in').last();

  it('first screen: a welcome, the menu and a one-line privacy notice before anything is asked', async () => {
    const page = await open();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await expect.poll(() => page.locator('.welcome h2').textContent()).toContain('أهلاً بك');
    expect(await page.locator('.menu-item').count()).toBe(4);
    const privacy = await page.locator('.privacy').textContent();
    expect(privacy).toContain('الرقم المدني');
    expect(privacy).toContain('لمعالجة طلبك');
    expect(await page.locator('.msg').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'webchat-first-screen.png') });
    await page.locator('.menu-item').nth(1).click();
    await lastBot(page).waitFor(WAIT);
    expect(await lastBot(page).textContent()).toContain('أي خدمة تريد أن تطلب؟');
  });

  it('shows a typing indicator and disables the send button while the bot works', async () => {
    const page = await open();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/messages', async (route) => {
      if (route.request().method() === 'POST') await gate;
      await route.continue();
    });
    await page.fill('#text', 'السلام عليكم');
    await page.press('#text', 'Enter');
    await page.locator('.typing').waitFor(WAIT);
    expect(await page.locator('#send').isDisabled()).toBe(true);
    expect(await page.locator('.status').textContent()).toBe('تواصل يكتب…');
    await page.screenshot({ path: join(SHOTS, 'webchat-typing.png') });
    release();
    await lastBot(page).waitFor(WAIT);
    expect(await lastBot(page).textContent()).toContain('وعليكم السلام');
    await page.locator('.typing').waitFor({ state: 'detached', ...WAIT });
    expect(await page.locator('#send').isDisabled()).toBe(false);
  });

  it('a send whose answer was lost can be sent again and is answered once (same client id)', async () => {
    const page = await open();
    await send(page, 'السلام عليكم');
    let lose = true;
    await page.route('**/messages', async (route) => {
      if (route.request().method() !== 'POST' || !lose) return route.continue();
      lose = false;
      await route.fetch(); // the server handles the message; its answer never reaches the page
      await route.abort('connectionreset');
    });
    await page.fill('#text', 'متى الدوام؟');
    await page.press('#text', 'Enter');
    const retry = page.locator('.msg.failed .retry');
    await retry.waitFor(WAIT);
    expect(await page.locator('.err').textContent()).toBe('تعذر الإرسال، حاول مرة أخرى.');
    await page.screenshot({ path: join(SHOTS, 'webchat-retry.png') });
    await page.locator('.retry:not([disabled])').click();
    await page.locator('.msg.failed').waitFor({ state: 'detached', ...WAIT });
    await page.locator('#send:not([disabled])').waitFor(WAIT);
    const cid = await page.evaluate(() => (JSON.parse(localStorage.getItem('tawasul.webchat') as string) as { conversationId: string }).conversationId);
    const inbound = (await run.app.engine.deps.conversations.transcript(`webchat:${cid}`)).filter((e) => e.direction === 'in').map((e) => e.text);
    expect(inbound).toEqual(['السلام عليكم', 'متى الدوام؟']);
    // The page's client ids are time-ordered (UUID version 7): the ledger keys them by time, first.
    const ids = run.app.sql.db.prepare(`SELECT message_id FROM inbox WHERE conversation_key = ?`).pluck().all(`webchat:${cid}`) as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@${cid}$`));
    expect(await page.locator('.msg.out', { hasText: 'متى الدوام؟' }).count()).toBe(1);
    expect(await page.locator('.msg.in').count()).toBe(2);
  });

  it('an English-language browser gets English left-to-right, switchable to Arabic', async () => {
    const page = await open({ locale: 'en-US' });
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');
    expect(await page.locator('h1').textContent()).toContain('Al Buraimi Governorate');
    await send(page, 'what are your working hours?');
    expect(await lastBot(page).textContent()).toContain('Sunday');
    await page.screenshot({ path: join(SHOTS, 'webchat-english.png') });
    await page.click('#lang');
    // The switch re-renders after the click's event: wait for it rather than read at once (a race).
    await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, WAIT);
    await page.locator('#send', { hasText: 'إرسال' }).waitFor(WAIT);
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.locator('#send').textContent()).toBe('إرسال');
  });

  it('restores the history after a reload, without duplicates; the secret is kept in localStorage', async () => {
    const page = await open();
    await send(page, 'السلام عليكم');
    await send(page, 'متى الدوام؟');
    const before = await page.locator('.msg').allTextContents();
    expect(before.length).toBe(4);
    const stored = await page.evaluate(
      () => JSON.parse(localStorage.getItem('tawasul.webchat') ?? 'null') as { conversationId: string; secret: string } | null,
    );
    expect(stored?.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll('.msg').length >= n, before.length, WAIT);
    const polls = Number((await page.getAttribute('html', 'data-polls')) ?? 0);
    await page.waitForFunction((n) => Number(document.documentElement.dataset.polls ?? 0) >= n + 2, polls, WAIT);
    expect(await page.locator('.msg').allTextContents()).toEqual(before);
    await page.screenshot({ path: join(SHOTS, 'webchat-restored.png') });
  });

  it('forgets a stored conversation the server refuses (wrong secret) and starts a new one', async () => {
    const page = await open();
    await send(page, 'السلام عليكم');
    const real = await page.evaluate(() => localStorage.getItem('tawasul.webchat') as string);
    await page.evaluate((s) => localStorage.setItem('tawasul.webchat', s), JSON.stringify({ ...JSON.parse(real), secret: 'x'.repeat(43) }));
    await page.reload();
    await page.locator('#text').waitFor(WAIT);
    await page.waitForFunction(() => Number(document.documentElement.dataset.polls ?? 0) >= 1, undefined, WAIT);
    expect(await page.locator('.msg').count()).toBe(0);
    await send(page, 'hello');
    const fresh = await page.evaluate(() => JSON.parse(localStorage.getItem('tawasul.webchat') as string) as { conversationId: string });
    expect(fresh.conversationId).not.toBe((JSON.parse(real) as { conversationId: string }).conversationId);
  });

  it('makes http(s) links clickable and never injects text as HTML', async () => {
    const page = await open();
    await send(page, 'عندي شكوى على البلدية');
    const link = lastBot(page).locator('a[href="https://tajawob.om/"]');
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await link.getAttribute('target')).toBe('_blank');
    const hostile = '<img src=x onerror="window.__pwned=1"> javascript:alert(1) <b>bold</b>';
    await send(page, hostile);
    const mine = page.locator('.msg.out').last();
    expect(await mine.textContent()).toContain(hostile);
    expect(await mine.locator('img, b, a').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'webchat-links.png') });
  });

  it("shows the agent's messages and, after the agent releases, the bot's hand-back notice once", async () => {
    const page = await open();
    await send(page, 'ابي اكلم موظف');
    const cid = await page.evaluate(() => (JSON.parse(localStorage.getItem('tawasul.webchat')!) as { conversationId: string }).conversationId);
    const key = `webchat:${cid}`;
    expect(await run.app.engine.takeOver(key, 'amal')).toBe(true);
    expect(await run.app.engine.agentSay(key, 'amal', 'مرحباً، معك أمل من مركز الاتصال')).toBe(true);
    await page.locator('.msg.agent', { hasText: 'معك أمل' }).waitFor(WAIT);
    expect(await run.app.engine.handBack(key, 'amal')).toBe(true);
    const notice = page.locator('.msg.in', { hasText: 'عادت المحادثة إلى الرد الآلي' });
    await notice.waitFor(WAIT);
    const polls = Number((await page.getAttribute('html', 'data-polls')) ?? 0);
    await page.waitForFunction((n) => Number(document.documentElement.dataset.polls ?? 0) >= n + 2, polls, WAIT);
    expect(await notice.count()).toBe(1);
    expect(await page.locator('.msg.in', { hasText: t.render('ar', 'agent_joined') }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'webchat-handback.png') });
  });

  it("sends the browser's location as a location message", async () => {
    const page = await open({ permissions: ['geolocation'], geolocation: { latitude: 24.2508, longitude: 55.7931 } });
    for (const text of ['ابي اطلب ردم حفرة', 'سالم بن علي الكعبي', '12345678', '92345678', 'تخطي']) await send(page, text);
    expect(await lastBot(page).textContent()).toContain(t.render('ar', 'ask_address'));
    const before = await page.locator('.msg.in').count();
    await page.click('#locate');
    await page.waitForFunction((n) => document.querySelectorAll('.msg.in').length > n, before, WAIT);
    expect(await lastBot(page).textContent()).toContain(t.render('ar', 'ask_description'));
    expect(await page.locator('.msg.out').last().textContent()).toContain('موقعي');
    await page.screenshot({ path: join(SHOTS, 'webchat-location.png') });
  });

  it('works on plain HTTP with a host name (no crypto.randomUUID outside a secure context)', async () => {
    const page = await open({}, `http://tawasul.test:${port}/`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    expect(await page.evaluate(() => typeof (crypto as { randomUUID?: unknown }).randomUUID)).toBe('undefined');
    await send(page, 'السلام عليكم');
    expect(await lastBot(page).textContent()).toContain('وعليكم السلام');
    // Geolocation needs a secure context: the button says so instead of failing.
    expect(await page.locator('#locate').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'webchat-plain-http.png') });
  });

  it('serves /favicon.ico and loads without a failed request', async () => {
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => failed.push(e.message));
    await page.goto(`${run.base}/`);
    await page.locator('#text').waitFor(WAIT);
    const icon = await page.request.get(`${run.base}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\//);
    expect(failed).toEqual([]);
    await page.goto(`${run.base}/favicon.ico`);
    await page.screenshot({ path: join(SHOTS, 'webchat-favicon.png') });
  });

  it('is accessible: aria-live log, keyboard only, visible focus, contrast of at least 4.5:1', async () => {
    const page = await open();
    const log = page.locator('#log');
    expect(await log.getAttribute('aria-live')).toBe('polite');
    expect(await log.getAttribute('role')).toBe('log');
    // Keyboard only: Tab to the message box, type, Enter; then Tab moves to the send button, with a visible ring.
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'text');
    }
    expect(reached).toBe(true);
    await page.keyboard.type('السلام عليكم');
    await page.keyboard.press('Enter');
    await lastBot(page).waitFor(WAIT);
    await page.waitForFunction(() => document.activeElement?.id === 'text', undefined, WAIT);
    await page.locator('#send:not([disabled])').waitFor(WAIT); // a disabled button is not a Tab stop
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('send');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SHOTS, 'webchat-focus.png') });
    const ratios = await page.evaluate(() => {
      const rgb = (c: string): number[] => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: number[]): number => {
        const [r, g, b] = c.map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const bg = (el: Element | null): string => {
        for (let e = el; e; e = e.parentElement) {
          const b = getComputedStyle(e).backgroundColor;
          if (b && !b.startsWith('rgba(0, 0, 0, 0')) return b;
        }
        return 'rgb(255, 255, 255)';
      };
      const out: Record<string, number> = {};
      for (const sel of ['.msg.in', '.msg.out', '#send', '.privacy', 'header h1', '.menu-item', '#text']) {
        const el = document.querySelector(sel)!;
        const a = lum(rgb(getComputedStyle(el).color));
        const b = lum(rgb(bg(el)));
        out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      }
      return out;
    });
    for (const [sel, ratio] of Object.entries(ratios)) expect(ratio, sel).toBeGreaterThanOrEqual(4.5);
  });
});
