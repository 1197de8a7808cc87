/**
 * The notices the SLA engine writes (the notification outbox and the system notifications, both
 * SQLite and synchronous). Inside an SQLite `SlaStore.tx` they commit with the transaction that
 * caused them; on PostgreSQL they are written before that transaction commits, so a failed commit
 * leaves notices whose dedupe keys make the retried pass store nothing twice in the outbox (a system
 * notification, which has no key, may then appear twice).
 */
import type { EscalationLevel } from '../../config/schema.js';
import type { Language } from '../core/types.js';
import type { NotificationOutbox } from '../notify/outbox.js';
import type { SystemNotifications } from '../notify/system.js';
import type { RenderedMessage } from '../notify/templates.js';
import type { NotifyChannel } from '../notify/types.js';
import type { RequestFacts } from '../store/sla-store.js';

/** A notice to the resident of a request, over `channels` (e-mail only when the request has an address). */
export interface ResidentNotice {
  purpose: 'accepted' | 'status' | 'overdue';
  /** Dedupe key prefix (the channel is appended). */
  key: string;
  msg: RenderedMessage;
  channels: NotifyChannel[];
  window: 'any' | 'staff';
}

/** Enqueues a resident's notices. */
export function enqueueResidentNotices(outbox: NotificationOutbox, f: RequestFacts, n: ResidentNotice, now: Date): void {
  for (const channel of n.channels) {
    if (channel === 'email' && !f.hasEmail) continue;
    outbox.enqueue(
      {
        dedupeKey: `${n.key}:${channel}`,
        channel,
        recipient: { kind: 'applicant', id: String(f.id) },
        language: f.language,
        purpose: n.purpose,
        requestId: f.id,
        reference: f.reference,
        subject: n.msg.subject,
        body: channel === 'email' ? n.msg.text : n.msg.sms,
        window: n.window,
      },
      now,
    );
  }
}

/** Stores the system notification and enqueues the e-mails/SMS of an escalation level fired for a request. */
export function enqueueEscalationNotices(
  sinks: { outbox: NotificationOutbox; system: SystemNotifications },
  f: RequestFacts,
  step: { level: number; config: EscalationLevel; language: Language },
  msg: RenderedMessage,
  now: Date,
): void {
  const { role, via } = step.config;
  if (via.includes('system')) {
    sinks.system.add({ role, kind: 'escalation', level: step.level, requestId: f.id, reference: f.reference, title: msg.subject, body: msg.text }, now);
  }
  for (const channel of via) {
    if (channel === 'system') continue;
    sinks.outbox.enqueue(
      {
        dedupeKey: `escalation:${f.id}:${step.level}:${channel}`,
        channel,
        recipient: { kind: 'role', id: role },
        language: step.language,
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
}
