/**
 * The notifications as a queue of the one outbox engine (bot/delivery/outbox-worker.ts): the rows of
 * a `NotifyStore` in due order, page by page, and the notification hooks — the staff-hours window,
 * the transport not configured yet (deferred without spending an attempt), the recipient's address
 * resolved at send time and never stored or logged (parked when there is none), the e-mail and SMS
 * senders as the transport, and a send lease that expires if its instance dies mid-send.
 */
import type { SlaConfig } from '../../config/sla-schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { type DeliveryQueue, type Preparation, scrub } from '../delivery/queue.js';
import type { OutboxItem } from '../delivery/types.js';
import type { NotifyStore, Recipient, StoredNotification } from './store.js';
import { DeliveryError, type EmailSender, type NotifyChannel, type SmsSender } from './types.js';

/** Resolves a recipient to an address (e-mail or phone) at delivery time; undefined when there is none. */
export type RecipientResolver = (recipient: Recipient, channel: NotifyChannel) => string | undefined | Promise<string | undefined>;

/** How long a claimed notification stays invisible to other passes while it is being sent. */
export const LEASE_MS = 10 * 60_000;

/** What the notification queue needs besides its store. */
export interface NotifyQueueOptions {
  retry: SlaConfig['notifications']['retry'];
  calendar: WorkingCalendar;
  staffHours: SlaConfig['staffHours'];
  resolve: RecipientResolver;
  /** The senders, read at each pass (set once configuration was read). */
  transports: () => { email?: EmailSender; sms?: SmsSender };
}

/** The stored notification an engine item carries. */
export function notificationOf(item: OutboxItem): StoredNotification {
  return item.meta.notification as StoredNotification;
}

/** A stored notification as an item of the engine (channel `notify-email` / `notify-sms`, one per recipient). */
export function notificationItem(n: StoredNotification): OutboxItem {
  return {
    id: n.id,
    channel: `notify-${n.channel}`,
    conversationId: `${n.recipient.kind}:${n.recipient.id}`,
    reply: { text: n.body, language: n.language, kind: 'notice' },
    meta: { notification: n },
    attempts: n.attempts,
    state: n.status,
    nextAttemptAt: new Date(n.nextAttemptAt),
    ...(n.lastError ? { lastError: n.lastError } : {}),
    ...(n.sentAt !== undefined ? { sentAt: new Date(n.sentAt) } : {}),
  };
}

/** The earliest instant a notification of `window` may go at or after `t`. */
export function earliest(o: Pick<NotifyQueueOptions, 'calendar' | 'staffHours'>, window: 'any' | 'staff', t: Date): Date {
  return window === 'staff' ? o.calendar.nextOpening(o.staffHours, t) : t;
}

/** Error text of a failed notification: the transport's own (DeliveryError, scrubbed once more) or only the error's name. */
const message = (err: unknown): string => (err instanceof DeliveryError ? scrub(err.message) : `unexpected: ${(err as Error)?.name ?? 'error'}`);

/** The notification queue over `store`. */
export function notifyQueue(store: NotifyStore, o: NotifyQueueOptions): DeliveryQueue {
  const transport = (channel: NotifyChannel): EmailSender | SmsSender | undefined => o.transports()[channel];
  const expect = (item: OutboxItem): number => item.nextAttemptAt.getTime();
  return {
    name: 'notify',
    noun: 'notification',
    order: 'paged',
    due: async (now, limit, after) =>
      (await store.duePage(now.getTime(), after ? [expect(after), after.id] : [Number.MIN_SAFE_INTEGER, 0], limit)).map(notificationItem),
    async prepare(item, now): Promise<Preparation> {
      const n = notificationOf(item);
      if (n.window === 'staff' && !o.calendar.isOpen(o.staffHours, now)) return { kind: 'defer', until: earliest(o, 'staff', now) };
      // Not configured yet: keep it, look again later, without spending an attempt.
      if (!transport(n.channel)) {
        return { kind: 'defer', until: new Date(now.getTime() + o.retry.maxDelaySeconds * 1000), reason: `${n.channel} transport not configured` };
      }
      const address = await o.resolve(n.recipient, n.channel);
      if (!address) return { kind: 'park', reason: `no ${n.channel} address for ${n.recipient.kind}` };
      return { kind: 'send', item: { ...item, meta: { ...item.meta, address } } };
    },
    settle: (changes) =>
      store.settle(
        changes.map(({ item, decision: d }) =>
          d.kind === 'defer'
            ? { id: item.id, expect: expect(item), kind: 'defer', nextAttemptAt: d.until.getTime(), ...(d.reason ? { lastError: d.reason } : {}) }
            : { id: item.id, expect: expect(item), kind: 'park', lastError: d.reason },
        ),
      ),
    take: (item, at) => store.claim(item.id, expect(item), at.getTime() + LEASE_MS),
    markSent: (item, at, providerId) => store.markSent(item.id, at.getTime(), providerId),
    markRetry: (item, error, next) => store.markRetry(item.id, earliest(o, notificationOf(item).window, next).getTime(), error),
    markFailed: (item, error) => store.markFailed(item.id, error),
    async send(item) {
      const n = notificationOf(item);
      const to = item.meta.address as string;
      const tag = `outbox-${n.id}`;
      const res =
        n.channel === 'email'
          ? await o.transports().email!.send({ to, subject: n.subject ?? '', text: n.body, language: n.language, tag })
          : await o.transports().sms!.send({ to, text: n.body, tag });
      return res.providerId === undefined ? {} : { providerMessageId: res.providerId };
    },
    describe: message,
    logFields: (item) => {
      const n = notificationOf(item);
      return { notification: n.id, notifyChannel: n.channel, purpose: n.purpose, reference: n.reference };
    },
  };
}
