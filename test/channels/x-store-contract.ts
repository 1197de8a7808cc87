/** The contract every XStore passes (channel-stores-sqlite.test.ts, channel-stores-postgres.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { XStore } from '../../channels/x/store.js';
import type { StorePair } from './store-pair.js';

const T0 = new Date('2026-12-02T06:00:00Z');
const later = (s: number): Date => new Date(T0.getTime() + s * 1000);

/** Registers the contract tests for one database. */
export function xStoreContract(name: string, make: () => Promise<StorePair<XStore>>): void {
  describe(`X store contract: ${name}`, () => {
    let h: StorePair<XStore>;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it("a thread's published parts, recorded on one instance, are read by another (a retry resumes there)", async () => {
      expect(await h.one('x-gov').threadParts(41)).toEqual(new Map());
      await h.one('x-gov').recordPart(41, 0, '1860000000000000101');
      await h.one('x-gov').recordPart(41, 1, '1860000000000000102');
      await h.one('x-gov').recordPart(42, 0, '1860000000000000201');
      expect(await h.two('x-gov').threadParts(41)).toEqual(
        new Map([
          [0, '1860000000000000101'],
          [1, '1860000000000000102'],
        ]),
      );
      // A part recorded again (a post made twice after a lost answer) keeps the latest post.
      await h.two('x-gov').recordPart(41, 1, '1860000000000000103');
      expect((await h.one('x-gov').threadParts(41)).get(1)).toBe('1860000000000000103');
      expect(await h.one('x-gov').threadParts(42)).toEqual(new Map([[0, '1860000000000000201']]));
    });

    it('a conversation: unknown until touched; a touch without username or post keeps them; per channel', async () => {
      expect(await h.one('x-gov').conversation('u-100')).toBeUndefined();
      await h.one('x-gov').touch('u-100', { participantId: '100', username: 'salim', lastTweetId: '1860000000000000001' }, T0);
      await h.two('x-gov').touch('u-100', { participantId: '100' }, later(5));
      expect(await h.one('x-gov').conversation('u-100')).toEqual({ participantId: '100', username: 'salim', lastTweetId: '1860000000000000001' });
      await h.two('x-gov').touch('u-100', { participantId: '100', lastTweetId: '1860000000000000002' }, later(10));
      expect(await h.two('x-gov').conversation('u-100')).toEqual({ participantId: '100', username: 'salim', lastTweetId: '1860000000000000002' });
      await h.one('x-gov').touch('dm-7', { participantId: '7' }, T0);
      expect(await h.two('x-gov').conversation('dm-7')).toEqual({ participantId: '7' });
      expect(await h.one('x-mun').conversation('u-100')).toBeUndefined();
    });

    it('two instances touching one conversation at once lose neither field', async () => {
      await Promise.all([
        h.one('x-gov').touch('u-200', { participantId: '200', username: 'aisha' }, T0),
        h.two('x-gov').touch('u-200', { participantId: '200', lastTweetId: '1860000000000000300' }, T0),
      ]);
      expect(await h.one('x-gov').conversation('u-200')).toEqual({ participantId: '200', username: 'aisha', lastTweetId: '1860000000000000300' });
    });
  });
}
