/** Delivery metrics read from the outbox at scrape time (they survive the crashes they count). */
import { Counter, type Registry } from 'prom-client';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { Outbox } from './outbox.js';

/** Registers `tawasul_outbox_in_doubt_sends_total{channel,outcome}`: sends a crash interrupted, resent or confirmed. */
export function registerDeliveryMetrics(registry: Registry, sql: SqliteDatabase): void {
  const outbox = new Outbox(sql);
  new Counter({
    name: 'tawasul_outbox_in_doubt_sends_total',
    help: 'Replies whose send was interrupted by a crash: outcome=resent went out once more (a possible duplicate), outcome=confirmed was confirmed by the provider and not resent',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of outbox.doubtCounts()) {
        if (r.resent > 0) this.inc({ channel: r.channel, outcome: 'resent' }, r.resent);
        if (r.confirmed > 0) this.inc({ channel: r.channel, outcome: 'confirmed' }, r.confirmed);
      }
    },
  });
}
