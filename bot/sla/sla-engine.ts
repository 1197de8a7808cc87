/**
 * The SLA engine. It follows the request store's event log (filings, status changes, notes,
 * assignments — whoever recorded them) to keep the schedule and to tell residents; its sweep fires
 * due escalations and overdue notices exactly once (a conditional UPDATE claims the row in the same
 * transaction that stores the system notification and enqueues the e-mails/SMS), then delivers the
 * outbox. All state is in the SLA store (bot/store/sla-store.ts), so a restart between a deadline and the sweep loses nothing.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { StoreError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { DeliveryReport, NotificationOutbox } from '../notify/outbox.js';
import type { SystemNotifications } from '../notify/system.js';
import type { RenderedMessage } from '../notify/templates.js';
import type { NotifyChannel } from '../notify/types.js';
import type { RequestEventFact, SlaStore } from '../store/sla-store.js';
import type { RequestAction, RequestRecord, RequestStore } from '../store/types.js';
import type { SlaContext } from './context.js';
import type { SlaMessages } from './messages.js';
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
  outbox: NotificationOutbox;
  system: SystemNotifications;
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

  constructor(private readonly o: SlaEngineOptions) {
    this.timers = new SlaTimers(o.store, o.ctx);
    if (this.state(WATERMARK) === undefined) {
      // First start on this database: older requests join the schedule without being announced again.
      const max = o.store.requests.lastEventId();
      const adopted = this.timers.adoptOpenRequests();
      this.setState(WATERMARK, String(max));
      if (adopted > 0) o.logger.info({ adopted }, 'sla: open requests adopted into the schedule');
    }
  }

  /** A value of the engine's own state table. */
  state(key: string): string | undefined {
    return this.o.store.timers.state(key);
  }

  /** Sets a value of the engine's own state table. */
  setState(key: string, value: string): void {
    this.o.store.timers.setState(key, value);
  }

  /** Processes request events recorded since the last call: announces, re-plans; returns how many. */
  processEvents(now: Date, batch = 1000): number {
    let total = 0;
    for (;;) {
      const events = this.o.store.requests.eventsAfter(Number(this.state(WATERMARK) ?? 0), batch);
      if (events.length === 0) return total;
      this.o.store.tx(() => {
        const touched = new Set<number>();
        for (const e of events) {
          touched.add(e.requestId);
          if (e.type === 'status' && e.status) this.onStatus(e, now);
        }
        for (const id of touched) {
          const f = this.timers.facts(id);
          if (f) this.timers.plan(f);
        }
        this.setState(WATERMARK, String(events[events.length - 1]!.id));
      });
      total += events.length;
    }
  }

  private onStatus(e: RequestEventFact, now: Date): void {
    const f = this.timers.facts(e.requestId);
    if (!f) return;
    const { resident } = this.o.ctx.config.sla;
    if (e.status === 'filed') {
      this.notifyResident(f, 'accepted', `accepted:${f.id}`, this.o.messages.accepted(f), resident.onFiled, 'any', now);
      return;
    }
    const prev = this.o.store.requests.previousStatus(e.requestId, e.id);
    if (prev === e.status) return;
    const message = this.o.store.timers.residentMessage(e.requestId, e.at);
    this.notifyResident(f, 'status', `status:${e.id}`, this.o.messages.statusChanged(f, e.status!, message), resident.onStatusChange, 'any', now);
  }

  private notifyResident(
    f: RequestFacts,
    purpose: 'accepted' | 'status' | 'overdue',
    key: string,
    msg: RenderedMessage,
    channels: NotifyChannel[],
    window: 'any' | 'staff',
    now: Date,
  ): void {
    for (const channel of channels) {
      if (channel === 'email' && !f.hasEmail) continue;
      this.o.outbox.enqueue(
        {
          dedupeKey: `${key}:${channel}`,
          channel,
          recipient: { kind: 'applicant', id: String(f.id) },
          language: f.language,
          purpose,
          requestId: f.id,
          reference: f.reference,
          subject: msg.subject,
          body: channel === 'email' ? msg.text : msg.sms,
          window,
        },
        now,
      );
    }
  }

  /**
   * Fires every escalation and overdue notice due at `now`, if `now` is within staff hours: pages of
   * `sweep.batchSize` rows by an index range on the schedule, one transaction each, yielding the event
   * loop between pages.
   */
  async fireDue(now: Date): Promise<Pick<SweepReport, 'escalations' | 'overdueNotices'>> {
    const out: Pick<SweepReport, 'escalations' | 'overdueNotices'> = { escalations: [], overdueNotices: [] };
    if (!this.o.ctx.calendar.isOpen(this.o.ctx.staffHours, now)) return out;
    const t = now.getTime();
    for (let guard = 0; guard < 100_000; guard++) {
      const rows = this.timers.due(t, this.o.ctx.config.sla.sweep.batchSize);
      if (rows.length === 0) break;
      this.o.store.tx(() => {
        for (const r of rows) {
          const f = this.timers.facts(r.requestId);
          if (!f) this.timers.cancel(r.requestId);
          else if (r.kind === 'escalation') this.fireEscalation(r, f, now, out);
          else this.fireOverdue(r, f, now, out);
        }
      });
      await setImmediate();
    }
    return out;
  }

  private fireEscalation(r: TimerRow, f: RequestFacts, now: Date, out: Pick<SweepReport, 'escalations'>): void {
    const level = this.o.ctx.services.get(f.serviceId)?.escalation[r.level - 1];
    // Stale row (an action we had not seen, a changed ladder, a closed request): re-plan instead of firing.
    if (!level || level.role !== r.role || this.timers.expectedBase(f, r.level) !== r.baseAt || f.status === 'closed' || f.status === 'rejected') {
      this.timers.plan(f);
      return;
    }
    if (!this.timers.claim(r, now.getTime())) return;
    const msg = this.o.messages.escalation(f, r.level, level.role, new Date(r.baseAt), level.afterWorkingDays);
    if (level.via.includes('system')) {
      this.o.system.add(
        { role: level.role, kind: 'escalation', level: r.level, requestId: f.id, reference: f.reference, title: msg.subject, body: msg.text },
        now,
      );
    }
    for (const channel of level.via) {
      if (channel === 'system') continue;
      this.o.outbox.enqueue(
        {
          dedupeKey: `escalation:${f.id}:${r.level}:${channel}`,
          channel,
          recipient: { kind: 'role', id: level.role },
          language: this.o.ctx.config.sla.staffLanguage,
          purpose: 'escalation',
          requestId: f.id,
          reference: f.reference,
          subject: msg.subject,
          body: channel === 'email' ? msg.text : msg.sms,
          window: 'staff',
        },
        now,
      );
    }
    this.timers.plan(f);
    out.escalations.push({ reference: f.reference, level: r.level, role: level.role });
    this.o.logger.info({ reference: f.reference, level: r.level, role: level.role }, 'sla: escalated');
  }

  private fireOverdue(r: TimerRow, f: RequestFacts, now: Date, out: Pick<SweepReport, 'overdueNotices'>): void {
    if (r.dueAt !== f.dueAt || f.status === 'closed' || f.status === 'rejected') {
      this.timers.plan(f);
      return;
    }
    if (!this.timers.claim(r, now.getTime())) return;
    const rows = this.timers.rows(f.id).filter((x) => x.kind === 'escalation');
    const fired = rows.filter((x) => x.firedAt !== null).pop();
    const next = rows.find((x) => x.firedAt === null);
    const residentMessage = this.o.store.timers.latestResidentMessage(f.id);
    const msg = this.o.messages.overdue(f, {
      ...(fired?.role ? { escalatedTo: fired.role } : {}),
      ...(next?.role ? { nextRole: next.role, nextAt: new Date(next.fireAt) } : {}),
      ...(residentMessage ? { residentMessage } : {}),
    });
    this.notifyResident(f, 'overdue', `overdue:${f.id}`, msg, this.o.ctx.config.sla.resident.onOverdue, 'staff', now);
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
      const events = this.processEvents(now);
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
    const f = this.timers.factsByReference(reference);
    if (!f) throw new StoreError(`unknown request ${reference}`);
    if (residentMessage) {
      this.o.store.timers.saveResidentMessage(f.id, act.at.getTime(), residentMessage);
    }
    const rec = await this.o.requests.act(reference, act);
    this.processEvents(act.at);
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

  /** Stops the periodic sweep and waits for a running one. */
  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    await this.running?.catch(() => undefined);
  }
}
