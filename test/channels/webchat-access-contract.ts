/** The contract every WebchatAccessStore passes (channel-stores-sqlite.test.ts, channel-stores-postgres.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebchatAccessStore } from '../../channels/webchat/store.js';
import type { StorePair } from './store-pair.js';

const T0 = new Date('2026-12-02T06:00:00Z');
const CID = '7d1f0a52-3c1e-4b5e-9a7e-2f1d8c0b6a11';

/** Registers the contract tests for one database. */
export function webchatAccessContract(name: string, make: () => Promise<StorePair<WebchatAccessStore>>): void {
  describe(`web chat access contract: ${name}`, () => {
    let h: StorePair<WebchatAccessStore>;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it("opening runs the conversation's creation and returns a secret that every instance accepts", async () => {
      const created: string[] = [];
      const secret = await h.one('webchat').open(CID, T0, () => {
        created.push(CID);
      });
      expect(created).toEqual([CID]);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await h.one('webchat').verify(CID, secret)).toBe(true);
      expect(await h.two('webchat').verify(CID, secret)).toBe(true);
    });

    it('refuses a wrong secret, an unknown conversation and another channel', async () => {
      const secret = await h.one('webchat').open(CID, T0, () => undefined);
      const other = await h.one('webchat').open('0b3c4d5e-0000-4000-8000-000000000001', T0, () => undefined);
      expect(await h.two('webchat').verify(CID, other)).toBe(false);
      expect(await h.two('webchat').verify(CID, 'x'.repeat(43))).toBe(false);
      expect(await h.two('webchat').verify('0b3c4d5e-0000-4000-8000-000000000002', secret)).toBe(false);
      expect(await h.two('portal-2').verify(CID, secret)).toBe(false);
    });

    it('stores no secret when the creation fails: the conversation id stays free', async () => {
      const boom = new Error('conversation store down');
      await expect(
        h.one('webchat').open(CID, T0, () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      const secret = await h.two('webchat').open(CID, T0, () => undefined);
      expect(await h.one('webchat').verify(CID, secret)).toBe(true);
    });

    it('two instances opening one id at once: one succeeds, and only its secret opens the conversation', async () => {
      const results = await Promise.allSettled([h.one('webchat').open(CID, T0, () => undefined), h.two('webchat').open(CID, T0, () => undefined)]);
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(won).toHaveLength(1);
      expect(await h.one('webchat').verify(CID, won[0]!)).toBe(true);
      expect(await h.two('webchat').verify(CID, won[0]!)).toBe(true);
    });
  });
}
