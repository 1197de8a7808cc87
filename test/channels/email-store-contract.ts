/** The contract every EmailStore passes (channel-stores-sqlite.test.ts, channel-stores-postgres.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailStore } from '../../channels/email/store.js';
import type { StorePair } from './store-pair.js';

const T0 = new Date('2026-12-02T06:00:00Z');
const later = (s: number): Date => new Date(T0.getTime() + s * 1000);
const head = (replyTo: string, subject: string, references: string[] = []) => ({ replyTo, subject, references });

/** Registers the contract tests for one database. */
export function emailStoreContract(name: string, make: () => Promise<StorePair<EmailStore>>): void {
  describe(`e-mail store contract: ${name}`, () => {
    let h: StorePair<EmailStore>;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('a Message-ID seen by one instance is a duplicate for the other; the first record stays', async () => {
      expect(await h.one('mail').remember('a1@resident.om', 'm-1', 'in', T0, head('salim@resident.om', 'حفرة'))).toBe(true);
      expect(await h.two('mail').remember('a1@resident.om', 'm-2', 'in', later(1), head('salim@resident.om', 'other'))).toBe(false);
      expect(await h.two('mail').conversationOf(['a1@resident.om'], 'salim@resident.om')).toBe('m-1');
      expect(await h.two('mail').latestInbound('m-2')).toBeUndefined();
      // Per channel: another mailbox has not seen it.
      expect(await h.two('mail-2').remember('a1@resident.om', 'm-9', 'in', T0, head('salim@resident.om', 'حفرة'))).toBe(true);
    });

    it('two instances remembering one Message-ID at once record it once', async () => {
      const firsts = await Promise.all([
        h.one('mail').remember('race@resident.om', 'm-1', 'in', T0, head('a@resident.om', 's')),
        h.two('mail').remember('race@resident.om', 'm-1', 'in', T0, head('a@resident.om', 's')),
      ]);
      expect(firsts.filter(Boolean)).toHaveLength(1);
    });

    it("finds a thread's conversation only for a sender who wrote in it (case aside), first id first", async () => {
      await h.one('mail').remember('a1@resident.om', 'm-1', 'in', T0, head('Salim@Resident.om', 'حفرة'));
      await h.one('mail').remember('tawasul.5.mail@gov.om', 'm-1', 'out', later(1));
      await h.one('mail').remember('b1@resident.om', 'm-2', 'in', later(2), head('salim@resident.om', 'إنارة'));
      const other = h.two('mail');
      expect(await other.conversationOf(['tawasul.5.mail@gov.om'], 'salim@RESIDENT.om')).toBe('m-1');
      expect(await other.conversationOf(['unknown@x', 'b1@resident.om', 'a1@resident.om'], 'salim@resident.om')).toBe('m-2');
      expect(await other.conversationOf(['a1@resident.om', 'b1@resident.om'], 'salim@resident.om')).toBe('m-1');
      expect(await other.conversationOf(['tawasul.5.mail@gov.om'], 'intruder@elsewhere.om')).toBeUndefined();
      expect(await other.conversationOf([], 'salim@resident.om')).toBeUndefined();
      expect(await h.two('mail-2').conversationOf(['a1@resident.om'], 'salim@resident.om')).toBeUndefined();
    });

    it("the latest inbound message heads a conversation's thread (ours are not), in the order written when times tie", async () => {
      expect(await h.one('mail').latestInbound('m-1')).toBeUndefined();
      await h.one('mail').remember('a1@resident.om', 'm-1', 'in', T0, head('salim@resident.om', 'حفرة', ['root@resident.om']));
      await h.two('mail').remember('tawasul.5.mail@gov.om', 'm-1', 'out', later(5));
      expect(await h.two('mail').latestInbound('m-1')).toEqual({
        messageId: 'a1@resident.om',
        replyTo: 'salim@resident.om',
        subject: 'حفرة',
        references: ['root@resident.om'],
      });
      await h.two('mail').remember('a2@resident.om', 'm-1', 'in', later(10), head('salim@resident.om', 'Re: حفرة', ['root@resident.om', 'a1@resident.om']));
      await h.one('mail').remember('a3@resident.om', 'm-1', 'in', later(10), head('salim@resident.om', '', []));
      expect(await h.one('mail').latestInbound('m-1')).toEqual({ messageId: 'a3@resident.om', replyTo: 'salim@resident.om', subject: '', references: [] });
      expect(await h.one('mail-2').latestInbound('m-1')).toBeUndefined();
    });
  });
}
