/**
 * The notices the SLA engine writes (the notification outbox and the system notifications), through
 * the stores of the SLA store's transaction (`s.notices`, `s.system`): on SQLite and on PostgreSQL
 * they commit with the claim or the event pass that caused them, or not at all.
 */
import type { EscalationLevel } from '../../config/schema.js';
import type { Language } from '../core/types.js';
import type { NotificationOutbox } from '../notify/outbox.js';
import type { SystemNotificationSink } from '../notify/system.js';
import type { RenderedMessage } from '../notify/templates.js';
import type { NotifyChannel } from '../notify/types.js';
import type { RequestFacts, SlaStoreTx } from '../store/sla-store.js';

/** A notice to the resident of a request, over `channels` (e-mail only when the request has an address). */
export interface ResidentNotice {
  purpose: 'accepted' | 'status' | 'overdue';
  /** Dedupe key prefix (the channel is appended). */
  key: string;
  msg: RenderedMessage;
  channels: NotifyChannel[];
  window: 'any' | 'staff';
}

/** Enqueues a resident's notices on the queue of transaction `s`. */
export async function enqueueResidentNotices(
  outbox: NotificationOutbox,
  s: Pick<SlaStoreTx, 'notices'>,
  f: RequestFacts,
  n: ResidentNotice,
  now: Date,
): Promise<void> {
  for (const channel of n.channels) {
    if (channel === 'email' && !f.hasEmail) continue;
    await outbox.enqueue(
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
      s.notices,
    );
  }
}

/** Stores the system notification and enqueues the e-mails/SMS of an escalation level fired for a request, in transaction `s`. */
export async function enqueueEscalationNotices(
  outbox: NotificationOutbox,
  s: { notices: SlaStoreTx['notices']; system: SystemNotificationSink },
  f: RequestFacts,
  step: { level: number; config: EscalationLevel; language: Language },
  msg: RenderedMessage,
  now: Date,
): Promise<void> {
  const { role, via } = step.config;
  if (via.includes('system')) {
    await s.system.add({ role, kind: 'escalation', level: step.level, requestId: f.id, reference: f.reference, title: msg.subject, body: msg.text }, now);
  }
  for (const channel of via) {
    if (channel === 'system') continue;
    await outbox.enqueue(
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
      s.notices,
    );
  }
}
