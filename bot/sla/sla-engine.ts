/**
 * The SLA engine. It follows the request store's event log (filings, status changes, notes,
 * assignments — whoever recorded them) to keep the schedule and to tell residents; its sweep fires
 * due escalations and overdue notices exactly once (a conditional UPDATE claims the row in the same
 * transaction that stores the system notification and enqueues the e-mails/SMS, on SQLite and on
 * PostgreSQL alike: the notices go through the transaction's stores, see notices.ts), then delivers
 * the outbox (each send leased to one instance, bot/notify/outbox.ts). All state is in the SLA store (bot/store/sla-store.ts), so a restart between a deadline and the sweep loses nothing.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { StoreError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { DeliveryReport, NotificationOutbox } from '../notify/outbox.js';
import type { RequestEventFact, SlaStore, SlaStoreTx } from '../store/sla-store.js';
import type { RequestAction, RequestRecord, RequestStore } from '../store/types.js';
import type { SlaContext } from './context.js';
import type { SlaMessages } from './messages.js';
import { enqueueEscalationNotices, enqueueResidentNotices } from './notices.js';
import { type RequestFacts, SlaTimers, type TimerRow } from './timers.js';

/** What one sweep did. */
export interface SweepReport {
  at: Date;
  /** Request events processed (filings, actions). */
  events: number;
  escalations: Array<{ reference: string; level: number; role: string }>;
  overdueNotices: string[];
  delivery: DeliveryReport;
  durationMs: number;
}

/** A staff action, optionally with a message for the resident (sent with the status-change notice). */
export interface SlaAction extends RequestAction {
  residentMessage?: string;
}

/** Construction options of the SLA engine. */
export interface SlaEngineOptions {
  ctx: SlaContext;
  /** The SLA's read model of the requests and its own tables. */
  store: SlaStore;
  requests: RequestStore;
  clock: Clock;
  logger: Logger;
  /** Schedules and delivers the notices; they are written through the SLA store's transaction (`s.notices`, `s.system`). */
  outbox: NotificationOutbox;
  messages: SlaMessages;
  /** Called after each sweep (metrics). */
  onSweep?: (report: SweepReport) => void;
}

const WATERMARK = 'events_watermark';

/** Schedules, fires and reports the SLA of every request. */
export class SlaEngine {
  readonly timers: SlaTimers;
  private interval: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | undefined;
  /** The first start's adoption (see `init`); every pass waits for it, and starts it again if it failed. */
  private ready: Promise<void>;
  /** The tail of the event passes of this process (one at a time: each reads the watermark the last one wrote). */
  private eventsChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SlaEngineOptions) {
    this.timers = new SlaTimers(o.store, o.ctx);
    this.ready = this.init();
    // Awaited by every pass, which rethrows; this handler only keeps the rejection from going unhandled.
    this.ready.catch(() => undefined);
  }

  /** First start on this database: older requests join the schedule without being announced again. */
  private async init(): Promise<void> {
    if ((await this.state(WATERMARK)) !== undefined) return;
    const max = await this.o.store.requests.lastEventId();
    const adopted = await this.timers.adoptOpenRequests();
    await this.setState(WATERMARK, String(max));
    if (adopted > 0) this.o.logger.info({ adopted }, 'sla: open requests adopted into the schedule');
  }

  /** Resolves once the engine is ready (the first start's adoption done); a failed one (database down) is tried again. */
  async whenReady(): Promise<void> {
    try {
      await this.ready;
    } catch {
      this.ready = this.init();
      this.ready.catch(() => undefined);
      await this.ready;
    }
  }

  /** A value of the engine's own state table. */
  state(key: string): Promise<string | undefined> {
    return this.o.store.timers.state(key);
  }

  /** Sets a value of the engine's own state table. */
  setState(key: string, value: string): Promise<void> {
    return this.o.store.timers.setState(key, value);
  }

  /**
   * Processes request events recorded since the last call: announces, re-plans; returns how many.
   * Passes of this process run one after another; on a shared database two instances may both
   * process an event, which is harmless: planning is idempotent and the notices have dedupe keys.
   */
  processEvents(now: Date, batch = 1000): Promise<number> {
    const run = this.eventsChain.then(() => this.processEventsNow(now, batch));
    this.eventsChain = run.catch(() => undefined);
    return run;
  }

  private async processEventsNow(now: Date, batch: number): Promise<number> {
    await this.whenReady();
    let total = 0;
    for (;;) {
      const n = await this.o.store.tx(async (s) => {
        const events = await s.requests.eventsAfter(Number((await s.timers.state(WATERMARK)) ?? 0), batch);
        if (events.length === 0) return 0;
        const t = this.timers.in(s);
        const touched = new Set<number>();
        for (const e of events) {
          touched.add(e.requestId);
          if (e.type === 'status' && e.status) await this.onStatus(s, t, e, now);
        }
        for (const id of touched) {
          const f = await t.facts(id);
          if (f) await t.plan(f);
        }
        await s.timers.setState(WATERMARK, String(events[events.length - 1]!.id));
        return events.length;
      });
      if (n === 0) return total;
      total += n;
    }
  }

  private async onStatus(s: SlaStoreTx, t: SlaTimers, e: RequestEventFact, now: Date): Promise<void> {
    const f = await t.facts(e.requestId);
    if (!f) return;
    const { resident } = this.o.ctx.config.sla;
    if (e.status === 'filed') {
      const n = { purpose: 'accepted', key: `accepted:${f.id}`, msg: this.o.messages.accepted(f), channels: resident.onFiled, window: 'any' } as const;
      await enqueueResidentNotices(this.o.outbox, s, f, n, now);
      return;
    }
    const prev = await s.requests.previousStatus(e.requestId, e.id);
    if (prev === e.status) return;
    const message = await s.timers.residentMessage(e.requestId, e.at);
    const msg = this.o.messages.statusChanged(f, e.status!, message);
    await enqueueResidentNotices(this.o.outbox, s, f, { purpose: 'status', key: `status:${e.id}`, msg, channels: resident.onStatusChange, window: 'any' }, now);
  }

  /**
   * Fires every escalation and overdue notice due at `now`, if `now` is within staff hours: pages of
   * `sweep.batchSize` rows by an index range on the schedule, read and claimed in one transaction
   * each (on PostgreSQL the page is locked, SKIP LOCKED, so instances share the work), yielding the
   * event loop between pages.
   */
  async fireDue(now: Date): Promise<Pick<SweepReport, 'escalations' | 'overdueNotices'>> {
    const out: Pick<SweepReport, 'escalations' | 'overdueNotices'> = { escalations: [], overdueNotices: [] };
    if (!this.o.ctx.calendar.isOpen(this.o.ctx.staffHours, now)) return out;
    await this.whenReady();
    const t = now.getTime();
    for (let guard = 0; guard < 100_000; guard++) {
      const n = await this.o.store.tx(async (s) => {
        const timers = this.timers.in(s);
        const rows = await timers.due(t, this.o.ctx.config.sla.sweep.batchSize);
        for (const r of rows) {
          const f = await timers.facts(r.requestId);
          if (!f) await timers.cancel(r.requestId);
          else if (r.kind === 'escalation') await this.fireEscalation(s, timers, r, f, now, out);
          else await this.fireOverdue(s, timers, r, f, now, out);
        }
        return rows.length;
      });
      if (n === 0) break;
      await setImmediate();
    }
    return out;
  }

  private async fireEscalation(s: SlaStoreTx, t: SlaTimers, r: TimerRow, f: RequestFacts, now: Date, out: Pick<SweepReport, 'escalations'>): Promise<void> {
    const level = this.o.ctx.services.get(f.serviceId)?.escalation[r.level - 1];
    // Stale row (an action we had not seen, a changed ladder, a closed request): re-plan instead of firing.
    if (!level || level.role !== r.role || (await t.expectedBase(f, r.level)) !== r.baseAt || f.status === 'closed' || f.status === 'rejected') {
      await t.plan(f);
      return;
    }
    if (!(await t.claim(r, now.getTime()))) return;
    const msg = this.o.messages.escalation(f, r.level, level.role, new Date(r.baseAt), level.afterWorkingDays);
    await enqueueEscalationNotices(this.o.outbox, s, f, { level: r.level, config: level, language: this.o.ctx.config.sla.staffLanguage }, msg, now);
    await t.plan(f);
    out.escalations.push({ reference: f.reference, level: r.level, role: level.role });
    this.o.logger.info({ reference: f.reference, level: r.level, role: level.role }, 'sla: escalated');
  }

  private async fireOverdue(s: SlaStoreTx, t: SlaTimers, r: TimerRow, f: RequestFacts, now: Date, out: Pick<SweepReport, 'overdueNotices'>): Promise<void> {
    if (r.dueAt !== f.dueAt || f.status === 'closed' || f.status === 'rejected') {
      await t.plan(f);
      return;
    }
    if (!(await t.claim(r, now.getTime()))) return;
    const rows = (await t.rows(f.id)).filter((x) => x.kind === 'escalation');
    const fired = rows.filter((x) => x.firedAt !== null).pop();
    const next = rows.find((x) => x.firedAt === null);
    const residentMessage = await s.timers.latestResidentMessage(f.id);
    const msg = this.o.messages.overdue(f, {
      ...(fired?.role ? { escalatedTo: fired.role } : {}),
      ...(next?.role ? { nextRole: next.role, nextAt: new Date(next.fireAt) } : {}),
      ...(residentMessage ? { residentMessage } : {}),
    });
    const channels = this.o.ctx.config.sla.resident.onOverdue;
    await enqueueResidentNotices(this.o.outbox, s, f, { purpose: 'overdue', key: `overdue:${f.id}`, msg, channels, window: 'staff' }, now);
    out.overdueNotices.push(f.reference);
    this.o.logger.info({ reference: f.reference }, 'sla: deadline missed, resident told');
  }

  /** One pass: events, due escalations and notices, then delivery of the outbox. */
  async sweep(at?: Date): Promise<SweepReport> {
    while (this.running) await this.running.catch(() => undefined);
    // Read the clock after waiting: a pass judged at a stale instant could send outside office hours.
    const now = at ?? this.o.clock.now();
    const run = (async (): Promise<SweepReport> => {
      const t0 = performance.now();
      const events = await this.processEvents(now);
      const fired = await this.fireDue(now);
      const delivery = await this.o.outbox.deliver(now);
      const report: SweepReport = { at: now, events, ...fired, delivery, durationMs: performance.now() - t0 };
      this.o.onSweep?.(report);
      return report;
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  /** Records a staff action (status change, note, assignment): stops the escalation clock and tells the resident. */
  async recordAction(reference: string, action: SlaAction): Promise<RequestRecord> {
    const { residentMessage, ...act } = action;
    const f = await this.timers.factsByReference(reference);
    if (!f) throw new StoreError(`unknown request ${reference}`);
    if (residentMessage) {
      await this.o.store.timers.saveResidentMessage(f.id, act.at.getTime(), residentMessage);
    }
    const rec = await this.o.requests.act(reference, act);
    await this.processEvents(act.at);
    return rec;
  }

  /** Runs the sweep every `sla.sweep.intervalSeconds` (production). */
  start(): void {
    if (this.interval) return;
    const tick = (): void => {
      if (this.running) return; // a slow pass (SMTP down) must not pile up queued passes
      this.sweep().catch((err: unknown) => this.o.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'sla: sweep failed'));
    };
    this.interval = setInterval(tick, this.o.ctx.config.sla.sweep.intervalSeconds * 1000);
    this.interval.unref();
    tick();
  }

  /** Stops the periodic sweep and waits for a running one and for the event passes under way. */
  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    await this.running?.catch(() => undefined);
    await this.eventsChain;
  }
}
