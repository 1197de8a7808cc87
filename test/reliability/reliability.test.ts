/**
 * The reliability suite at small counts (the full counts: `npm run soak`): the server as a child
 * process killed with SIGKILL mid-burst and restarted, on the web chat and WhatsApp Cloud.
 */
import { describe, expect, it } from 'vitest';
import { concurrentConfirmations, webchatBurst, whatsappBurst } from './scenarios.js';

describe('crash and restart mid-burst', () => {
  it('web chat: every message answered once, retries of cut-off messages get the real replies', async () => {
    const row = await webchatBurst({ conversations: 10, messages: 4, kills: 2 });
    expect(row.kills).toBe(2);
    expect(row).toMatchObject({ sent: 40, answered: 40, lost: 0, duplicated: 0, refused: 0 });
    expect(row.notes['empty duplicates']).toBe(0);
  }, 120_000);

  it('concurrent confirmations: one request per resident, each told its reference, across a kill', async () => {
    const row = await concurrentConfirmations({ residents: 16, kills: 1 });
    expect(row.kills).toBe(1);
    expect(row).toMatchObject({ sent: 16, answered: 16, lost: 0, duplicated: 0, refused: 0 });
    // The kill cut turns that had filed their request: the replay found it instead of filing again.
    expect(row.notes['filed, turn cut by a kill']).toBeGreaterThan(0);
    expect(row.notes['filing notices queued']).toBeLessThanOrEqual(16);
  }, 120_000);

  it('WhatsApp Cloud: every user answered, redeliveries ignored, every duplicate provider send counted', async () => {
    const row = await whatsappBurst({ users: 16, kills: 2 });
    expect(row.kills).toBe(2);
    expect(row).toMatchObject({ sent: 16, answered: 16, lost: 0, duplicated: 0, refused: 0 });
    expect(row.notes['provider duplicate sends']).toBeLessThanOrEqual(row.notes['in-doubt resent (metric)']!);
  }, 120_000);

  it('WhatsApp Cloud with status webhooks: a send cut off by a kill is recognised as made, not sent again', async () => {
    const row = await whatsappBurst({ users: 16, kills: 2, statuses: true, seed: 5 });
    expect(row).toMatchObject({ sent: 16, answered: 16, lost: 0, duplicated: 0, refused: 0 });
    expect(row.notes['provider duplicate sends']).toBeLessThanOrEqual(row.notes['in-doubt resent (metric)']!);
  }, 120_000);
});
