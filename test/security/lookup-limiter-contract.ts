/** The contract every LookupLimiter implementation passes: SQLite and PostgreSQL (lookup-limiter-stores.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupLimiter, LookupLimitSettings } from '../../bot/security/lookup-limits.js';

/** The limits the harness's limiters use. */
export const CONTRACT_LIMITS: LookupLimitSettings = { windowMs: 60_000, perReference: 3, perPhone: 3, perClient: 5 };

/** Two instances' limiters (with CONTRACT_LIMITS) on one database, the stored subjects, and cleanup. */
export interface LimiterHarness {
  limiter: LookupLimiter;
  other: LookupLimiter;
  /** Every stored subject column. */
  stored(): Promise<string[]>;
  close(): Promise<void>;
}

const T0 = new Date('2026-12-02T06:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** Registers the contract tests for one implementation. */
export function lookupLimiterContract(name: string, make: () => Promise<LimiterHarness>): void {
  describe(`LookupLimiter contract: ${name}`, () => {
    let h: LimiterHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('locks a reference at its limit until its window ends, across instances, then counts afresh', async () => {
      const ref = { reference: 'BUR-2026-7K4Q-9M2X' };
      expect(await h.limiter.recordFailure({ ...ref, phone: '91000001' }, T0)).toBeUndefined();
      expect(await h.other.recordFailure({ ...ref, phone: '91000002' }, at(1000))).toBeUndefined();
      expect(await h.limiter.lockedUntil({ reference: 'bur-2026-7k4q-9m2x' }, at(2000))).toBeUndefined();
      expect(await h.other.recordFailure({ ...ref, phone: '91000003' }, at(2000))).toEqual(at(60_000));
      expect(await h.limiter.lockedUntil({ reference: 'bur-2026-7k4q-9m2x', phone: '92345678' }, at(59_999))).toEqual(at(60_000));
      expect(await h.limiter.lockedUntil(ref, at(60_000))).toBeUndefined();
      expect(await h.limiter.recordFailure(ref, at(60_000))).toBeUndefined(); // a new window, one failure
      expect(await h.other.lockedUntil(ref, at(60_001))).toBeUndefined();
    });

    it('counts each subject on its own: a phone in any notation, a client address', async () => {
      for (let i = 0; i < 3; i++) await h.limiter.recordFailure({ reference: `BUR-2026-AAAA-AAA${i + 2}`, phone: '+968 9777 7777' }, at(i));
      expect(await h.other.lockedUntil({ phone: '0096897777777' }, at(10))).toEqual(at(60_000));
      expect(await h.other.lockedUntil({ phone: '98888888' }, at(10))).toBeUndefined();
      for (let i = 0; i < 5; i++) await h.limiter.recordFailure({ client: '192.0.2.7' }, at(i));
      expect(await h.limiter.lockedUntil({ client: '192.0.2.7' }, at(10))).toEqual(at(60_000));
      expect(await h.limiter.lockedUntil({ client: '192.0.2.8' }, at(10))).toBeUndefined();
      expect(await h.limiter.lockedUntil({}, at(10))).toBeUndefined();
    });

    it('counts failures made at once on two instances without losing one', async () => {
      const tries = Array.from({ length: 10 }, (_, i) => (i % 2 ? h.other : h.limiter).recordFailure({ client: '198.51.100.9' }, at(i)));
      const locks = (await Promise.all(tries)).filter(Boolean);
      expect(locks).toHaveLength(10 - CONTRACT_LIMITS.perClient + 1);
    });

    it('stores subjects as keyed hashes, never in the clear', async () => {
      await h.limiter.recordFailure({ reference: 'BUR-2026-7K4Q-9M2X', phone: '92345678', client: '203.0.113.5' }, T0);
      const rows = await h.stored();
      expect(rows).toHaveLength(3);
      for (const s of rows) expect(s).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toMatch(/92345678|203\.0\.113|BUR-/);
    });
  });
}
