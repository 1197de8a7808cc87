/**
 * Composes the SLA's notifications from the templates: to residents (accepted, status changed,
 * deadline missed — the SPEC's right no. 8: why and what is being done) and to staff (escalations).
 * Texts carry references, service and dates, never the applicant's personal data.
 */

import { formatDate } from '../core/templates.js';
import type { Language } from '../core/types.js';
import type { NotificationTemplates, NotifyVars, RenderedMessage } from '../notify/templates.js';
import type { RequestStatus } from '../store/types.js';
import type { SlaContext } from './context.js';
import type { RequestFacts } from './timers.js';

/** Builds rendered messages for the SLA engine. */
export class SlaMessages {
  constructor(
    private readonly ctx: SlaContext,
    private readonly templates: NotificationTemplates,
  ) {}

  private common(f: RequestFacts, lang: Language): NotifyVars {
    const { config, calendar } = this.ctx;
    const o = config.organisation;
    return {
      reference: f.reference,
      service: this.ctx.services.get(f.serviceId)?.name[lang] ?? f.serviceId,
      department: this.ctx.departments.get(f.department)?.name[lang] ?? f.department,
      due: formatDate(new Date(f.dueAt), lang, calendar.timeZone),
      org: o.name[lang],
      portal: o.portal,
      callCentre: o.callCentre,
    };
  }

  private roleName(role: string, lang: Language): string {
    return this.ctx.roles.get(role)?.name[lang] ?? role;
  }

  /** "Your request was received", in the request's language. */
  accepted(f: RequestFacts): RenderedMessage {
    return this.templates.message(f.language, 'request_accepted', this.common(f, f.language));
  }

  /** "Your request's status is now …", with an optional message from the department. */
  statusChanged(f: RequestFacts, status: RequestStatus, residentMessage?: string): RenderedMessage {
    const lang = f.language;
    const message = residentMessage ? this.templates.phrase(lang, 'resident_message', { message: residentMessage }) : '';
    return this.templates.message(lang, 'status_changed', { ...this.common(f, lang), status: this.templates.status(lang, status), message });
  }

  /**
   * The missed-deadline notice: why (the service depends on a schedule or on means, a message from the
   * department, or the period lapsed) and what is being done (escalated, or when it will be).
   */
  overdue(f: RequestFacts, info: { escalatedTo?: string; nextRole?: string; nextAt?: Date; residentMessage?: string }): RenderedMessage {
    const lang = f.language;
    const vars = this.common(f, lang);
    const service = this.ctx.services.get(f.serviceId);
    const basis = service?.completion.basis;
    const days = service?.completion.workingDays ?? this.ctx.config.defaults.proceduralWorkingDays;
    const reason = info.residentMessage
      ? info.residentMessage
      : basis === 'schedule' || basis === 'means'
        ? this.templates.phrase(lang, `overdue_reason_${basis}`, { note: service?.completion.note?.[lang] ?? '' })
        : this.templates.phrase(lang, 'overdue_reason_default', { department: vars.department!, days });
    const action = info.escalatedTo
      ? this.templates.phrase(lang, 'overdue_action_escalated', { role: this.roleName(info.escalatedTo, lang) })
      : info.nextRole && info.nextAt
        ? this.templates.phrase(lang, 'overdue_action_scheduled', {
            department: vars.department!,
            role: this.roleName(info.nextRole, lang),
            date: formatDate(info.nextAt, lang, this.ctx.calendar.timeZone),
          })
        : this.templates.phrase(lang, 'overdue_action_followup', { department: vars.department! });
    return this.templates.message(lang, 'request_overdue', { ...vars, reason, action });
  }

  /** The escalation message to a role, in the staff language. */
  escalation(f: RequestFacts, level: number, role: string, since: Date, days: number): RenderedMessage {
    const lang = this.ctx.config.sla.staffLanguage;
    const tz = this.ctx.calendar.timeZone;
    return this.templates.message(lang, 'escalation', {
      ...this.common(f, lang),
      level,
      days,
      role: this.roleName(role, lang),
      filed: formatDate(new Date(f.filedAt), lang, tz, true),
      since: formatDate(since, lang, tz, true),
    });
  }
}
