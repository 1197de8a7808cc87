/** Delivery metrics read from the outbox at scrape time (they survive the crashes they count). */
import { Counter, type Registry } from 'prom-client';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { Outbox } from './outbox.js';
import type { Awaitable } from './types.js';

/** Where the in-doubt figures are read: the channel outbox on either database (`Outbox`, `PostgresOutbox`). */
export interface InDoubtCounts {
  /** Per channel, sends a crash interrupted that went out again (resent) or the provider confirmed. */
  doubtCounts(): Awaitable<Array<{ channel: string; resent: number; confirmed: number }>>;
}

/** Registers `tawasul_outbox_in_doubt_sends_total{channel,outcome}`: sends a crash interrupted, resent or confirmed. */
export function registerDeliveryMetrics(registry: Registry, source: SqliteDatabase | InDoubtCounts): void {
  const outbox = 'doubtCounts' in source ? source : new Outbox(source);
  new Counter({
    name: 'tawasul_outbox_in_doubt_sends_total',
    help: 'Replies whose send was interrupted by a crash: outcome=resent went out once more (a possible duplicate), outcome=confirmed was confirmed by the provider and not resent',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
    async collect() {
      const rows = await outbox.doubtCounts();
      this.reset();
      for (const r of rows) {
        if (r.resent > 0) this.inc({ channel: r.channel, outcome: 'resent' }, r.resent);
        if (r.confirmed > 0) this.inc({ channel: r.channel, outcome: 'confirmed' }, r.confirmed);
      }
    },
  });
}
