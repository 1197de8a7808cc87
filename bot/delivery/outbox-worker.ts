/**
 * Sends the due outbox items of ONE channel through an in-process bottleneck limiter, earliest
 * first-response deadline first, retrying with exponential back-off on network errors and provider
 * throttling and stopping on permanent errors (recorded as failed).
 *
 * bottleneck runs in-process here (spacing, concurrency). A window quota shared by several Tawasul
 * instances (one X account served by two processes) is the `quota` hook instead: a unit of the
 * Redis-backed provider limiter is taken before each send (bot/delivery/provider-quota.ts);
 * bottleneck's own Redis clustering is unmaintained and fails on Redis 7, so do not switch it on.
 */
import Bottleneck from 'bottleneck';
import { ChannelApiError, NetworkError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { SendQuota } from './provider-quota.js';
import { attemptSend, backoffMs, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import type { OutboxItem, OutboxStore, Transport } from './types.js';

/** Default `onSent`: nothing (`ChannelDelivery` emits its `sent` event here). */
const recordSent = (_item: OutboxItem, _at: Date): void => undefined;

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

/** The retry policy shapes, re-exported from the one retry module. */
export { backoffMs, DEFAULT_RETRY, type RetryPolicy };

/** Options of the worker. */
export interface OutboxWorkerOptions {
  outbox: OutboxStore;
  channel: string;
  transport: Transport;
  limits: RateLimits;
  retry?: RetryPolicy;
  clock: Clock;
  logger: Logger;
  /** The recipient an item goes to, for the per-recipient limit (default: its conversation id). */
  recipientOf?: (item: OutboxItem) => string;
  /** Called after the provider accepted an item (`ChannelDelivery` emits `sent`, which the first-response SLA records). */
  onSent?: (item: OutboxItem, at: Date) => void;
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
}

const BATCH = 100;

/** Removes what may identify a resident from provider error text (SMTP quotes the address, APIs quote ids). */
export function scrub(text: string): string {
  return text
    .replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>')
    .replace(/\+?\d[\d\s-]{5,}\d/g, '<number>')
    .slice(0, 300);
}

/** Error text safe for storage and logs (no payloads, no personal data). */
function describe(err: unknown): string {
  if (err instanceof ChannelApiError) return `${err.name} status=${err.status ?? '-'} code=${err.code ?? '-'}: ${scrub(err.message)}`;
  if (err instanceof Error) return `${err.name}: ${scrub(err.message)}`;
  return scrub(String(err));
}

/** The per-channel sender. */
export class OutboxWorker {
  private limiter: Bottleneck;
  private readonly retry: RetryPolicy;
  /** Sends in flight in this worker: item id → recipient. */
  private readonly inFlight = new Map<number, string>();
  private readonly lastSentTo = new Map<string, number>();
  private pausedUntil = 0;
  /** Jobs handed to the limiter that have not started yet. */
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set while the provider quota refused: the next pass runs when it fires. */
  private quotaTimer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private lastPass: Promise<number> = Promise.resolve(0);
  private again = false;
  private stopped = false;
  /** Settles the sends a crash interrupted, once, before the first pass of this process. */
  private settled: Promise<void> | undefined;

  constructor(private readonly opts: OutboxWorkerOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.limiter = this.makeLimiter();
  }

  private makeLimiter(): Bottleneck {
    const l = this.opts.limits;
    return new Bottleneck({
      maxConcurrent: l.maxConcurrent ?? 1,
      minTime: l.minTimeMs ?? 0,
      ...(l.reservoir && !this.opts.quota
        ? { reservoir: l.reservoir.amount, reservoirRefreshAmount: l.reservoir.amount, reservoirRefreshInterval: l.reservoir.refreshMs }
        : {}),
    });
  }

  /** The bottleneck limiter (tests read its counts). */
  get bottleneck(): Bottleneck {
    return this.limiter;
  }

  /** Sends what is due now through the limiter; resolves when those sends finished; returns how many were attempted. */
  runOnce(): Promise<number> {
    // Passes run one after another: two passes sizing their jobs from the same reservoir reading
    // would queue more jobs than the window allows, and the extra ones would wait for the refill.
    const pass = this.lastPass.then(() => this.pass());
    this.lastPass = pass.catch(() => 0);
    return pass;
  }

  private async pass(): Promise<number> {
    this.settled ??= this.settleInDoubt();
    await this.settled;
    if (this.stopped || this.quotaTimer || this.opts.clock.now().getTime() < this.pausedUntil) return 0;
    let slots = (await this.opts.outbox.due(this.opts.channel, this.opts.clock.now(), BATCH)).filter((i) => !this.inFlight.has(i.id)).length;
    const reservoir = await this.limiter.currentReservoir();
    // Never queue more jobs than the window allows: a job waiting for the next window would hold this pass.
    if (reservoir !== null) slots = Math.min(slots, Math.max(0, reservoir - this.queued));
    // Each job picks the most urgent eligible item when the limiter lets it run, so an item
    // enqueued during a burst with an earlier deadline overtakes those already waiting.
    this.queued += slots;
    const limited = reservoir !== null;
    const job = async (): Promise<boolean> => {
      this.queued--;
      const sent = await this.sendNext();
      // A job that found nothing eligible (per-recipient gap, pause) gives its unit of the window back.
      if (!sent && limited) await this.limiter.incrementReservoir(1);
      return sent;
    };
    const jobs = Array.from({ length: slots }, () => this.limiter.schedule(job).catch(() => false));
    const done = await Promise.all(jobs);
    return done.filter(Boolean).length;
  }

  /** Sends recorded as started but never finished (the process died during the provider call). */
  private async settleInDoubt(): Promise<void> {
    const { outbox, channel, logger, clock, attemptLeaseMs } = this.opts;
    const before = attemptLeaseMs === undefined ? undefined : new Date(clock.now().getTime() - attemptLeaseMs);
    for (const item of await outbox.inDoubt(channel, before)) {
      let confirmed: { providerMessageId?: string } | undefined;
      try {
        confirmed = await this.opts.confirm?.(item);
      } catch (err) {
        logger.warn({ channel, outboxId: item.id, error: describe(err) }, 'in-doubt send could not be checked');
      }
      if (confirmed) {
        const at = clock.now();
        await outbox.confirmInDoubt(item.id, at, confirmed.providerMessageId);
        logger.info({ channel, outboxId: item.id }, 'in-doubt send confirmed by the provider');
        try {
          (this.opts.onSent ?? recordSent)(
            { ...item, state: 'sent', sentAt: at, ...(confirmed.providerMessageId ? { providerMessageId: confirmed.providerMessageId } : {}) },
            at,
          );
        } catch (err) {
          logger.error({ channel, outboxId: item.id, error: describe(err) }, 'onSent failed');
        }
      } else if ((this.opts.holdInDoubtMs ?? 0) > 0) {
        await outbox.holdInDoubt(item.id, new Date(clock.now().getTime() + this.opts.holdInDoubtMs!));
        logger.warn({ channel, outboxId: item.id }, "in-doubt send held for the provider's status report");
      } else {
        await outbox.resendInDoubt(item.id);
        logger.warn({ channel, outboxId: item.id }, 'in-doubt send will go out once more (possible duplicate)');
      }
    }
  }

  /** The provider reported it received item `id` (a status webhook): marks it sent unless already settled. */
  async confirmDelivered(id: number, providerMessageId?: string): Promise<boolean> {
    const { outbox, clock, logger, channel } = this.opts;
    const at = clock.now();
    const item = await outbox.confirmByProvider(id, at, providerMessageId);
    if (!item) return false;
    logger.info({ channel, outboxId: id }, "send confirmed by the provider's status report");
    try {
      (this.opts.onSent ?? recordSent)(item, at);
    } catch (err) {
      logger.error({ channel, outboxId: id, error: describe(err) }, 'onSent failed');
    }
    return true;
  }

  /** The most urgent eligible item, marked in flight here (synchronously after the read, so that two jobs never pick one item). */
  private async pick(): Promise<OutboxItem | undefined> {
    const now = this.opts.clock.now().getTime();
    const gap = this.opts.limits.perRecipientMinTimeMs ?? 0;
    const recipientOf = this.opts.recipientOf ?? ((i: OutboxItem) => i.conversationId);
    const due = await this.opts.outbox.due(this.opts.channel, new Date(now), BATCH);
    const busy = new Set(this.inFlight.values());
    for (const item of due) {
      if (this.inFlight.has(item.id)) continue;
      const to = recipientOf(item);
      // One send at a time per recipient keeps a conversation's replies in order; `gap` spaces them.
      if (busy.has(to) || (gap > 0 && now - (this.lastSentTo.get(to) ?? -Infinity) < gap)) continue;
      this.inFlight.set(item.id, to);
      return item;
    }
    return undefined;
  }

  /** One limiter job: sends the most urgent eligible item; true when one was attempted. */
  private async sendNext(): Promise<boolean> {
    if (this.stopped || this.quotaTimer || this.opts.clock.now().getTime() < this.pausedUntil) return false;
    const item = await this.pick();
    if (!item) return false;
    if (this.opts.quota && !(await this.admit())) {
      this.inFlight.delete(item.id);
      return false;
    }
    const { outbox, clock, logger, channel } = this.opts;
    const to = this.inFlight.get(item.id)!;
    const attempts = item.attempts + 1;
    try {
      // Durable before the call: a crash during it leaves the item in doubt, settled at the next start.
      // Another worker (another instance) took it meanwhile: not sent from here.
      const at = clock.now();
      const lease = this.opts.attemptLeaseMs;
      if (!(await outbox.markAttempt(item.id, at, lease === undefined ? undefined : new Date(at.getTime() - lease)))) return false;
      await attemptSend(
        this.retry,
        attempts,
        () => clock.now(),
        () => this.opts.transport(item),
        {
          sent: async (res) => {
            const at = clock.now();
            await outbox.markSent(item.id, at, res.providerMessageId);
            this.lastSentTo.set(to, at.getTime());
            logger.info({ channel, outboxId: item.id, attempts, kind: item.reply.kind }, 'reply sent');
            try {
              (this.opts.onSent ?? recordSent)(
                { ...item, state: 'sent', attempts, sentAt: at, ...(res.providerMessageId ? { providerMessageId: res.providerMessageId } : {}) },
                at,
              );
            } catch (err) {
              logger.error({ channel, outboxId: item.id, error: describe(err) }, 'onSent failed');
            }
          },
          retry: async (err, at) => {
            const error = describe(err);
            await outbox.markRetry(item.id, error, at);
            logger.warn(
              { channel, outboxId: item.id, attempts, error, network: err instanceof NetworkError, nextAttemptAt: at.toISOString() },
              'reply will be retried',
            );
          },
          failed: async (err, reason) => {
            const error = describe(err);
            await outbox.markFailed(item.id, error);
            logger.warn(
              { channel, outboxId: item.id, attempts, error },
              reason === 'exhausted' ? 'reply failed: attempts exhausted' : 'reply failed permanently',
            );
          },
        },
      );
    } catch (err) {
      // The attempt could not even be recorded (the store failed): the item stays pending, retried next pass.
      logger.error({ channel, outboxId: item.id, error: describe(err) }, 'outbox send could not be recorded');
    } finally {
      this.inFlight.delete(item.id);
    }
    return true;
  }

  /** Takes a unit of the provider quota; when refused (or unreachable) the item stays queued and the next pass waits. */
  private async admit(): Promise<boolean> {
    const wait = await this.opts.quota!.take();
    if (wait <= 0) return true;
    if (!this.quotaTimer && !this.stopped) {
      this.quotaTimer = setTimeout(() => {
        this.quotaTimer = undefined;
        this.kick();
      }, wait);
      this.quotaTimer.unref();
    }
    return false;
  }

  /** Waits for the pass in progress, then runs passes until nothing due now is left to attempt (tests, shutdown). */
  async drain(maxPasses = 50): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      while (this.running) await this.running;
      if ((await this.runOnce()) === 0 && !this.running && this.inFlight.size === 0) return;
    }
  }

  /** Provider told us to slow down (x-rate-limit-reset, Retry-After): pause sending until `until`. */
  pauseUntil(until: Date): void {
    this.pausedUntil = Math.max(this.pausedUntil, until.getTime());
  }

  /** Starts the production loop (every `pollMs`, and at once on `kick`). */
  start(): void {
    if (this.stopped) {
      this.limiter = this.makeLimiter();
      this.queued = 0;
    }
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Something was enqueued: run a pass now (coalesced with one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch((err: unknown) => {
        this.opts.logger.error({ channel: this.opts.channel, error: describe(err) }, 'outbox pass failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops the loop and waits for sends in flight; items not sent stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.quotaTimer);
    this.timer = this.quotaTimer = undefined;
    await this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.running;
  }
}
