/** The contract the channels' cursor stores pass on every database: X's since_id cursors and e-mail's IMAP positions (cursor-stores.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailCursors } from '../../channels/email/store.js';
import type { XCursors } from '../../channels/x/store.js';

/** Stores of two instances on one database, for two channel ids each, and cleanup. */
export interface CursorHarness {
  x(channel: string): XCursors;
  otherX(channel: string): XCursors;
  email(channel: string): EmailCursors;
  otherEmail(channel: string): EmailCursors;
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
  });
}
