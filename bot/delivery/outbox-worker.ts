/**
 * The one outbox engine: sends the due items of a `DeliveryQueue` (bot/delivery/queue.ts) — ONE
 * channel's replies, earliest first-response deadline first, or the notifications (e-mail, SMS) in
 * due order, page by page — through an in-process bottleneck limiter, taking a send lease before each
 * provider call, retrying with the one exponential back-off (bot/delivery/retry.ts) on network errors
 * and provider throttling and stopping on permanent errors (recorded as failed, never deleted).
 *
 * bottleneck runs in-process here (spacing, concurrency). A window quota shared by several Tawasul
 * instances (one X account served by two processes) is the `quota` hook instead: a unit of the
 * Redis-backed provider limiter is taken before each send (bot/delivery/provider-quota.ts);
 * bottleneck's own Redis clustering is unmaintained and fails on Redis 7, so do not switch it on.
 */
import { setImmediate } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { NetworkError } from '../core/errors.js';
import type { EngineOptions, OutboxWorkerOptions, PassReport, RateLimits } from './engine-options.js';
import { settleInDoubt } from './in-doubt.js';
import { type DeliveryQueue, describe, replyQueue, type Settlement, scrub } from './queue.js';
import { attemptSend, backoffMs, DEFAULT_RETRY, isCredentialError, type RetryPolicy } from './retry.js';
import type { OutboxItem } from './types.js';

/** Default `onSent`: nothing (`ChannelDelivery` emits its `sent` event here). */
const recordSent = (_item: OutboxItem, _at: Date): void => undefined;

/** The engine's options, re-exported from their module. */
export type { EngineOptions, OutboxWorkerOptions, PassReport, RateLimits };
/** The retry policy shapes (the one retry module) and the engine's error scrubbing (the queue module), re-exported. */
export { backoffMs, DEFAULT_RETRY, type RetryPolicy, scrub };

/** Items read per pick (urgent queues). */
const BATCH = 100;
/** Items read per page (paged queues). */
const PAGE = 200;

const emptyReport = (): PassReport => ({ attempted: 0, sent: 0, retried: 0, failed: 0, deferred: 0 });

/** The one outbox engine: sends a queue's due items (a channel's replies, or notifications). */
export class OutboxWorker {
  private limiter: Bottleneck;
  private readonly retry: RetryPolicy;
  private readonly opts: EngineOptions;
  /** The rows this engine sends. */
  readonly queue: DeliveryQueue;
  /** Sends in flight in this worker: item id → recipient. */
  private readonly inFlight = new Map<number, string>();
  private readonly lastSentTo = new Map<string, number>();
  private pausedUntil = 0;
  /** Refused credentials in a row (0: none): the channel pauses for the back-off of that many attempts. */
  private credentialStrikes = 0;
  /** Jobs handed to the limiter that have not started yet. */
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set while the provider quota refused: the next pass runs when it fires. */
  private quotaTimer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private lastPass: Promise<unknown> = Promise.resolve();
  private again = false;
  private stopped = false;
  /** Settles the sends a crash interrupted, once, before the first pass of this process. */
  private settled: Promise<void> | undefined;

  constructor(opts: OutboxWorkerOptions | (EngineOptions & { queue: DeliveryQueue })) {
    this.opts = opts;
    this.queue = 'queue' in opts ? opts.queue : replyQueue(opts.outbox, opts.channel, opts.transport);
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
  async runOnce(): Promise<number> {
    return (await this.deliver(() => this.opts.clock.now())).attempted;
  }

  /**
   * One pass judged at `now` (a fixed instant, as the SLA sweep passes it, or the clock read at
   * each step), at most `limit` items read; resolves when its sends finished.
   */
  deliver(now: Date | (() => Date), limit = 10_000): Promise<PassReport> {
    // Passes run one after another: two passes sizing their jobs from the same reservoir reading
    // would queue more jobs than the window allows, and the extra ones would wait for the refill.
    const at = typeof now === 'function' ? now : () => now;
    const pass = this.lastPass.then(() => this.pass(at, limit));
    this.lastPass = pass.catch(() => undefined);
    return pass;
  }

  private halted(now: () => Date): boolean {
    return this.stopped || this.quotaTimer !== undefined || now().getTime() < this.pausedUntil;
  }

  private async pass(now: () => Date, limit: number): Promise<PassReport> {
    this.settled ??= settleInDoubt(
      this.queue,
      this.opts,
      (item, at) => this.notifySent(item, at),
      (err) => this.describe(err),
    );
    await this.settled;
    const report = emptyReport();
    if (this.halted(now)) return report;
    if (this.queue.order === 'urgent') {
      const due = await this.queue.due(now(), BATCH);
      await this.runJobs(due.filter((i) => !this.inFlight.has(i.id)).length, now, report);
      return report;
    }
    // Paged: an index range after a cursor, each page prepared and settled at once, a macrotask turn
    // between pages, so a backlog of hundreds of thousands of rows never stalls the server.
    let after: OutboxItem | undefined;
    for (let read = 0; read < limit && !this.halted(now); ) {
      const page = await this.queue.due(now(), Math.min(PAGE, limit - read), after);
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1];
      const ready = await this.prepare(
        page.filter((i) => !this.inFlight.has(i.id)),
        now(),
        report,
      );
      await this.runJobs(ready.length, now, report, ready);
      await setImmediate();
    }
    return report;
  }

  /** A page's items to send now; the others deferred or parked at once through the queue's `settle`. */
  private async prepare(page: OutboxItem[], now: Date, report: PassReport): Promise<OutboxItem[]> {
    const { prepare, settle } = this.queue;
    if (!prepare) return page;
    const ready: OutboxItem[] = [];
    const changes: Settlement[] = [];
    for (const item of page) {
      const p = await prepare(item, now);
      if (p.kind === 'send') ready.push(p.item);
      else changes.push({ item, decision: p });
    }
    if (changes.length === 0) return ready;
    const changed = await settle!(changes);
    for (const c of changes) {
      // An item another instance took meanwhile is its business now.
      if (!changed.has(c.item.id)) continue;
      if (c.decision.kind === 'defer') report.deferred++;
      else this.outcome(c.item, 'failed', report, c.item.attempts, { error: c.decision.reason });
    }
    return ready;
  }

  /** Runs `slots` send jobs (through the limiter unless `sequential`), picking from `page` or the most urgent due item. */
  private async runJobs(slots: number, now: () => Date, report: PassReport, page?: OutboxItem[]): Promise<void> {
    if (slots === 0) return;
    if (this.opts.sequential) {
      // A lease lost to another instance skips that item only; the page goes on.
      for (let i = 0; i < slots && !this.halted(now); i++) await this.sendNext(now, report, page);
      return;
    }
    const reservoir = await this.limiter.currentReservoir();
    // Never queue more jobs than the window allows: a job waiting for the next window would hold this pass.
    if (reservoir !== null) slots = Math.min(slots, Math.max(0, reservoir - this.queued));
    // Each job picks the most urgent eligible item when the limiter lets it run, so an item
    // enqueued during a burst with an earlier deadline overtakes those already waiting.
    this.queued += slots;
    const limited = reservoir !== null;
    const job = async (): Promise<boolean> => {
      this.queued--;
      const sent = await this.sendNext(now, report, page);
      // A job that found nothing eligible (per-recipient gap, pause) gives its unit of the window back.
      if (!sent && limited) await this.limiter.incrementReservoir(1);
      return sent;
    };
    await Promise.all(Array.from({ length: slots }, () => this.limiter.schedule(job).catch(() => false)));
  }

  /** The provider reported it received item `id` (a status webhook): marks it sent unless already settled. */
  async confirmDelivered(id: number, providerMessageId?: string): Promise<boolean> {
    const { clock, logger } = this.opts;
    const at = clock.now();
    const item = await this.queue.doubt?.confirmByProvider(id, at, providerMessageId);
    if (!item) return false;
    logger.info({ channel: this.queue.name, outboxId: id }, "send confirmed by the provider's status report");
    this.notifySent(item, at);
    return true;
  }

  private notifySent(item: OutboxItem, at: Date): void {
    try {
      (this.opts.onSent ?? recordSent)(item, at);
    } catch (err) {
      this.opts.logger.error({ channel: this.queue.name, outboxId: item.id, error: this.describe(err) }, 'onSent failed');
    }
  }

  private describe(err: unknown): string {
    return (this.queue.describe ?? describe)(err);
  }

  /**
   * The next eligible item — the first left in `page`, or the most urgent due one — marked in flight
   * here (synchronously after the read, so that two jobs never pick one item).
   */
  private async pick(now: Date, page?: OutboxItem[]): Promise<OutboxItem | undefined> {
    const gap = this.opts.limits.perRecipientMinTimeMs ?? 0;
    const recipientOf = this.opts.recipientOf ?? ((i: OutboxItem) => i.conversationId);
    const due = page ?? (await this.queue.due(now, BATCH));
    const busy = new Set(this.inFlight.values());
    for (let i = 0; i < due.length; i++) {
      const item = due[i]!;
      if (this.inFlight.has(item.id)) continue;
      const to = recipientOf(item);
      // One send at a time per recipient keeps a conversation's replies in order; `gap` spaces them.
      if (busy.has(to) || (gap > 0 && now.getTime() - (this.lastSentTo.get(to) ?? -Infinity) < gap)) continue;
      this.inFlight.set(item.id, to);
      if (page) page.splice(i, 1);
      return item;
    }
    return undefined;
  }

  /** One job: sends the next eligible item; true when one was attempted. */
  private async sendNext(now: () => Date, report: PassReport, page?: OutboxItem[]): Promise<boolean> {
    if (this.halted(now)) return false;
    const item = await this.pick(now(), page);
    if (!item) return false;
    if (this.opts.quota && !(await this.admit())) {
      this.inFlight.delete(item.id);
      return false;
    }
    const { logger } = this.opts;
    const queue = this.queue;
    const to = this.inFlight.get(item.id)!;
    const attempts = item.attempts + 1;
    try {
      // Durable before the call: a crash during it leaves the item in doubt (settled at the next
      // start) or leased (due again when the lease expires). Another worker (another instance) took it meanwhile: not sent from here.
      const at = now();
      const lease = this.opts.attemptLeaseMs;
      if (!(await queue.take(item, at, lease === undefined ? undefined : new Date(at.getTime() - lease)))) return false;
      report.attempted++;
      await attemptSend(this.retry, attempts, now, () => queue.send(item), {
        sent: async (res) => {
          const at = now();
          await queue.markSent(item, at, res.providerMessageId);
          this.lastSentTo.set(to, at.getTime());
          this.outcome(item, 'sent', report, attempts);
          if (this.credentialStrikes > 0) {
            this.credentialStrikes = 0;
            logger.warn({ channel: queue.name }, `credentials accepted again: ${queue.noun} sending resumed`);
          }
          this.notifySent({ ...item, state: 'sent', attempts, sentAt: at, ...(res.providerMessageId ? { providerMessageId: res.providerMessageId } : {}) }, at);
        },
        retry: async (err, at) => {
          const error = this.describe(err);
          await queue.markRetry(item, error, at);
          this.outcome(item, 'retry', report, attempts, { error, network: err instanceof NetworkError, nextAttemptAt: at.toISOString() });
          if (isCredentialError(err)) this.pauseForCredentials(now(), err, error);
        },
        failed: async (err, reason) => {
          const error = this.describe(err);
          await queue.markFailed(item, error);
          this.outcome(item, 'failed', report, attempts, { error }, reason);
        },
      });
    } catch (err) {
      // The attempt could not even be recorded (the store failed): the item stays pending, retried next pass.
      logger.error({ channel: queue.name, outboxId: item.id, error: this.describe(err) }, 'outbox send could not be recorded');
    } finally {
      this.inFlight.delete(item.id);
    }
    return true;
  }

  /** Counts, reports (`onResult`) and logs one outcome, without personal data. */
  private outcome(
    item: OutboxItem,
    result: 'sent' | 'retry' | 'failed',
    report: PassReport,
    attempts: number,
    extra: Record<string, unknown> = {},
    reason?: 'permanent' | 'exhausted',
  ): void {
    if (result === 'sent') report.sent++;
    else if (result === 'retry') report.retried++;
    else report.failed++;
    try {
      this.opts.onResult?.(item, result);
    } catch (err) {
      this.opts.logger.error({ channel: this.queue.name, outboxId: item.id, error: this.describe(err) }, 'onResult failed');
    }
    const { noun } = this.queue;
    const log = { channel: this.queue.name, outboxId: item.id, attempts, ...this.queue.logFields?.(item), ...extra };
    if (result === 'sent') this.opts.logger.info(log, `${noun} sent`);
    else if (result === 'retry') this.opts.logger.warn(log, `${noun} will be retried`);
    else this.opts.logger.warn(log, reason === 'exhausted' ? `${noun} failed: attempts exhausted` : reason ? `${noun} failed permanently` : `${noun} parked`);
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

  /**
   * The provider refused our credentials: nothing is wrong with the items, so rather than wear each
   * one out against the same refusal, the whole queue pauses (the retry back-off of the refusals in a
   * row, up to its cap, or longer when the provider says), then one send probes. Logged at error level:
   * an operator must rotate them.
   */
  private pauseForCredentials(now: Date, err: unknown, error: string): void {
    this.credentialStrikes++;
    const after = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
    const until = new Date(now.getTime() + backoffMs(this.retry, this.credentialStrikes, after));
    this.pauseUntil(until);
    this.opts.logger.error(
      { channel: this.queue.name, error, refusals: this.credentialStrikes, pausedUntil: until.toISOString() },
      `the provider refused the credentials: ${this.queue.noun} sending paused, items stay queued`,
    );
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
        this.opts.logger.error({ channel: this.queue.name, error: this.describe(err) }, 'outbox pass failed');
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
