/**
 * The SLA schedule in SQL (table `sla_timers`): per open request, the next escalation level and the
 * overdue notice, each with its deadline (`due_at`) and the instant it is acted upon (`fire_at`, the
 * next staff-hours opening). Unfired rows are found by an indexed range on `fire_at`, so a sweep reads
 * only what is due, never every open request. Fired rows stay as the record (exactly once per level).
 *
 * Ladder rule: level 1 is due `afterWorkingDays` working days after the filing or the last staff action;
 * level k+1 is due its own period after level k fired or after the last action, whichever is later.
 */
import type { RequestFacts, SlaStore, TimerKey, TimerRow } from '../store/sla-store.js';
import { FINAL_STATUSES } from '../store/types.js';
import type { SlaContext } from './context.js';
import { escalationDeadline } from './policy.js';

export type { RequestFacts, TimerRow } from '../store/sla-store.js';

/** Plans and reads the schedule through the SLA store; every method is synchronous (usable inside `store.tx`). */
export class SlaTimers {
  constructor(
    private readonly store: SlaStore,
    private readonly ctx: SlaContext,
  ) {}

  /** The facts of one request. */
  facts(requestId: number): RequestFacts | undefined {
    return this.store.requests.facts(requestId);
  }

  /** The facts of a request by its reference. */
  factsByReference(reference: string): RequestFacts | undefined {
    return this.store.requests.factsByReference(reference);
  }

  /** All rows (fired and pending) of a request, in level order. */
  rows(requestId: number): TimerRow[] {
    return this.store.timers.rows(requestId);
  }

  /** Unfired rows due at `now`, earliest first (indexed range on fire_at). */
  due(now: number, limit: number): TimerRow[] {
    return this.store.timers.due(now, limit);
  }

  /** The clock start that the next escalation level of a request must have now. */
  expectedBase(f: RequestFacts, level: number): number {
    if (level <= 1) return Math.max(f.lastActionAt, f.filedAt);
    const prev = this.store.timers.firedAt(f.id, level - 1);
    return Math.max(f.lastActionAt, prev ?? f.filedAt);
  }

  /** (Re)writes the pending rows of a request from its current facts; removes them once it is closed. */
  plan(f: RequestFacts): void {
    if (FINAL_STATUSES.has(f.status)) {
      this.cancel(f.id);
      return;
    }
    const { calendar, staffHours } = this.ctx;
    const service = this.ctx.services.get(f.serviceId);
    const next = (this.store.timers.lastFiredLevel(f.id) ?? 0) + 1;
    const level = service?.escalation[next - 1];
    this.store.timers.dropPendingEscalations(f.id, level ? next : undefined);
    if (level) {
      const base = this.expectedBase(f, next);
      const d = escalationDeadline(calendar, staffHours, new Date(base), level);
      this.store.timers.upsert({
        requestId: f.id,
        kind: 'escalation',
        level: next,
        reference: f.reference,
        role: level.role,
        baseAt: base,
        dueAt: d.dueAt.getTime(),
        fireAt: d.fireAt.getTime(),
      });
    }
    const fireAt = calendar.nextOpening(staffHours, new Date(f.dueAt)).getTime();
    this.store.timers.upsert({ requestId: f.id, kind: 'overdue', level: 0, reference: f.reference, role: null, baseAt: f.filedAt, dueAt: f.dueAt, fireAt });
  }

  /** Removes the pending rows of a request (closed or rejected). */
  cancel(requestId: number): void {
    this.store.timers.cancel(requestId);
  }

  /** Marks a row fired; true only for the one caller that claimed it (exactly once). */
  claim(row: TimerKey, now: number): boolean {
    return this.store.timers.claim(row, now);
  }

  /** Plans every open request not yet in the schedule (first start on an existing database). */
  adoptOpenRequests(batch = 5000): number {
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = this.store.requests.openFacts(after, batch);
      if (rows.length === 0) return count;
      this.store.tx(() => {
        for (const f of rows) this.plan(f);
      });
      count += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }
}
