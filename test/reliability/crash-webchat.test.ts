/**
 * The reliability suite at small counts on the web chat (the full counts: `npm run soak`): the
 * server as a child process killed with SIGKILL mid-burst and restarted.
 */
import { describe, expect, it } from 'vitest';
import { concurrentConfirmations, webchatBurst } from './scenarios.js';

describe('web chat: crash and restart mid-burst', () => {
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
    // One filing notice per request (keyed by the request): a replay queued none twice.
    expect(row.notes['filing notices queued']).toBe(16);
  }, 120_000);
});
