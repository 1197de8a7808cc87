/**
 * The reliability suite at small counts on WhatsApp Cloud (the full counts: `npm run soak`): the
 * server as a child process killed with SIGKILL mid-burst and restarted, a fake Graph on loopback.
 */
import { describe, expect, it } from 'vitest';
import { whatsappBurst } from './scenarios.js';

describe('WhatsApp Cloud: crash and restart mid-burst', () => {
  it('every user answered, redeliveries ignored, every duplicate provider send counted', async () => {
    const row = await whatsappBurst({ users: 16, kills: 2 });
    expect(row.kills).toBe(2);
    expect(row).toMatchObject({ sent: 16, answered: 16, lost: 0, duplicated: 0, refused: 0 });
    expect(row.notes['provider duplicate sends']).toBeLessThanOrEqual(row.notes['in-doubt resent (metric)']!);
  }, 120_000);

  it('with status webhooks: every user answered once more at most where Meta did not report the send, and that counted', async () => {
    const row = await whatsappBurst({ users: 16, kills: 2, statuses: true, seed: 5 });
    expect(row).toMatchObject({ sent: 16, answered: 16, lost: 0, duplicated: 0, refused: 0 });
    expect(row.notes['provider duplicate sends']).toBeLessThanOrEqual(row.notes['in-doubt resent (metric)']!);
  }, 120_000);
});
