/**
 * Prometheus metrics of the SLA engine on a dedicated registry (not prom-client's global one).
 * Gauges are read from the SLA store at scrape time, so they survive restarts; counters and the sweep
 * histogram are per process.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type InDoubtCounts, registerDeliveryMetrics } from '../delivery/metrics.js';
import type { NotifyChannel } from '../notify/types.js';
import type { SlaFigures } from '../store/sla-store.js';
import type { SweepReport } from './sla-engine.js';

/** The SLA metrics and the hooks that feed the per-process ones. */
export interface SlaMetrics {
  registry: Registry;
  /** Feed with each sweep report. */
  onSweep(report: SweepReport): void;
  /** Feed with each delivery attempt. */
  onDelivery(channel: NotifyChannel, result: 'sent' | 'retry' | 'failed'): void;
}

/** Window of the first-response gauges. */
const FIRST_RESPONSE_WINDOW_MS = 30 * 86_400_000;

/** Runs `fn` at most once per `ttlMs` of real time (a scrape must not scan a million rows every few seconds). */
function throttled<T>(ttlMs: number, fn: () => Promise<T>): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T>;
  return () => {
    const t = performance.now();
    if (t - at >= ttlMs) {
      value = fn();
      at = t;
      // A failed read is not cached: the next scrape tries again.
      value.catch(() => {
        at = -Infinity;
      });
    }
    return value;
  };
}

/**
 * Creates the registry from the SLA figures and the channel outbox's in-doubt counts (bot/delivery/metrics.ts),
 * on SQLite or PostgreSQL; `now` is the injected clock; database gauges are re-read at most every `cacheMs`.
 */
export function createSlaMetrics(figures: SlaFigures, doubts: InDoubtCounts, now: () => Date, cacheMs = 15_000): SlaMetrics {
  const registry = new Registry();
  registerDeliveryMetrics(registry, doubts);
  const openRequests = throttled(cacheMs, () => figures.openRequests(now().getTime()));

  new Gauge({
    name: 'tawasul_sla_requests',
    help: 'Requests not closed, by service, department and state (open = before due date, overdue = past it)',
    labelNames: ['service', 'department', 'state'] as const,
    registers: [registry],
    async collect() {
      const rows = await openRequests();
      this.reset();
      for (const r of rows) {
        this.set({ service: r.service, department: r.department, state: 'open' }, r.open);
        this.set({ service: r.service, department: r.department, state: 'overdue' }, r.overdue);
      }
    },
  });

  new Gauge({
    name: 'tawasul_sla_escalations_fired',
    help: 'Escalations fired since the start of records, by level and role',
    labelNames: ['level', 'role'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.escalationsFiredTotal();
      this.reset();
      for (const r of rows) this.set({ level: String(r.level), role: r.role }, r.n);
    },
  });

  new Gauge({
    name: 'tawasul_sla_escalations_scheduled',
    help: 'Escalations and overdue notices waiting in the schedule',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.scheduled();
      this.reset();
      for (const r of rows) this.set({ kind: r.kind }, r.n);
    },
  });

  new Gauge({
    name: 'tawasul_sla_first_responses_30d',
    help: 'Inbound messages of the last 30 days by channel (account) and first-response outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
    async collect() {
      const t = now().getTime();
      const rows = await figures.firstResponseOutcomes(t, t - FIRST_RESPONSE_WINDOW_MS);
      this.reset();
      for (const r of rows) for (const outcome of ['met', 'missed', 'pending'] as const) this.set({ channel: r.channel, outcome }, r[outcome]);
    },
  });

  new Gauge({
    name: 'tawasul_notifications',
    help: 'Notifications in the outbox by channel and status',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await figures.notifications();
      this.reset();
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });

  const deliveries = new Counter({
    name: 'tawasul_notification_attempts_total',
    help: 'Delivery attempts by channel and result (this process)',
    labelNames: ['channel', 'result'] as const,
    registers: [registry],
  });
  const sweeps = new Histogram({
    name: 'tawasul_sla_sweep_seconds',
    help: 'Duration of SLA sweeps (this process)',
    registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  });
  const fired = new Counter({
    name: 'tawasul_sla_fired_total',
    help: 'Escalations and overdue notices fired by this process',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  return {
    registry,
    onSweep(report) {
      sweeps.observe(report.durationMs / 1000);
      if (report.escalations.length) fired.inc({ kind: 'escalation' }, report.escalations.length);
      if (report.overdueNotices.length) fired.inc({ kind: 'overdue' }, report.overdueNotices.length);
    },
    onDelivery(channel, result) {
      deliveries.inc({ channel, result });
    },
  };
}
