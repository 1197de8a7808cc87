/**
 * Outbox workers of two instances on one PostgreSQL outbox (real PostgreSQL 15 on loopback): every
 * item goes out once, whichever worker takes it; a send an instance started and never finished
 * (it died) is taken over once its lease has run out, and counted as a possible duplicate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/core/logger.js';
import { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { ManualClock } from '../helpers/tmp.js';

const reply = (text: string) => ({ text, language: 'en' as const, kind: 'answer' as const });
const LEASE_MS = 60_000;

describe.skipIf(skipPostgres)('outbox workers on PostgreSQL', () => {
  const pgServer = usePostgres();
  const open: PostgresStores[] = [];
  const workers: OutboxWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const worker = (stores: PostgresStores, clock: ManualClock, sent: OutboxItem[]) => {
    const w = new OutboxWorker({
      outbox: stores.turn.outbox,
      channel: 'x',
      transport: async (item) => {
        sent.push(item);
        // The provider answers after a round trip: the other worker runs meanwhile.
        await new Promise((r) => setImmediate(r));
        return { providerMessageId: `p-${item.id}` };
      },
      limits: { maxConcurrent: 4 },
      clock,
      logger: silentLogger,
      attemptLeaseMs: LEASE_MS,
    });
    workers.push(w);
    return w;
  };

  it('two instances drain one outbox: every item sent once', async () => {
    const url = await pgServer.database();
    const [a, b] = await Promise.all([openPostgresStores(url), openPostgresStores(url)]);
    open.push(a, b);
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    await a.turn.outbox.enqueue(
      Array.from({ length: 30 }, (_, i) => ({ channel: 'x', conversationId: `c${i}`, reply: reply(`r${i}`) })),
      clock.now(),
    );
    const sent: OutboxItem[] = [];
    await Promise.all([worker(a, clock, sent).drain(), worker(b, clock, sent).drain()]);
    expect(sent.map((i) => i.reply.text).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`).sort());
    expect(await a.turn.outbox.list('x', 'sent')).toHaveLength(30);
  });

  it('takes over, once, a send a dead instance left unfinished after its lease; not before', async () => {
    const stores = await openPostgresStores(await pgServer.database());
    open.push(stores);
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const [item] = await stores.turn.outbox.enqueue([{ channel: 'x', conversationId: 'c', reply: reply('cut') }], clock.now());
    // The dead instance took it and never finished.
    expect(await stores.turn.outbox.markAttempt(item!.id, clock.now())).toBe(true);
    clock.advance(LEASE_MS / 2);
    const sent: OutboxItem[] = [];
    const early = worker(stores, clock, sent);
    await early.drain();
    expect(sent).toEqual([]);
    await early.stop();
    clock.advance(LEASE_MS);
    const late = worker(stores, clock, sent);
    await late.drain();
    expect(sent.map((i) => i.id)).toEqual([item!.id]);
    expect(await stores.turn.outbox.get(item!.id)).toMatchObject({ state: 'sent', providerMessageId: `p-${item!.id}` });
    expect(await stores.turn.outbox.doubtCounts()).toEqual([{ channel: 'x', resent: 1, confirmed: 0 }]);
  });
});
