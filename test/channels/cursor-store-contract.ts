/** The contract the channels' cursor stores pass on every database: X's since_id cursors and e-mail's IMAP positions (cursor-stores.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencedOutError, type JobFences } from '../../bot/scale/job-fence.js';
import type { EmailCursors } from '../../channels/email/store.js';
import type { XCursors } from '../../channels/x/store.js';

/** Stores of two instances on one database, for two channel ids each, and cleanup. */
export interface CursorHarness {
  x(channel: string): XCursors;
  otherX(channel: string): XCursors;
  email(channel: string): EmailCursors;
  otherEmail(channel: string): EmailCursors;
  /** The job epochs as each instance sees them (bot/scale/job-fence.ts). */
  fences: JobFences;
  otherFences: JobFences;
  close(): Promise<void>;
}

const T0 = new Date('2026-12-02T06:00:00Z');

/** Registers the contract tests for one database. */
export function cursorStoreContract(name: string, make: () => Promise<CursorHarness>): void {
  describe(`channel cursor contract: ${name}`, () => {
    let h: CursorHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('X: a stream has no cursor until advanced; advancing moves it and its time; another instance reads it', async () => {
      const gov = h.x('x-gov');
      expect(await gov.cursor('mentions')).toBeUndefined();
      expect(await gov.cursorUpdatedAt('dms')).toBeUndefined();
      await gov.advance('mentions', '1860000000000000001', T0);
      await gov.advance('mentions', '1860000000000000002', new Date(T0.getTime() + 5000));
      expect(await h.otherX('x-gov').cursor('mentions')).toBe('1860000000000000002');
      expect(await h.otherX('x-gov').cursorUpdatedAt('mentions')).toBe(T0.getTime() + 5000);
      expect(await gov.cursor('dms')).toBeUndefined();
      expect(await h.x('x-mun').cursor('mentions')).toBeUndefined();
    });

    it('e-mail: a mailbox has no position until set; setting replaces it (a new UIDVALIDITY too); per channel and mailbox', async () => {
      const box = h.email('mail-gov');
      expect(await box.cursor('INBOX')).toBeUndefined();
      await box.setCursor('INBOX', { uidValidity: '1700000000', lastUid: 41 }, T0);
      await h.otherEmail('mail-gov').setCursor('INBOX', { uidValidity: '1700000000', lastUid: 42 }, T0);
      expect(await box.cursor('INBOX')).toEqual({ uidValidity: '1700000000', lastUid: 42 });
      await box.setCursor('INBOX', { uidValidity: '1800000000', lastUid: 0 }, T0);
      expect(await h.otherEmail('mail-gov').cursor('INBOX')).toEqual({ uidValidity: '1800000000', lastUid: 0 });
      expect(await box.cursor('Archive')).toBeUndefined();
      expect(await h.email('mail-mun').cursor('INBOX')).toBeUndefined();
    });

    it("fences: a job's epochs grow per job; a cursor written under an older epoch is refused and left as it was", async () => {
      const first = await h.fences.next('x:alburaimigov');
      expect((await h.fences.next('imap:helpdesk')).epoch).toBe(1);
      await h.x('x-gov').advance('dms', '1860000000000000005', T0, first);
      // Another instance takes the account over: the stalled first holder may no longer move the cursor.
      const second = await h.otherFences.next('x:alburaimigov');
      expect(second.epoch).toBe(first.epoch + 1);
      await expect(h.x('x-gov').advance('dms', '1860000000000000003', T0, first)).rejects.toBeInstanceOf(FencedOutError);
      await expect(h.x('x-gov').advance('mentions', '1860000000000000003', T0, first)).rejects.toBeInstanceOf(FencedOutError);
      expect(await h.x('x-gov').cursor('dms')).toBe('1860000000000000005');
      expect(await h.x('x-gov').cursor('mentions')).toBeUndefined();
      await h.otherX('x-gov').advance('dms', '1860000000000000009', T0, second);
      expect(await h.x('x-gov').cursor('dms')).toBe('1860000000000000009');

      const mail = await h.fences.next('imap:helpdesk');
      await h.email('mail-gov').setCursor('INBOX', { uidValidity: '17', lastUid: 10 }, T0, mail);
      await h.otherFences.next('imap:helpdesk');
      const refused = h.email('mail-gov').setCursor('INBOX', { uidValidity: '17', lastUid: 4 }, T0, mail);
      await expect(refused).rejects.toThrow(/taken over by another instance/);
      expect(await h.email('mail-gov').cursor('INBOX')).toEqual({ uidValidity: '17', lastUid: 10 });
      // Without a fence (a job not run under a lease), a write is unconditional.
      await h.email('mail-gov').setCursor('INBOX', { uidValidity: '17', lastUid: 11 }, T0);
      expect(await h.otherEmail('mail-gov').cursor('INBOX')).toEqual({ uidValidity: '17', lastUid: 11 });
    });
  });
}
