/** The options and pass counts of the one outbox engine (bot/delivery/outbox-worker.ts). */
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { SendQuota } from './provider-quota.js';
import type { RetryPolicy } from './retry.js';
import type { OutboxItem, OutboxStore, Transport } from './types.js';

/** Outbound limits of a channel (per provider account). */
export interface RateLimits {
  /** Sends in flight at once (default 1). */
  maxConcurrent?: number;
  /** Wall-clock milliseconds between two sends (bottleneck `minTime`). */
  minTimeMs?: number;
  /** At most `amount` sends per `refreshMs` window (X's per-window DM and post limits). */
  reservoir?: { amount: number; refreshMs: number };
  /** Milliseconds (on the injected clock) between two sends to the same recipient (WhatsApp: ~6000). */
  perRecipientMinTimeMs?: number;
  /** The provider account `reservoir` is counted for (an X handle, the SMTP sender; default the channel id). */
  account?: string;
}

/** Counts of one pass. */
export interface PassReport {
  /** Sends attempted (taken and tried). */
  attempted: number;
  sent: number;
  retried: number;
  /** Failed for good, or parked before a send. */
  failed: number;
  /** Put off without spending an attempt (a queue's `prepare`). */
  deferred: number;
}

/** Options of the engine, whatever it sends. */
export interface EngineOptions {
  limits: RateLimits;
  retry?: RetryPolicy;
  clock: Clock;
  logger: Logger;
  /** The recipient an item goes to, for the per-recipient limit (default: its conversation id). */
  recipientOf?: (item: OutboxItem) => string;
  /** Called after the provider accepted an item (`ChannelDelivery` emits `sent`, which the first-response SLA records). */
  onSent?: (item: OutboxItem, at: Date) => void;
  /** Called after each outcome of an item (metrics); `failed` includes items parked before a send. */
  onResult?: (item: OutboxItem, result: 'sent' | 'retry' | 'failed') => void;
  /** Production loop period (default 1000 ms). */
  pollMs?: number;
  /**
   * Asks the provider whether a send interrupted by a crash reached it (a look-up by the id chosen
   * before sending); resolves with the provider's message id when it did, undefined when unknown.
   * Without it, or when it cannot tell, the item goes out once more and is counted as a possible duplicate.
   */
  confirm?: (item: OutboxItem) => Promise<{ providerMessageId?: string } | undefined>;
  /**
   * Several workers on one database (instances): a send started longer ago than this is taken as
   * abandoned (its instance died): settled as in doubt at start-up, or taken over. Unset (one
   * instance): every unfinished send found at start-up is in doubt.
   */
  attemptLeaseMs?: number;
  /**
   * How long an in-doubt send that `confirm` could not settle waits for the provider's own report
   * (`confirmDelivered`, from a delivery-status webhook) before going out once more (default 0: at once).
   */
  holdInDoubtMs?: number;
  /** The shared provider quota (bot/delivery/provider-quota.ts): a unit is taken before each send, replacing `limits.reservoir`. */
  quota?: SendQuota;
  /** Sends one after another within the pass, without the bottleneck limiter (a queue without provider limits: notifications). */
  sequential?: boolean;
}

/** Options of a channel's reply worker. */
export interface OutboxWorkerOptions extends EngineOptions {
  outbox: OutboxStore;
  channel: string;
  transport: Transport;
}
