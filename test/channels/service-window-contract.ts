/** The contract every WhatsApp ServiceWindow passes (channel-stores-sqlite.test.ts, channel-stores-postgres.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceWindow } from '../../channels/whatsapp-cloud/store.js';
import type { StorePair } from './store-pair.js';

const T0 = new Date('2026-12-02T06:00:00Z');
const hours = (h: number): Date => new Date(T0.getTime() + h * 3_600_000);

/** Registers the contract tests for one database; `make(hours)` builds windows of that length. */
export function serviceWindowContract(name: string, make: (windowHours: number) => Promise<StorePair<ServiceWindow>>): void {
  describe(`WhatsApp service window contract: ${name}`, () => {
    let h: StorePair<ServiceWindow>;
    beforeEach(async () => {
      h = await make(24);
    });
    afterEach(async () => {
      await h.close();
    });

    it('closed until a message; a message on one instance opens it on the other for 24 hours', async () => {
      expect(await h.one('wa').isOpen('96891234567', T0)).toBe(false);
      await h.one('wa').touch('96891234567', T0);
      expect(await h.two('wa').isOpen('96891234567', T0)).toBe(true);
      expect(await h.two('wa').isOpen('96891234567', new Date(hours(24).getTime() - 1))).toBe(true);
      expect(await h.two('wa').isOpen('96891234567', hours(24))).toBe(false);
      expect(await h.two('wa').isOpen('96890000000', T0)).toBe(false);
      expect(await h.two('wa-2').isOpen('96891234567', T0)).toBe(false);
    });

    it('keeps the latest message time, whichever instance records it or in what order', async () => {
      await h.one('wa').touch('96891234567', hours(10));
      await h.two('wa').touch('96891234567', T0);
      expect(await h.one('wa').isOpen('96891234567', hours(30))).toBe(true);
      await Promise.all([h.one('wa').touch('96890000001', hours(1)), h.two('wa').touch('96890000001', hours(5))]);
      expect(await h.one('wa').isOpen('96890000001', hours(28))).toBe(true);
    });

    it('a closing said by Meta closes it for every instance until the next message', async () => {
      await h.one('wa').touch('96891234567', T0);
      await h.two('wa').close('96891234567');
      expect(await h.one('wa').isOpen('96891234567', hours(1))).toBe(false);
      await h.one('wa').close('96890000000');
      expect(await h.one('wa').isOpen('96890000000', hours(1))).toBe(false);
      await h.two('wa').touch('96891234567', hours(2));
      expect(await h.one('wa').isOpen('96891234567', hours(3))).toBe(true);
    });

    it('a window of configured length', async () => {
      const short = await make(2);
      try {
        await short.one('wa').touch('96891234567', T0);
        expect(await short.two('wa').isOpen('96891234567', new Date(hours(2).getTime() - 1))).toBe(true);
        expect(await short.two('wa').isOpen('96891234567', hours(2))).toBe(false);
      } finally {
        await short.close();
      }
    });
  });
}
