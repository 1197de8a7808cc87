import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTawasul, type Tawasul } from '../../bot/app.js';
import { silentLogger } from '../../bot/core/logger.js';
import { ChatClient, type Running, sharedClassifier, startTawasul } from '../helpers/app.js';
import { chromiumAvailable, launch, signIn } from './browser.js';
import { addAccount } from './helpers.js';

describe.skipIf(!chromiumAvailable)('a console open while the server restarts', () => {
  let run: Running;
  let again: Tawasul | undefined;
  let browser: Browser;
  beforeAll(async () => {
    run = await startTawasul();
    await addAccount(run, 'amal', 'agent');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await again?.close();
    await run?.cleanup();
  });

  it('reconnects, catches up on what happened meanwhile, and shows nothing twice', async () => {
    const page = await signIn(browser, run.base, 'amal');
    await page.locator('.live.on').waitFor();
    await (await ChatClient.open(run.base)).say('أبي أكلم موظف');
    await page.locator('.chat-row').first().waitFor();

    // The server goes down with the console open; the console notices.
    const port = Number(new URL(run.base).port);
    await run.stop();
    await page.locator('.live.off').waitFor();

    // The same data directory comes back on the same address (sessions are in SQLite: no new sign-in);
    // a resident asks for a person before the console has reconnected.
    again = await createTawasul({
      dataDir: run.dataDir,
      clock: run.clock,
      logger: silentLogger,
      classifier: await sharedClassifier(),
      channels: ['webchat'],
      env: { TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef' },
    });
    await again.listen(port);
    await (await ChatClient.open(run.base)).say('agent please');
    await page.locator('.live.on').waitFor();
    await page.locator('.chat-row').nth(1).waitFor();
    expect(await page.locator('.chat-row').count()).toBe(2);

    // Every event of the log reached the page exactly once (the client drops an id it has seen).
    const stored = again.sql.db.prepare("SELECT COUNT(*) AS n, MAX(id) AS last FROM console_events WHERE audience = 'chats'").get() as {
      n: number;
      last: number;
    };
    await page.waitForFunction(
      (last) =>
        (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.lastEventId ===
        String(last),
      stored.last,
    );
    const shown = await page.evaluate(
      () => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.liveEvents,
    );
    expect(Number(shown)).toBe(stored.n);
  });
});
