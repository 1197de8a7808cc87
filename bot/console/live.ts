/**
 * The console's live feed: fans the engine's events (conversation changes, filed requests) and new
 * system notifications (escalations) out to server-sent-event streams. Events are written to a
 * durable log first (ConsoleStore), so that a console reconnecting with Last-Event-ID after a
 * network drop or a server restart catches up, and never sees an event twice. Work is deferred out
 * of the engine's emit, so the resident's path never waits for the console. Instances sharing one
 * log (PostgreSQL) fan out each other's events on a bus nudge, and at the latest at the next poll.
 */
import type { Request, Response } from 'express';
import type { TawasulConfig } from '../../config/schema.js';
import type { Logger } from '../core/logger.js';
import { SerialQueue } from '../core/serial-queue.js';
import type { Clock, EngineEvents } from '../engine/context.js';
import type { Engine } from '../engine/engine.js';
import type { Bus } from '../scale/live-bus.js';
import type { Sla } from '../sla/attach.js';
import type { RequestRecord } from '../store/types.js';
import type { Principal } from './auth.js';
import { chatSummary } from './deps.js';
import type { ConsoleQueries } from './queries.js';
import type { Audience, ConsoleStore, LiveEvent } from './store.js';

interface Subscriber {
  principal: Principal;
  res: Response;
  lastSent: number;
  closed: boolean;
}

/** What the hub needs. */
export interface LiveHubDeps {
  store: ConsoleStore;
  queries: ConsoleQueries;
  sla: Sla;
  engine: Engine;
  config: TawasulConfig;
  clock: Clock;
  logger: Logger;
  /** How often new system notifications and other instances' events are looked for (ms); default 1000. */
  pollMs?: number;
  /** Nudges from and to the other instances sharing the event log (bot/scale/live-bus.ts). */
  bus?: Bus;
}

/** True when the principal may see the event. */
export function visible(p: Principal, e: Pick<LiveEvent, 'audience' | 'department' | 'type'>): boolean {
  if (p.role === 'supervisor') return true;
  if (p.role === 'agent') return e.audience === 'chats';
  if (p.role === 'department') return e.audience === 'requests' && e.department !== undefined && p.departments.includes(e.department);
  return e.type === 'notification'; // admins: the escalation badge only
}

/** The live-event hub. */
export class LiveHub {
  private readonly subs = new Set<Subscriber>();
  private readonly active = new Set<string>();
  private readonly pending = new Map<string, string>();
  private lastNotification = 0;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private flushing = false;
  /** The newest event of the log fanned out to the streams (read from the log before the first fan-out). */
  private fanned = 0;
  /** Fan-outs and streams' catch-ups, one at a time and in order (a stream joins between two fan-outs). */
  private readonly log = new SerialQueue();
  /** A fan-out given but not started yet (later calls share it: it will read everything appended before it starts). */
  private fanning: Promise<void> | undefined;
  private readonly polls = new SerialQueue();
  /** Resolves once start() has read where the notifications stand. */
  private started: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  // A bot-only chat costs the resident's path nothing: its turns are ignored without a lookup.
  private readonly onChanged = (e: EngineEvents['conversation.changed'][0]): void => {
    if (e.reason === 'turn' && !this.active.has(e.key)) return;
    this.queue(e.key, e.reason);
  };
  private readonly onQueued = (e: EngineEvents['handoff.queued'][0]): void => {
    this.active.add(e.key);
  };
  private readonly onFiled = (r: RequestRecord): void => {
    setImmediate(() => this.guard(() => this.requestChanged(r, 'filed')));
  };

  constructor(private readonly d: LiveHubDeps) {
    this.guard(() =>
      this.log.run(async () => {
        this.fanned = await d.store.lastId();
      }),
    );
  }

  /** Subscribes to the engine and starts looking for new system notifications. */
  start(): void {
    const { conversations } = this.d.engine.deps;
    this.guard(async () => {
      for (const c of (await Promise.all([conversations.waiting(10_000), conversations.held()])).flat()) this.active.add(c.key);
    });
    this.started = (async () => {
      this.lastNotification = await this.d.sla.system.lastId();
    })();
    this.guard(() => this.started);
    this.d.engine.events.on('conversation.changed', this.onChanged);
    this.d.engine.events.on('handoff.queued', this.onQueued);
    this.d.engine.events.on('request.filed', this.onFiled);
    // Another instance appended to the shared log: fan its events out here too.
    this.unsubscribe = this.d.bus?.subscribe('console', () => this.guard(() => this.fanOut()));
    this.timer = setInterval(() => {
      this.guard(() => this.pollNotifications().then(() => undefined));
      this.guard(() => this.fanOut());
    }, this.d.pollMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => {
      for (const s of this.subs) s.res.write(': ping\n\n');
    }, 25_000);
    this.heartbeat.unref();
  }

  /** Writes the changes still queued for the next pass of the event loop, detaches from the engine and ends every stream. */
  stop(): void {
    // A turn answered just before a stop must still reach the durable log (a reconnecting console catches up from it).
    this.flushPending();
    this.d.engine.events.off('conversation.changed', this.onChanged);
    this.d.engine.events.off('handoff.queued', this.onQueued);
    this.d.engine.events.off('request.filed', this.onFiled);
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const s of this.subs) s.res.end();
    this.subs.clear();
  }

  /** Number of open streams. */
  get streams(): number {
    return this.subs.size;
  }

  private guard(fn: () => void | Promise<void>): void {
    const failed = (err: unknown): void => {
      this.d.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'console: live event failed');
    };
    try {
      fn()?.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private queue(key: string, reason: string): void {
    this.pending.set(key, reason);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flushPending());
  }

  private flushPending(): void {
    this.flushing = false;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [k, r] of batch) this.guard(() => this.conversationChanged(k, r));
  }

  private async conversationChanged(key: string, reason: string): Promise<void> {
    const c = await this.d.engine.deps.conversations.get(key);
    if (!c) return;
    if (c.owner === 'bot' && !this.active.has(key) && reason === 'turn') return; // a chat the console never saw: nothing to show
    if (c.owner === 'bot') this.active.delete(key);
    else this.active.add(key);
    await this.publish('conversation', 'chats', undefined, { ...(await chatSummary(this.d, c)), reason });
  }

  /** Announces a request filed or changed (console actions call this). */
  requestChanged(r: RequestRecord, reason: string): void {
    this.guard(() => this.publish('request', 'requests', r.department, { reference: r.reference, serviceId: r.serviceId, status: r.status, reason }));
  }

  /** Publishes system notifications stored since the last look (escalations of the SLA sweep); resolves to how many. */
  pollNotifications(): Promise<number> {
    return this.polls.run(async () => {
      await this.started;
      const rows = await this.d.sla.system.since(this.lastNotification, 500);
      for (const n of rows) {
        this.lastNotification = n.id;
        await this.publish('notification', 'requests', n.department, {
          id: n.id,
          role: n.role,
          kind: n.kind,
          level: n.level ?? null,
          reference: n.reference ?? null,
          title: n.title,
          createdAt: n.createdAt.toISOString(),
        });
      }
      return rows.length;
    });
  }

  private async publish(type: string, audience: Audience, department: string | undefined, payload: Record<string, unknown>): Promise<void> {
    const e = await this.d.store.append({ at: this.d.clock.now(), type, audience, ...(department ? { department } : {}), payload });
    await this.fanOut();
    this.d.bus?.publish('console', String(e.id));
  }

  /** Writes the log's events not fanned out yet (this instance's and other instances') to the streams. */
  private fanOut(): Promise<void> {
    this.fanning ??= this.log.run(async () => {
      await null; // run() may start this at once, before `fanning` holds it: clear it only after
      this.fanning = undefined;
      for (let batch = await this.d.store.after(this.fanned); batch.length > 0; batch = await this.d.store.after(this.fanned)) {
        for (const e of batch) {
          this.fanned = e.id;
          for (const s of this.subs) if (visible(s.principal, e)) this.write(s, e);
        }
      }
    });
    return this.fanning;
  }

  private write(s: Subscriber, e: LiveEvent): void {
    if (e.id <= s.lastSent) return;
    s.lastSent = e.id;
    s.res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ ...e.payload, eventId: e.id })}\n\n`);
  }

  /** Serves one SSE stream: the events after Last-Event-ID (header, or `lastEventId` query), then live ones; resolves once it is live. */
  stream(req: Request, res: Response, principal: Principal): Promise<void> {
    const raw = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    const last = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const sub: Subscriber = { principal, res, lastSent: 0, closed: false };
    res.on('close', () => {
      sub.closed = true;
      this.subs.delete(sub);
    });
    // In the fan-outs' queue: no fan-out runs while the stream catches up, and the next one sees it.
    return this.log.run(async () => {
      if (last === undefined) {
        sub.lastSent = await this.d.store.lastId();
        res.write(`id: ${sub.lastSent}\nevent: ready\ndata: ${JSON.stringify({ lastEventId: sub.lastSent })}\n\n`);
      } else {
        sub.lastSent = last;
        for (let batch = await this.d.store.after(last); batch.length > 0 && !sub.closed; batch = await this.d.store.after(sub.lastSent)) {
          const before = sub.lastSent;
          for (const e of batch) {
            if (visible(principal, e)) this.write(sub, e);
            else sub.lastSent = e.id;
          }
          if (sub.lastSent === before) break;
        }
        res.write(`event: ready\ndata: ${JSON.stringify({ lastEventId: sub.lastSent })}\n\n`);
      }
      if (!sub.closed) this.subs.add(sub);
    });
  }
}
