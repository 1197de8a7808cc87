/** The SLA's stores on a real PostgreSQL: the contract suite, and what several instances add (claims, the due scan). */
import { describe, expect, it } from 'vitest';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import type { TimerRow } from '../../bot/store/sla-store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { slaStoreContract } from './sla-store-contract.js';

const T0 = Date.parse('2026-11-22T06:00:00Z');
const row = (requestId: number): Omit<TimerRow, 'firedAt'> => ({
  requestId,
  kind: 'escalation',
  level: 1,
  reference: `R-${requestId}`,
  role: 'head',
  baseAt: T0,
  dueAt: T0 + 1000,
  fireAt: T0 + 1000,
});

describe.skipIf(skipPostgres)('PostgreSQL SLA store (real PostgreSQL 15 on loopback)', () => {
  const pgServer = usePostgres();

  slaStoreContract('postgres', async () => {
    const stores = await openPostgresStores(await pgServer.database());
    return { store: stores.sla, requests: stores.requests, close: () => stores.close() };
  });

  /** Two instances (two pools) on one fresh database. */
  const twoInstances = async (): Promise<[PostgresStores, PostgresStores]> => {
    const url = await pgServer.database();
    const a = await openPostgresStores(url);
    return [a, await openPostgresStores(url)];
  };

  it('lets exactly one of two instances claim a schedule row, each in its own open transaction', async () => {
    const [a, b] = await twoInstances();
    try {
      for (let id = 1; id <= 20; id++) await a.sla.timers.upsert(row(id));
      const results = await Promise.all(
        [a, b].flatMap((s, i) =>
          Array.from({ length: 20 }, (_, k) => s.sla.tx(async (t) => t.timers.claim({ requestId: k + 1, kind: 'escalation', level: 1 }, T0 + 2000 + i))),
        ),
      );
      // Per row, one claim of the two won.
      for (let k = 0; k < 20; k++) expect([results[k], results[20 + k]].filter(Boolean)).toHaveLength(1);
      expect(await a.sla.figures.escalationsFiredTotal()).toEqual([{ level: 1, role: 'head', n: 20 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('makes the loser of a claim wait for the winner and then find the row fired (the winner committed)', async () => {
    const [a, b] = await twoInstances();
    try {
      await a.sla.timers.upsert(row(1));
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let claimedA!: () => void;
      const aClaimed = new Promise<void>((r) => {
        claimedA = r;
      });
      const first = a.sla.tx(async (t) => {
        const won = await t.timers.claim({ requestId: 1, kind: 'escalation', level: 1 }, T0 + 2000);
        claimedA();
        await held;
        return won;
      });
      await aClaimed;
      const second = b.sla.tx((t) => t.timers.claim({ requestId: 1, kind: 'escalation', level: 1 }, T0 + 3000));
      release();
      expect(await Promise.all([first, second])).toEqual([true, false]);
      expect(await b.sla.timers.firedAt(1, 1)).toBe(T0 + 2000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('splits the due rows between two instances scanning at once (SKIP LOCKED), and a rolled-back page comes back', async () => {
    const [a, b] = await twoInstances();
    try {
      for (let id = 1; id <= 6; id++) await a.sla.timers.upsert(row(id));
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let scannedA!: () => void;
      const aScanned = new Promise<void>((r) => {
        scannedA = r;
      });
      const first = a.sla
        .tx(async (t) => {
          const rows = await t.timers.due(T0 + 5000, 4);
          scannedA();
          await held;
          if (rows.length) throw new Error(`rolled back with ${rows.length} rows`);
          return rows;
        })
        .catch((e: Error) => e.message);
      await aScanned;
      const seenByB = await b.sla.tx(async (t) => (await t.timers.due(T0 + 5000, 10)).map((r) => r.requestId));
      expect(seenByB).toEqual([5, 6]);
      release();
      expect(await first).toBe('rolled back with 4 rows');
      expect((await b.sla.timers.due(T0 + 5000, 10)).map((r) => r.requestId)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
