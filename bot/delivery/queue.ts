/**
 * What the one outbox engine (bot/delivery/outbox-worker.ts) sends from: a `DeliveryQueue`. The
 * engine owns the loop (limiter, shared quota, send lease, retries with the one back-off, in-doubt
 * settling, event-loop yields); a queue owns the rows and the specifics of what it carries — a
 * channel's replies (`replyQueue`, over the `OutboxStore`) or notifications (bot/notify/queue.ts).
 */
import { ChannelApiError } from '../core/errors.js';
import type { Awaitable, OutboxItem, OutboxStore } from './types.js';

/** What the engine does with an item before its send: send it (possibly enriched, e.g. with an address resolved now), defer it, or park it. */
export type Preparation =
  | { kind: 'send'; item: OutboxItem }
  /** Not now: due again at `until`; no attempt is spent. */
  | { kind: 'defer'; until: Date; reason?: string }
  /** Cannot be sent: parked as failed with its reason (kept, never deleted). */
  | { kind: 'park'; reason: string };

/** A deferral or parking, applied only while the item is still as the pass read it. */
export interface Settlement {
  item: OutboxItem;
  decision: Exclude<Preparation, { kind: 'send' }>;
}

/** The in-doubt bookkeeping of a queue whose send lease survives a crash (replies). */
export type DoubtStore = Pick<OutboxStore, 'inDoubt' | 'confirmInDoubt' | 'resendInDoubt' | 'holdInDoubt' | 'confirmByProvider'>;

/** The rows one engine sends, and what is specific to them. */
export interface DeliveryQueue {
  /** Name in logs (a channel id, `notify`). */
  readonly name: string;
  /** What an item is called in log lines (`reply`, `notification`). */
  readonly noun: string;
  /**
   * `urgent`: `due` returns the most urgent items and is read again for each send (a later item
   * with an earlier deadline overtakes); `paged`: `due` returns pages after the cursor `after`, in
   * index order, walked once per pass with an event-loop turn between pages (large backlogs).
   */
  readonly order: 'urgent' | 'paged';
  /** Pending items due at `now` (after `after`, when paged). */
  due(now: Date, limit: number, after?: OutboxItem): Awaitable<OutboxItem[]>;
  /** Takes the send lease, recorded before the provider call; false when another send holds it or the item changed. */
  take(item: OutboxItem, at: Date, staleBefore?: Date): Awaitable<boolean>;
  /** The provider accepted the item. */
  markSent(item: OutboxItem, at: Date, providerMessageId?: string): Awaitable<void>;
  /** A failed attempt, retried at `nextAttemptAt` (a queue may move it, e.g. to the next staff-hours opening). */
  markRetry(item: OutboxItem, error: string, nextAttemptAt: Date): Awaitable<void>;
  /** A permanent failure (kept, never deleted). */
  markFailed(item: OutboxItem, error: string): Awaitable<void>;
  /** Sends the item through the provider; throws a retryable or permanent error. */
  send(item: OutboxItem): Promise<{ providerMessageId?: string }>;
  /** Decides per item of a page whether it goes now (paged queues); default: every item is sent as read. */
  prepare?(item: OutboxItem, now: Date): Awaitable<Preparation>;
  /** Applies a page's deferrals and parkings at once (one transaction); returns the ids that changed. */
  settle?(changes: readonly Settlement[]): Awaitable<Set<number>>;
  /** In-doubt settling of sends a crash interrupted; without it, a lease that expires makes the item due again. */
  readonly doubt?: DoubtStore;
  /** Error text safe for storage and logs (default: `describe`). */
  describe?(err: unknown): string;
  /** Extra fields of the log lines about an item (never personal data). */
  logFields?(item: OutboxItem): Record<string, unknown>;
}

/** Removes what may identify a resident from provider error text (SMTP quotes the address, APIs quote ids). */
export function scrub(text: string): string {
  return text
    .replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>')
    .replace(/\+?\d[\d\s-]{5,}\d/g, '<number>')
    .slice(0, 300);
}

/** Error text safe for storage and logs (no payloads, no personal data). */
export function describe(err: unknown): string {
  if (err instanceof ChannelApiError) return `${err.name} status=${err.status ?? '-'} code=${err.code ?? '-'}: ${scrub(err.message)}`;
  if (err instanceof Error) return `${err.name}: ${scrub(err.message)}`;
  return scrub(String(err));
}

/** A channel's replies in the outbox: most urgent first-response deadline first, the send lease and in-doubt settling of the store. */
export function replyQueue(outbox: OutboxStore, channel: string, send: (item: OutboxItem) => Promise<{ providerMessageId?: string }>): DeliveryQueue {
  return {
    name: channel,
    noun: 'reply',
    order: 'urgent',
    due: (now, limit) => outbox.due(channel, now, limit),
    take: (item, at, staleBefore) => outbox.markAttempt(item.id, at, staleBefore),
    markSent: (item, at, providerMessageId) => outbox.markSent(item.id, at, providerMessageId),
    markRetry: (item, error, at) => outbox.markRetry(item.id, error, at),
    markFailed: (item, error) => outbox.markFailed(item.id, error),
    send,
    doubt: outbox,
    logFields: (item) => ({ kind: item.reply.kind }),
  };
}
