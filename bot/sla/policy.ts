/**
 * The SLA rules as pure functions of the calendar: resolution due dates, escalation instants and
 * first-response deadlines. Everything else (sweeper, reports, CLI) computes through these.
 */
import type { ChannelConfig, EscalationLevel, ServiceConfig, TawasulConfig } from '../../config/schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';

/** When escalations and staff messages may go out. */
export type StaffHours = TawasulConfig['sla']['staffHours'];

/** Working days to complete a service: its own figure, else the procedural default (SLA: 6). */
export function completionWorkingDays(service: ServiceConfig | undefined, config: Pick<TawasulConfig, 'defaults'>): number {
  return service?.completion.workingDays ?? config.defaults.proceduralWorkingDays;
}

/** The resolution due date of a request filed at `filedAt` (close of official hours on the last working day). */
export function resolutionDue(calendar: WorkingCalendar, service: ServiceConfig | undefined, config: Pick<TawasulConfig, 'defaults'>, filedAt: Date): Date {
  return calendar.addWorkingDays(filedAt, completionWorkingDays(service, config));
}

/** A deadline and the instant it is acted upon (the next staff-hours opening at or after it). */
export interface Deadline {
  dueAt: Date;
  fireAt: Date;
}

/** The escalation of one level: `afterWorkingDays` working days after `base`, sent only in staff hours. */
export function escalationDeadline(calendar: WorkingCalendar, staffHours: StaffHours, base: Date, level: Pick<EscalationLevel, 'afterWorkingDays'>): Deadline {
  const dueAt = calendar.addWorkingDays(base, level.afterWorkingDays);
  return { dueAt, fireAt: calendar.nextOpening(staffHours, dueAt) };
}

/** One step of a projected escalation ladder. */
export interface LadderStep extends Deadline {
  level: number;
  role: string;
  via: EscalationLevel['via'];
  afterWorkingDays: number;
}

/**
 * The ladder of a request whose clock starts at `base` when nobody acts: level 1 after its period,
 * each next level its own period after the previous one fired.
 */
export function projectLadder(calendar: WorkingCalendar, staffHours: StaffHours, service: ServiceConfig, base: Date): LadderStep[] {
  const steps: LadderStep[] = [];
  let from = base;
  service.escalation.forEach((level, i) => {
    const d = escalationDeadline(calendar, staffHours, from, level);
    steps.push({ level: i + 1, role: level.role, via: level.via, afterWorkingDays: level.afterWorkingDays, ...d });
    from = d.fireAt;
  });
  return steps;
}

/** The first-response deadline of an inbound message on a channel, from the channel's target. */
export function firstResponseDeadline(
  calendar: WorkingCalendar,
  channel: Pick<ChannelConfig, 'hours' | 'firstResponse'>,
  receivedAt: Date,
  immediateGraceSeconds: number,
): Date {
  const target = channel.firstResponse;
  switch (target.type) {
    case 'immediate':
      return new Date(receivedAt.getTime() + immediateGraceSeconds * 1000);
    case 'minutes':
      return new Date(receivedAt.getTime() + target.minutes * 60_000);
    case 'open-hours':
      return calendar.addOpenTime(channel.hours, receivedAt, target.hours * 3_600_000);
    case 'within-open-hours':
      return calendar.closingAfter(channel.hours, receivedAt);
  }
}
