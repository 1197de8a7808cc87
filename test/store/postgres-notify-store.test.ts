/**
 * The notification stores on a real PostgreSQL: the contract suite, and what several instances add:
 * two outboxes delivering one backlog at once send every notification exactly once, and a row whose
 * sender died mid-send is sent again by the other instance once its lease expires.
 */
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { LEASE_MS, NotificationOutbox } from '../../bot/notify/outbox.js';
import type { SmsMessage } from '../../bot/notify/types.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { notification, notifyStoreContract } from './notify-store-contract.js';

const config = loadConfig();
/** Tuesday 10 Feb 2026, 10:00 in Muscat: staff hours. */
const NOW = new Date('2026-02-10T10:00:00+04:00');

/** An SMS sender that records what it sent and yields before answering (as a network call would). */
function countingSms(sent: SmsMessage[], hang?: () => boolean) {
  return {
    async send(m: SmsMessage) {
      await setImmediate();
      if (hang?.()) return new Promise<never>(() => undefined);
      sent.push(m);
      return { providerId: `p-${sent.length}` };
    },
  };
}

const outboxOn = (s: PostgresStores, sms: ReturnType<typeof countingSms>): NotificationOutbox =>
  new NotificationOutbox(s.sla.notices, {
    retry: config.sla.notifications.retry,
    calendar: new WorkingCalendar(config.calendar),
    staffHours: config.sla.staffHours,
    resolve: () => '+96892345678',
    logger: silentLogger,
    sms,
  });

describe.skipIf(skipPostgres)('PostgreSQL notification stores (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();

  notifyStoreContract('postgres', async () => {
    const stores = await openPostgresStores(await pgServer.database());
    return { store: stores.sla, requests: stores.requests, replies: stores.turn.outbox, close: () => stores.close() };
  });

  /** Two instances (two pools) on one fresh database. */
  const twoInstances = async (): Promise<[PostgresStores, PostgresStores]> => {
    const url = await pgServer.database();
    const a = await openPostgresStores(url);
    return [a, await openPostgresStores(url)];
  };

  it('sends each notification of a backlog exactly once when two instances deliver at the same time', async () => {
    const [a, b] = await twoInstances();
    try {
      const n = 500;
      for (let i = 0; i < n; i++)
        await a.sla.notices.enqueue(notification(`b${i}`, { window: 'any' }), NOW.getTime() - (n - i) * 1000, NOW.getTime() - n * 1000);
      const sentA: SmsMessage[] = [];
      const sentB: SmsMessage[] = [];
      const [ra, rb] = await Promise.all([outboxOn(a, countingSms(sentA)).deliver(NOW), outboxOn(b, countingSms(sentB)).deliver(NOW)]);
      expect(ra.sent + rb.sent).toBe(n);
      const tags = [...sentA, ...sentB].map((m) => m.tag);
      expect(new Set(tags).size).toBe(n);
      expect(tags).toHaveLength(n);
      expect(await a.sla.notices.counts()).toEqual([{ channel: 'sms', status: 'sent', count: n }]);
      expect((await a.sla.notices.list({ limit: 1000 })).every((r) => r.attempts === 1)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('retries on another instance a notification whose sender died mid-send, once the lease expired, and not before', async () => {
    const [a, b] = await twoInstances();
    try {
      await a.sla.notices.enqueue(notification('k', { window: 'any' }), NOW.getTime(), NOW.getTime());
      const sentA: SmsMessage[] = [];
      // Instance A takes the row and never hears back (its process died while sending).
      void outboxOn(
        a,
        countingSms(sentA, () => true),
      ).deliver(NOW);
      const leased = async (): Promise<boolean> => (await a.sla.notices.list({}))[0]!.attempts === 1;
      while (!(await leased())) await setImmediate();
      const sentB: SmsMessage[] = [];
      const other = outboxOn(b, countingSms(sentB));
      expect((await other.deliver(new Date(NOW.getTime() + LEASE_MS - 1))).sent).toBe(0);
      expect((await other.deliver(new Date(NOW.getTime() + LEASE_MS))).sent).toBe(1);
      expect(sentB.map((m) => m.tag)).toHaveLength(1);
      expect(sentA).toEqual([]);
      expect((await b.sla.notices.list({}))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
