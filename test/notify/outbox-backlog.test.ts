/**
 * A large notification backlog: the delivery pass reads pages by an index range (no sort of every
 * pending row), yields the event loop between pages, and still sends every notification exactly once.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { NotificationOutbox } from '../../bot/notify/outbox.js';
import type { SmsMessage } from '../../bot/notify/types.js';
import { DUE_PAGE, SqliteNotifyStore } from '../../bot/store/sqlite/notify-outbox.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

const config = loadConfig();
const NOW = new Date('2026-02-01T09:00:00+04:00'); // Sunday, official hours

let t: ReturnType<typeof tempDir>;
let sql: SqliteDatabase;
beforeEach(() => {
  t = tempDir();
  sql = migratedSqlite(join(t.dir, 'n.sqlite'));
});
afterEach(() => {
  sql.close();
  t.cleanup();
});

/** A transport that accepts at once (a settled promise: no I/O of its own to yield on). */
function sink() {
  const sent: SmsMessage[] = [];
  return {
    sent,
    async send(m: SmsMessage) {
      sent.push(m);
      return {};
    },
  };
}

function outbox(sms?: ReturnType<typeof sink>) {
  return new NotificationOutbox(new SqliteNotifyStore(sql), {
    retry: { maxAttempts: 4, baseDelaySeconds: 60, maxDelaySeconds: 600 },
    calendar: new WorkingCalendar(config.calendar),
    staffHours: 'official',
    resolve: () => '+96892345678',
    logger: silentLogger,
    ...(sms ? { sms } : {}),
  });
}

/** Enqueues `n` SMS notifications due over the last `n` seconds (several share each instant). */
async function backlog(o: NotificationOutbox, n: number): Promise<void> {
  await sql.txAsync(async () => {
    for (let i = 0; i < n; i++) {
      await o.enqueue(
        { dedupeKey: `b${i}`, channel: 'sms', recipient: { kind: 'role', id: 'r' }, language: 'ar', purpose: 'escalation', body: `n${i}`, window: 'any' },
        new Date(NOW.getTime() - (n - i) * 250 - (i % 3) * 1000),
      );
    }
  });
}

describe('notification outbox under a backlog', () => {
  it('reads a page by an index range on the partial index (state, next_attempt_at, id) of the notification rows of the outbox, without sorting', async () => {
    const o = outbox();
    await backlog(o, 2000);
    const plan = (sql.db.prepare(`EXPLAIN QUERY PLAN ${DUE_PAGE}`).all(NOW.getTime(), 0, 0, 200) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/SEARCH outbox USING INDEX notifications_pending \(state=\? AND next_attempt_at>\? AND next_attempt_at<\?\)/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('sends every notification of the backlog exactly once, in due order, across pages and passes', async () => {
    const sms = sink();
    const o = outbox(sms);
    await backlog(o, 3000);
    const first = await o.deliver(NOW, 1300);
    expect(first.sent).toBe(1300);
    const second = await o.deliver(NOW);
    expect(second.sent).toBe(1700);
    const bodies = sms.sent.map((m) => m.text);
    expect(new Set(bodies).size).toBe(3000);
    const due = sql.db.prepare("SELECT json_extract(reply, '$.text') FROM outbox WHERE recipient_kind IS NOT NULL ORDER BY created_at, id").pluck().all();
    expect(bodies).toEqual(due);
    expect(await o.counts()).toEqual([{ channel: 'sms', status: 'sent', count: 3000 }]);
  });

  it('lets other work run between pages', async () => {
    const sms = sink();
    const o = outbox(sms);
    await backlog(o, 1000);
    let turns = 0;
    let on = true;
    const spin = (): void => {
      turns++;
      if (on) setImmediate(spin);
    };
    setImmediate(spin);
    const pass = o.deliver(NOW);
    const turnsAtStart = turns;
    await pass;
    on = false;
    expect(sms.sent).toHaveLength(1000);
    expect(turnsAtStart).toBe(0);
    expect(turns).toBeGreaterThanOrEqual(4); // 1,000 rows are 5 pages of 200: a turn after each
  });

  it('defers a backlog without a transport page by page, each row once per pass, without spending attempts', async () => {
    const o = outbox();
    await backlog(o, 900);
    expect(await o.deliver(NOW, 500)).toMatchObject({ deferred: 500, sent: 0 });
    expect(await o.deliver(NOW, 500)).toMatchObject({ deferred: 400 });
    expect(await o.deliver(NOW, 500)).toMatchObject({ deferred: 0 });
    const rows = sql.db
      .prepare('SELECT state AS status, attempts, next_attempt_at AS next, last_error AS e FROM outbox WHERE recipient_kind IS NOT NULL')
      .all() as Array<{
      status: string;
      attempts: number;
      next: number;
      e: string;
    }>;
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0 && r.next === NOW.getTime() + 600_000 && r.e === 'sms transport not configured')).toBe(
      true,
    );
  });
});
