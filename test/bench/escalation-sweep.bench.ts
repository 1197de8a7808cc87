/**
 * The escalation sweep over 1,000,000 stored open requests (seeded here, straight into the tables):
 * the sweep finds the due ones by an indexed range on the schedule instead of reading every request.
 * Prints the indexed look-up and the full sweep against full scans of the same data.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { attachSla } from '../../bot/sla/attach.js';
import { escalationDeadline, resolutionDue } from '../../bot/sla/policy.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const TOTAL = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const DUE = 1_000;
const NOW = new Date('2026-02-16T09:00:00+04:00'); // a Monday, in official hours
const ms = (t0: number): number => performance.now() - t0;
const fmt = (x: number): string => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const t = tempDir('tawasul-bench-');
  const config = loadConfig({ patch: { roles: [{ id: 'training-manager', email: 'tm@bur.gov.om', phone: '+96824001000' }] } });
  const calendar = new WorkingCalendar(config.calendar);
  const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
  const store = new SqliteRequestStore(sql);
  const sent = { n: 0 };
  const sink = {
    async send() {
      sent.n++;
      return {};
    },
  };
  const sla = attachSla({
    config,
    sql,
    requests: store,
    calendar,
    clock: new ManualClock(NOW),
    logger: silentLogger,
    env: {},
    agentTokens: new Map(),
    transports: { email: sink, sms: sink },
  });
  try {
    // Seed: most requests filed in the last working days (nothing due yet); DUE of them filed on Sunday 1 Feb (due now).
    const t0 = performance.now();
    // Bulk load: no journal while seeding (a benchmark database), WAL again for the measurements.
    sql.db.pragma('journal_mode = OFF');
    sql.db.pragma('synchronous = OFF');
    sql.db.pragma('cache_size = -524288');
    const localDates = new Map<number, string>();
    const localDate = (t: number): string => {
      const hour = Math.floor(t / 3_600_000);
      let d = localDates.get(hour);
      if (!d) {
        d = calendar.localDate(new Date(hour * 3_600_000));
        localDates.set(hour, d);
      }
      return d;
    };
    const services = config.services;
    const cache = new Map<string, { due: number; l1: { dueAt: number; fireAt: number }; overdueFire: number }>();
    const plan = (serviceIdx: number, filedAt: Date) => {
      const s = services[serviceIdx]!;
      const key = `${s.id}@${localDate(filedAt.getTime())}`;
      let p = cache.get(key);
      if (!p) {
        const due = resolutionDue(calendar, s, config, filedAt);
        const l1 = escalationDeadline(calendar, config.sla.staffHours, filedAt, s.escalation[0]!);
        p = {
          due: due.getTime(),
          l1: { dueAt: l1.dueAt.getTime(), fireAt: l1.fireAt.getTime() },
          overdueFire: calendar.nextOpening(config.sla.staffHours, due).getTime(),
        };
        cache.set(key, p);
      }
      return p;
    };
    const insReq = sql.db.prepare(`INSERT INTO requests (id, reference, service_id, department, status, applicant_name, civil_id, phone, email, description,
      attachments, language, channel, conversation_key, filed_at, due_at, last_action_at, updated_at)
      VALUES (?, ?, ?, ?, 'filed', 'x', '00000000', '90000000', NULL, 'bench', '[]', 'ar', 'webchat', 'webchat:bench', ?, ?, ?, ?)`);
    const insTimer = sql.db.prepare(
      `INSERT INTO sla_timers (request_id, kind, level, reference, role, base_at, due_at, fire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const recentFrom = new Date('2026-02-09T08:00:00+04:00').getTime();
    const recentSpan = new Date('2026-02-16T08:00:00+04:00').getTime() - recentFrom;
    const training = services.findIndex((s) => s.id === 'training');
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    sql.tx(() => {
      for (let i = 1; i <= TOTAL; i++) {
        const dueNow = i % Math.floor(TOTAL / DUE) === 0;
        const sIdx = dueNow ? training : Math.floor(rnd() * services.length);
        const filedAt = dueNow ? new Date('2026-02-01T09:00:00+04:00') : new Date(recentFrom + Math.floor(rnd() * recentSpan));
        // Recent filings on a weekend day count from the next working day: still nothing due now.
        const p = plan(sIdx, filedAt);
        const f = filedAt.getTime();
        const ref = `BUR-2026-${String(i).padStart(7, '0')}`;
        const s = services[sIdx]!;
        insReq.run(i, ref, s.id, s.department, f, p.due, f, f);
        insTimer.run(i, 'escalation', 1, ref, s.escalation[0]!.role, f, p.l1.dueAt, p.l1.fireAt);
        insTimer.run(i, 'overdue', 0, ref, null, f, p.due, p.overdueFire);
      }
    });
    sql.db.pragma('journal_mode = WAL');
    sql.db.pragma('synchronous = NORMAL');
    sql.db.pragma('cache_size = -2000');
    sql.db.exec('ANALYZE');
    const seedMs = ms(t0);
    const now = NOW.getTime();

    const INDEXED = 'SELECT COUNT(*) FROM sla_timers WHERE fired_at IS NULL AND fire_at <= ?';
    // The same question without the schedule's index: every row of the table is read.
    const SCAN = 'SELECT COUNT(*) FROM sla_timers WHERE coalesce(fired_at, 0) = 0 AND fire_at + 0 <= ?';
    const plan1 = (sql.db.prepare(`EXPLAIN QUERY PLAN ${INDEXED}`).all(now) as Array<{ detail: string }>).map((p) => p.detail).join('; ');
    const plan2 = (sql.db.prepare(`EXPLAIN QUERY PLAN ${SCAN}`).all(now) as Array<{ detail: string }>).map((p) => p.detail).join('; ');

    // 1. Finding the due rows: the sweep's indexed range vs a full scan of the schedule vs reading every open request.
    const indexed = sql.db.prepare(INDEXED).pluck();
    indexed.get(now);
    let t1 = performance.now();
    let found = 0;
    for (let r = 0; r < 20; r++) found = indexed.get(now) as number;
    const indexedMs = ms(t1) / 20;
    t1 = performance.now();
    const scanned = sql.db.prepare(SCAN).pluck().get(now) as number;
    const scanMs = ms(t1);
    t1 = performance.now();
    let naive = 0;
    const byService = new Map(services.map((s, i) => [s.id, i]));
    for (const r of sql.db
      .prepare(`SELECT service_id AS s, last_action_at AS a FROM requests WHERE status IN ('filed','in_progress','on_hold')`)
      .iterate() as IterableIterator<{ s: string; a: number }>) {
      if (plan(byService.get(r.s)!, new Date(r.a)).l1.fireAt <= now) naive++;
    }
    const readAllMs = ms(t1);

    // 2. The real sweep: claim, system notifications, outbox, next level; then delivery.
    t1 = performance.now();
    const fired = await sla.engine.fireDue(NOW);
    const fireMs = ms(t1);
    t1 = performance.now();
    const delivery = await sla.engine.sweep(NOW);
    const deliverMs = ms(t1);
    t1 = performance.now();
    const idle = await sla.engine.sweep(new Date(now + 60_000));
    const idleMs = ms(t1);

    const line = (label: string, value: string): void => {
      process.stdout.write(`  ${label.padEnd(52)} ${value}\n`);
    };
    process.stdout.write(`escalation sweep over ${TOTAL.toLocaleString('en')} open requests (${DUE} due)\n`);
    line('seeded requests + schedule rows', `${fmt(seedMs)} (${(TOTAL * 3).toLocaleString('en')} rows)`);
    line('query plan of the sweep', plan1);
    line('query plan of the full scan', plan2);
    line('find due rows: indexed range (sweep)', `${fmt(indexedMs)} → ${found} rows`);
    line('find due rows: full scan of the schedule', `${fmt(scanMs)} → ${scanned} rows`);
    line('find due rows: read every open request + compute', `${fmt(readAllMs)} → ${naive} escalations`);
    line(
      'speed-up of the indexed sweep vs full scan',
      `×${(scanMs / indexedMs).toFixed(0)} (schedule scan), ×${(readAllMs / indexedMs).toFixed(0)} (read all requests)`,
    );
    line(
      'sweep: fire due (claim + notify + next level)',
      `${fmt(fireMs)} → ${fired.escalations.length} escalations, ${fired.overdueNotices.length} overdue notices`,
    );
    line('sweep: deliver the outbox (in-memory transports)', `${fmt(deliverMs)} → ${delivery.delivery.sent} sent`);
    line('sweep with nothing due (steady state)', fmt(idleMs));
    if (fired.escalations.length !== DUE || idle.escalations.length !== 0) throw new Error('bench: wrong number of escalations');
  } finally {
    await sla.stop();
    sql.close();
    t.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
