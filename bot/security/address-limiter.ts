/** A fixed-window counter per client address, in memory (per process; a restart forgets it). */
import { performance } from 'node:perf_hooks';
import type { RateLimit } from './settings.js';

interface Entry {
  start: number;
  count: number;
  blockedUntil: number;
}

/** Counts hits per key; `hit` says whether the key is over its limit. */
export class AddressLimiter {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts one hit; returns 0 when allowed, else the seconds until the key may try again. */
  hit(key: string): number {
    const t = this.now();
    const windowMs = this.limit.durationSec * 1000;
    this.sweep(t, windowMs);
    let e = this.entries.get(key);
    if (e && e.blockedUntil > t) return Math.ceil((e.blockedUntil - t) / 1000);
    if (!e || t - e.start >= windowMs) {
      e = { start: t, count: 0, blockedUntil: 0 };
      this.entries.set(key, e);
    }
    e.count++;
    if (e.count <= this.limit.points) return 0;
    e.blockedUntil = this.limit.blockSec ? t + this.limit.blockSec * 1000 : e.start + windowMs;
    return Math.max(1, Math.ceil((e.blockedUntil - t) / 1000));
  }

  /** Seconds the key is still blocked for, without counting a hit. */
  blocked(key: string): number {
    const e = this.entries.get(key);
    const t = this.now();
    return e && e.blockedUntil > t ? Math.ceil((e.blockedUntil - t) / 1000) : 0;
  }

  private sweep(t: number, windowMs: number): void {
    if (t - this.lastSweep < windowMs) return;
    this.lastSweep = t;
    for (const [k, e] of this.entries) if (t - e.start >= windowMs && e.blockedUntil <= t) this.entries.delete(k);
  }
}
