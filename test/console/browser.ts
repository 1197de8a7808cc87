/** Helpers of the console's browser tests: Debian chromium through playwright-core, sign-in, screenshots. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PASSWORD } from './helpers.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} (.ci/run installs it)`);
export const SHOTS = join(process.cwd(), 'test/output/screenshots');

/** Builds the console bundle when it is missing (npm ci builds it; a fresh checkout under vitest may not have). */
export function ensureBundle(): void {
  if (!existsSync(join(process.cwd(), 'dist/web/console.js'))) execFileSync('node', ['bot/http/build-web.mjs'], { stdio: 'ignore' });
}

/** Launches headless Debian chromium. */
export async function launch(): Promise<Browser> {
  ensureBundle();
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the console in a fresh context (1366×768 unless told) and signs in; the language is Arabic unless `lang` says. */
export async function signIn(
  browser: Browser,
  base: string,
  username: string,
  opts: { lang?: 'ar' | 'en'; viewport?: { width: number; height: number }; shot?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1366, height: 768 }, locale: opts.lang === 'en' ? 'en-GB' : 'ar-OM' });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    console.error(`page error (${username}): ${e.message}`);
  });
  await page.goto(`${base}/console${opts.lang === 'en' ? '/en' : ''}`);
  await page.locator('#username').waitFor();
  if (opts.shot) await page.screenshot({ path: join(SHOTS, opts.shot) });
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('#signin');
  await page.locator('#signout').waitFor();
  return page;
}

/** Writes a screenshot under test/output/screenshots. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: false });
}

/** Switches the console's language with its own button and waits for the direction to change. */
export async function switchLanguage(page: Page, to: 'ar' | 'en'): Promise<void> {
  await page.click('#lang');
  // A function, not a string: the console's CSP forbids eval.

  await page.waitForFunction(
    (dir) => (globalThis as unknown as { document: { documentElement: { dir: string } } }).document.documentElement.dir === dir,
    to === 'ar' ? 'rtl' : 'ltr',
  );
}
