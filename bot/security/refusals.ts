/**
 * Refused requests (bad signatures, oversized or slow bodies, rate limits, malformed input): counted
 * in the Prometheus counter `tawasul_http_refused_total{reason,route}` and logged at a bounded rate,
 * the first refusal of a reason at once, then one summary line per interval, however many arrive.
 */
import { performance } from 'node:perf_hooks';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';

/** Counts and logs refusals. */
export class Refusals {
  readonly counter: Counter<'reason' | 'route'>;
  private readonly pending = new Map<string, number>();
  private readonly seen = new Set<string>();
  private lastLog = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.counter = new Counter({
      name: 'tawasul_http_refused_total',
      help: 'HTTP requests refused before reaching a handler, by reason and route (this process)',
      labelNames: ['reason', 'route'] as const,
      registers: [],
    });
  }

  /** Adds the counter to a registry (the one served at /metrics). */
  register(registry: Registry): void {
    registry.registerMetric(this.counter);
  }

  /** Records one refusal; `route` must come from code (a route pattern), never from the request. */
  record(reason: string, route: string): void {
    this.counter.inc({ reason, route });
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + 1);
    const t = this.now();
    if (!this.seen.has(reason) || t - this.lastLog >= this.intervalMs) {
      this.seen.add(reason);
      this.flush(t);
    }
  }

  private flush(t: number): void {
    if (this.pending.size === 0) return;
    this.logger.warn(
      { refused: Object.fromEntries(this.pending), sinceMs: Number.isFinite(this.lastLog) ? Math.round(t - this.lastLog) : 0 },
      'requests refused',
    );
    this.pending.clear();
    this.lastLog = t;
  }
}
