/**
 * The SLA schedule in SQL (table `sla_timers`): per open request, the next escalation level and the
 * overdue notice, each with its deadline (`due_at`) and the instant it is acted upon (`fire_at`, the
 * next staff-hours opening). Unfired rows are found by an indexed range on `fire_at`, so a sweep reads
 * only what is due, never every open request. Fired rows stay as the record (exactly once per level).
 *
 * Ladder rule: level 1 is due `afterWorkingDays` working days after the filing or the last staff action;
 * level k+1 is due its own period after level k fired or after the last action, whichever is later.
 */
import type { RequestFacts, SlaStore, SlaStoreTx, TimerKey, TimerRow } from '../store/sla-store.js';
import { FINAL_STATUSES } from '../store/types.js';
import type { SlaContext } from './context.js';
import { escalationDeadline } from './policy.js';

export type { RequestFacts, TimerRow } from '../store/sla-store.js';

/** A schedule row as the staff APIs show it (ISO instants). */
export function timerJson(t: TimerRow): Record<string, unknown> {
  return {
    kind: t.kind,
    level: t.level,
    role: t.role,
    dueAt: new Date(t.dueAt).toISOString(),
    fireAt: new Date(t.fireAt).toISOString(),
    firedAt: t.firedAt === null ? null : new Date(t.firedAt).toISOString(),
  };
}

/** Plans and reads the schedule through the SLA store; `in(s)` gives the same inside a transaction of `store.tx`. */
export class SlaTimers {
  constructor(
    private readonly store: SlaStore,
    private readonly ctx: SlaContext,
    private readonly view: SlaStoreTx = store,
  ) {}

  /** The same, on the stores of one transaction. */
  in(s: SlaStoreTx): SlaTimers {
    return s === this.view ? this : new SlaTimers(this.store, this.ctx, s);
  }

  /** The facts of one request. */
  async facts(requestId: number): Promise<RequestFacts | undefined> {
    return this.view.requests.facts(requestId);
  }

  /** The facts of a request by its reference. */
  async factsByReference(reference: string): Promise<RequestFacts | undefined> {
    return this.view.requests.factsByReference(reference);
  }

  /** All rows (fired and pending) of a request, in level order. */
  async rows(requestId: number): Promise<TimerRow[]> {
    return this.view.timers.rows(requestId);
  }

  /** Unfired rows due at `now`, earliest first (indexed range on fire_at). */
  async due(now: number, limit: number): Promise<TimerRow[]> {
    return this.view.timers.due(now, limit);
  }

  /** The clock start that the next escalation level of a request must have now. */
  async expectedBase(f: RequestFacts, level: number): Promise<number> {
    if (level <= 1) return Math.max(f.lastActionAt, f.filedAt);
    const prev = await this.view.timers.firedAt(f.id, level - 1);
    return Math.max(f.lastActionAt, prev ?? f.filedAt);
  }

  /** (Re)writes the pending rows of a request from its current facts; removes them once it is closed. */
  async plan(f: RequestFacts): Promise<void> {
    if (FINAL_STATUSES.has(f.status)) {
      await this.cancel(f.id);
      return;
    }
    const { calendar, staffHours } = this.ctx;
    const service = this.ctx.services.get(f.serviceId);
    const next = ((await this.view.timers.lastFiredLevel(f.id)) ?? 0) + 1;
    const level = service?.escalation[next - 1];
    await this.view.timers.dropPendingEscalations(f.id, level ? next : undefined);
    if (level) {
      const base = await this.expectedBase(f, next);
      const d = escalationDeadline(calendar, staffHours, new Date(base), level);
      await this.view.timers.upsert({
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
    await this.view.timers.upsert({
      requestId: f.id,
      kind: 'overdue',
      level: 0,
      reference: f.reference,
      role: null,
      baseAt: f.filedAt,
      dueAt: f.dueAt,
      fireAt,
    });
  }

  /** Removes the pending rows of a request (closed or rejected). */
  async cancel(requestId: number): Promise<void> {
    await this.view.timers.cancel(requestId);
  }

  /** Marks a row fired; true only for the one caller that claimed it (exactly once). */
  async claim(row: TimerKey, now: number): Promise<boolean> {
    return this.view.timers.claim(row, now);
  }

  /** Plans every open request not yet in the schedule (first start on an existing database). */
  async adoptOpenRequests(batch = 5000): Promise<number> {
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = await this.view.requests.openFacts(after, batch);
      if (rows.length === 0) return count;
      await this.store.tx(async (s) => {
        const t = this.in(s);
        for (const f of rows) await t.plan(f);
      });
      count += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }
}
