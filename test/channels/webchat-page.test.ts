import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTawasul, type Running } from '../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} (.ci/run installs it)`);

describe.skipIf(!available)('web chat page in headless Debian chromium', () => {
  let run: Running;
  let browser: Browser;
  beforeAll(async () => {
    run = await startTawasul();
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await run?.cleanup();
  });

  it('chats in Arabic right-to-left and switches to English left-to-right', async () => {
    const page = await browser.newPage();
    await page.goto(`${run.base}/`);
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await page.fill('#text', 'السلام عليكم');
    await page.press('#text', 'Enter');
    const reply = page.locator('.msg.in').first();
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.textContent()).toContain('وعليكم السلام');
    await page.screenshot({ path: join(run.dataDir, 'webchat-ar.png') });

    await page.fill('#text', 'what are your working hours?');
    await page.press('#text', 'Enter');
    await page.locator('.msg.in').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');
    expect(await page.locator('.msg.in').nth(1).textContent()).toContain('Sunday');
    await page.screenshot({ path: join(run.dataDir, 'webchat-en.png') });
    if (process.env.TAWASUL_KEEP_SCREENSHOTS) {
      await page.screenshot({ path: process.env.TAWASUL_KEEP_SCREENSHOTS });
    }
  });

  it('shows an agent message pushed while the chat is held', async () => {
    const page = await browser.newPage();
    await page.goto(`${run.base}/`);
    await page.fill('#text', 'ابي اكلم موظف');
    await page.press('#text', 'Enter');
    await page.locator('.msg.in').first().waitFor({ timeout: 10_000 });
    const cid = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('tawasul.cid'));
    const key = `webchat:${cid}`;
    expect(await run.app.engine.takeOver(key, 'amal')).toBe(true);
    expect(await run.app.engine.agentSay(key, 'amal', 'مرحباً، معك أمل من مركز الاتصال')).toBe(true);
    await page.locator('.msg.agent', { hasText: 'معك أمل' }).waitFor({ timeout: 10_000 });
  });
});
