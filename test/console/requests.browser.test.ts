import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startTawasul } from '../helpers/app.js';
import { chromiumAvailable, launch, shot, signIn, switchLanguage } from './browser.js';
import { addAccount, ConsoleClient, fileRequest } from './helpers.js';

describe.skipIf(!chromiumAvailable)('console requests for department heads in headless Debian chromium', () => {
  let run: Running;
  let browser: Browser;
  let pothole: string;
  let course: string;
  beforeAll(async () => {
    run = await startTawasul();
    await addAccount(run, 'amal', 'agent');
    await addAccount(run, 'hamad', 'department', ['municipal-equipment']);
    const agent = await new ConsoleClient(run.base).signIn('amal');
    pothole = await fileRequest(agent);
    await fileRequest(agent, 'weather-damage', {
      name: 'خالد سعيد الشامسي',
      civilId: '23456789',
      phone: '92345678',
      address: 'وادي الجزي',
      description: 'سقوط جدار بسبب الأمطار الغزيرة',
    });
    course = await fileRequest(agent, 'training', {
      name: 'مريم سالم الكعبي',
      civilId: '87654321',
      phone: '99887766',
      description: 'أرغب في التدريب الصيفي بقسم التدريب',
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await run?.cleanup();
  });

  it('a department head accepts a request and the resident is notified; another department is refused', async () => {
    const page = await signIn(browser, run.base, 'hamad');
    await page.locator('table a', { hasText: pothole }).waitFor();
    const refs = await page.locator('table tbody tr td:first-child a').allTextContents();
    expect(refs).not.toContain(course);
    expect(await page.locator('table').textContent()).not.toContain('12345678'); // civil ID masked in the list
    await shot(page, 'requests-ar');
    await switchLanguage(page, 'en');
    await page.locator('th', { hasText: 'Reference' }).waitFor();
    await shot(page, 'requests-en');
    await switchLanguage(page, 'ar');

    await page.click(`table a:text("${pothole}")`);
    await page.locator('#civil-id', { hasText: '12345678' }).waitFor(); // in full on the record, and audited
    await page.click('#act-accept');
    await page.locator('.panel header .pill.s-in_progress').waitFor();
    const notices = run.app.sql.db
      .prepare("SELECT substr(channel, 8) AS channel FROM outbox WHERE recipient_kind IS NOT NULL AND reference = ? AND purpose = 'status'")
      .all(pothole);
    expect(notices.length).toBeGreaterThan(0);
    expect(run.app.engine.deps.conversations.auditTrail(50)).toContainEqual(
      expect.objectContaining({ actor: 'console:hamad', action: 'request.read', subject: pothole }),
    );
    await shot(page, 'request-page-ar');
    await switchLanguage(page, 'en');
    await page.locator('#act-accept', { hasText: 'Accept' }).waitFor();
    await shot(page, 'request-page-en');

    await page.goto(`${run.base}/console#/requests/${course}`);
    await page.locator('#request-error').waitFor();
    expect(await page.locator('#request-error').textContent()).toContain('another department');
    expect(await page.locator('#civil-id').count()).toBe(0);
  });

  it('escalations arrive live as system notifications with a badge', async () => {
    run.clock.set('2027-01-03T05:00:00Z'); // six weeks on, a Sunday morning: level-1 deadlines have passed
    const page = await signIn(browser, run.base, 'hamad');
    await page.locator('.live.on').waitFor();
    expect(await page.locator('#badge').count()).toBe(0);
    await run.app.console.sla.engine.sweep(run.clock.now());
    run.app.console.hub.pollNotifications();
    await page.locator('#badge').waitFor();
    expect(Number(await page.locator('#badge').textContent())).toBeGreaterThan(0);
    await page.locator('.toast').first().waitFor();
    await page.click('#bell');
    await page.locator('.bell .dropdown li.unread').first().waitFor();
    await shot(page, 'notifications-ar');
    await switchLanguage(page, 'en');
    await page.locator('#bell', { hasText: 'Notifications' }).waitFor();
    await shot(page, 'notifications-en');
    await signIn(browser, run.base, 'hamad', { lang: 'en', shot: 'console-signin-en.png' });
  });
});
