/**
 * Leases for single-reader jobs (the X poller's cursor, the IMAP mailbox): one instance at a time
 * holds a named lease for a TTL and renews it while it works; when it dies the lease expires and
 * another instance takes the job over within one TTL.
 *
 * Every grant carries a fencing token that only grows (per lease name, across holders). A holder
 * that stalled past its TTL can still try to write after another took over; stores that the job
 * writes (the cursor row) keep the highest token they saw and refuse a smaller one, e.g.
 * `UPDATE channel_cursors SET cursor = $1, fence = $2 WHERE id = $3 AND fence <= $2`.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../engine/context.js';

/** A lease held by `holder` until it expires, is released or is lost. */
export interface LeaseGrant {
  name: string;
  holder: string;
  /** Fencing token: greater than every token granted before for this name. */
  token: number;
  ttlMs: number;
}

/** The current holder of a lease. */
export interface LeaseHolder {
  holder: string;
  token: number;
  expiresInMs: number;
}

/** Where leases live: Redis across instances, memory for the embedded default. */
export interface LeaseStore {
  /** Grants `name` to `holder` for `ttlMs` when nobody holds it; undefined when someone does. */
  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined>;
  /** Extends a grant for another TTL; false when it is no longer held (expired, taken, released). */
  renew(grant: LeaseGrant): Promise<boolean>;
  /** Gives a grant up at once (nothing happens when it is no longer held). */
  release(grant: LeaseGrant): Promise<void>;
  /** Who holds `name` now, with the token and the milliseconds left before it expires. */
  holder(name: string): Promise<LeaseHolder | undefined>;
}

/** Leases in this process only (one instance: the embedded default); expiry on the injected clock. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly held = new Map<string, { holder: string; token: number; until: number }>();
  private readonly fences = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  private live(name: string): { holder: string; token: number; until: number } | undefined {
    const h = this.held.get(name);
    if (h && h.until <= this.clock.now().getTime()) {
      this.held.delete(name);
      return undefined;
    }
    return h;
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    if (this.live(name)) return undefined;
    const token = (this.fences.get(name) ?? 0) + 1;
    this.fences.set(name, token);
    this.held.set(name, { holder, token, until: this.clock.now().getTime() + ttlMs });
    return { name, holder, token, ttlMs };
  }

  async renew(grant: LeaseGrant): Promise<boolean> {
    const h = this.live(grant.name);
    if (!h || h.token !== grant.token) return false;
    h.until = this.clock.now().getTime() + grant.ttlMs;
    return true;
  }

  async release(grant: LeaseGrant): Promise<void> {
    if (this.live(grant.name)?.token === grant.token) this.held.delete(grant.name);
  }

  async holder(name: string): Promise<LeaseHolder | undefined> {
    const h = this.live(name);
    return h && { holder: h.holder, token: h.token, expiresInMs: h.until - this.clock.now().getTime() };
  }
}

/** Options of a LeaseKeeper. */
export interface LeaseKeeperOptions {
  ttlMs: number;
  /** Milliseconds between renewals while held (default a third of the TTL). */
  renewMs?: number;
  /** Milliseconds between attempts while another holds it (default half the TTL). */
  retryMs?: number;
}

/** Events of a LeaseKeeper. */
export interface LeaseKeeperEvents {
  acquired: [LeaseGrant];
  renewed: [LeaseGrant];
  /** The grant ended without `stop` (taken over, expired, store unreachable past the TTL): stop the job now. */
  lost: [LeaseGrant];
}

/**
 * Keeps trying to hold one lease, renews it while held, and releases it on `stop`. A renewal that
 * cannot reach the store keeps the grant only until its TTL has run out on this machine's timer,
 * then reports it lost (another instance may hold it by then).
 */
export class LeaseKeeper extends EventEmitter<LeaseKeeperEvents> {
  private current: LeaseGrant | undefined;
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly renewMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    readonly holder: string,
    private readonly opts: LeaseKeeperOptions,
  ) {
    super();
    this.renewMs = opts.renewMs ?? Math.max(1, Math.floor(opts.ttlMs / 3));
    this.retryMs = opts.retryMs ?? Math.max(1, Math.floor(opts.ttlMs / 2));
    if (this.renewMs >= opts.ttlMs) throw new RangeError('renewMs must be shorter than ttlMs');
  }

  /** The grant held now (undefined while another instance holds the lease). */
  get grant(): LeaseGrant | undefined {
    return this.current;
  }

  /** Starts trying to acquire; resolves once the first attempt is over (`acquired` emitted if it won). */
  start(): Promise<void> {
    if (!this.stopped) return this.inflight;
    this.stopped = false;
    this.run();
    return this.inflight;
  }

  private run(): void {
    this.inflight = this.tick();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.run(), ms);
    this.timer.unref(); // a lease alone does not keep the process alive
  }

  private async tick(): Promise<void> {
    const started = performance.now();
    if (!this.current) {
      const grant = await this.store.acquire(this.name, this.holder, this.opts.ttlMs).catch(() => undefined);
      if (this.stopped) {
        if (grant) await this.store.release(grant).catch(() => undefined);
        return;
      }
      if (grant) {
        this.current = grant;
        this.validUntil = started + grant.ttlMs;
        this.emit('acquired', grant);
      }
      this.schedule(grant ? this.renewMs : this.retryMs);
      return;
    }
    const grant = this.current;
    const ok = await this.store.renew(grant).catch(() => undefined);
    if (this.stopped || this.current !== grant) return;
    if (ok === true) {
      this.validUntil = started + grant.ttlMs;
      this.emit('renewed', grant);
    } else if (ok === false || performance.now() >= this.validUntil) {
      this.current = undefined;
      this.emit('lost', grant);
      this.schedule(this.retryMs);
      return;
    }
    this.schedule(this.renewMs);
  }

  /** Stops renewing and releases the grant (another instance can take it at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inflight; // an acquisition under way is given back before stop resolves
    const grant = this.current;
    this.current = undefined;
    if (grant) await this.store.release(grant).catch(() => undefined);
  }
}
