/**
 * Drains a backlog of N due SMS notifications through the notification outbox (the one outbox engine)
 * on SQLite and prints the time, the rate and the longest event-loop gap:
 *   npx tsx test/bench/notify-drain.ts [N=20000]
 */
import { join } from 'node:path';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { NotificationOutbox } from '../../bot/notify/outbox.js';
import { SqliteNotifyStore } from '../../bot/store/sqlite/notify-outbox.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

const N = Number(process.argv[2] ?? 20000);
const config = loadConfig();
const NOW = new Date('2026-02-01T09:00:00+04:00');
const t = tempDir();
const sql = migratedSqlite(join(t.dir, 'n.sqlite'));
const o = new NotificationOutbox(new SqliteNotifyStore(sql), {
  retry: { maxAttempts: 4, baseDelaySeconds: 60, maxDelaySeconds: 600 },
  calendar: new WorkingCalendar(config.calendar),
  staffHours: 'official',
  resolve: () => '+96892345678',
  logger: silentLogger,
  sms: { send: async () => ({}) },
});
await sql.txAsync(async () => {
  for (let i = 0; i < N; i++)
    await o.enqueue(
      { dedupeKey: `b${i}`, channel: 'sms', recipient: { kind: 'role', id: 'r' }, language: 'ar', purpose: 'escalation', body: `n${i}`, window: 'any' },
      new Date(NOW.getTime() - (N - i) * 10),
    );
});
const t0 = performance.now();
let maxGap = 0;
let last = performance.now();
let on = true;
const tick = (): void => {
  const n = performance.now();
  maxGap = Math.max(maxGap, n - last);
  last = n;
  if (on) setImmediate(tick);
};
setImmediate(tick);
const r = await o.deliver(NOW, N);
on = false;
const ms = performance.now() - t0;
console.log(JSON.stringify({ n: N, sent: r.sent, ms: Math.round(ms), perSec: Math.round((r.sent / ms) * 1000), maxLoopGapMs: Math.round(maxGap * 10) / 10 }));
sql.close();
t.cleanup();
