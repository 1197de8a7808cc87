import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { chromiumAvailable, launch, shot, signIn, switchLanguage } from './browser.js';
import { addAccount, ConsoleClient, fileRequest } from './helpers.js';

/** True when the canvas has drawn pixels (chart.js rendered something). */
interface Canvas {
  width: number;
  height: number;
  getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
const drawn = (page: Page, id: string): Promise<boolean> =>
  page.evaluate((cid) => {
    const c = (globalThis as unknown as { document: { getElementById(i: string): Canvas | null } }).document.getElementById(cid);
    if (!c || c.width === 0) return false;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) return true;
    return false;
  }, id);

describe.skipIf(!chromiumAvailable)('SLA dashboard and admin screens in headless Debian chromium', () => {
  let run: Running;
  let browser: Browser;
  beforeAll(async () => {
    run = await startTawasul();
    for (const [u, role] of [
      ['amal', 'agent'],
      ['sara', 'supervisor'],
      ['root', 'admin'],
    ] as const)
      await addAccount(run, u, role);
    // Seeded data: web chats (first responses), requests of several services, some done on time, one escalated.
    for (const text of ['السلام عليكم', 'متى الدوام؟', 'hello', 'شكرا']) await (await ChatClient.open(run.base)).say(text);
    const agent = await new ConsoleClient(run.base).signIn('amal');
    const refs = [
      await fileRequest(agent),
      await fileRequest(agent, 'weather-damage', {
        name: 'خالد سعيد الشامسي',
        civilId: '23456789',
        phone: '92345678',
        address: 'وادي الجزي',
        description: 'سقوط جدار بسبب الأمطار الغزيرة',
      }),
      await fileRequest(agent, 'training', {
        name: 'مريم سالم الكعبي',
        civilId: '87654321',
        phone: '99887766',
        description: 'أرغب في التدريب الصيفي بقسم التدريب',
      }),
      await fileRequest(agent, 'pest-control', {
        name: 'علي حمد المقبالي',
        civilId: '34567890',
        phone: '93456789',
        address: 'السنينة',
        description: 'انتشار الحشرات قرب الحديقة العامة',
      }),
    ];
    run.clock.advance(2 * 86_400_000);
    const sara = await new ConsoleClient(run.base).signIn('sara');
    for (const ref of refs.slice(0, 2)) expect((await sara.post(`/api/console/requests/${ref}/actions`, { action: 'done' })).status).toBe(201);
    run.clock.set('2026-12-20T05:00:00Z'); // a Sunday, weeks later: the rest are overdue and escalated
    await run.app.console.sla.engine.sweep(run.clock.now());
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await run?.cleanup();
  });

  it('renders every chart from the seeded data, each with its CSV', async () => {
    const page = await signIn(browser, run.base, 'sara');
    await page.click('#nav-dashboard');
    await page.fill('#d-from', '2026-11-01');
    await page.fill('#d-to', '2026-12-31');
    await page.click('.dashboard .filters button[type=submit]');
    for (const id of ['live', 'first-response-by-channel', 'completion-by-service', 'completion-by-department', 'requests-over-time']) {
      await page.locator(`#chart-${id}`).waitFor();
      await page.waitForFunction(
        (cid) =>
          ((globalThis as unknown as { document: { getElementById(i: string): { width: number } | null } }).document.getElementById(cid)?.width ?? 0) > 0,
        `chart-${id}`,
      );
      expect(await drawn(page, `chart-${id}`)).toBe(true);
      const href = await page.getAttribute(`#csv-${id}`, 'href');
      const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), href);
      expect(csv.split('\r\n').length).toBeGreaterThan(2);
    }
    const serviceCsv = await page.evaluate(async () =>
      (await fetch('/api/console/sla/report?from=2026-11-01&to=2026-12-31&bucket=day&chart=completion-by-service')).text(),
    );
    expect(serviceCsv).toContain('requests,service,potholes');
    await shot(page, 'dashboard-ar');
    await switchLanguage(page, 'en');
    await page.locator('h2', { hasText: 'First-response compliance' }).waitFor();
    await shot(page, 'dashboard-en');
  });

  it('admins confirm a holiday (open requests recomputed), manage accounts and read the audit trail', async () => {
    const page = await signIn(browser, run.base, 'root');
    await page.click('#nav-calendar');
    await page.locator('table.holidays tbody tr').first().waitFor();
    await shot(page, 'calendar-ar');
    await page.locator('table.holidays tbody tr button.primary').first().click();
    await page.locator('.toast', { hasText: 'أعيد حساب' }).waitFor();
    await switchLanguage(page, 'en');
    await page.locator('th', { hasText: 'Holiday' }).waitFor();
    await shot(page, 'calendar-en');

    await page.click('#nav-contacts');
    const row = page.locator('tr[data-role="training-manager"]');
    await row.locator('input[type=email]').fill('training.manager@example.om');
    await row.locator('button').click();
    await page.locator('.toast', { hasText: 'Saved' }).waitFor();
    expect(run.app.console.sla.ctx.roles.get('training-manager')?.email).toBe('training.manager@example.om');
    await shot(page, 'contacts-en');
    await page.click('#nav-accounts');
    await page.fill('#acc-username', 'noura');
    await page.selectOption('#acc-role', 'department');
    await page.locator('fieldset .check').first().click();
    await page.fill('#acc-password', 'a long enough password');
    await page.click('.grid-form button[type=submit]');
    await page.locator('td', { hasText: 'noura' }).first().waitFor();
    expect((await run.app.console.accounts.byUsername('noura'))?.departments.length).toBe(1);
    await shot(page, 'accounts-en');
    await switchLanguage(page, 'ar');
    await shot(page, 'accounts-ar');
    await page.click('#nav-contacts');
    await page.locator('tr[data-role="training-manager"]').waitFor();
    await shot(page, 'contacts-ar');

    await page.click('#nav-audit');
    await page.locator('table.audit td', { hasText: 'account.add' }).waitFor();
    await shot(page, 'audit-ar');
    await switchLanguage(page, 'en');
    await shot(page, 'audit-en');
  });
});
