/**
 * Wires the SLA engine into a Tawasul instance: listens to the engine's events, builds the outbox
 * with its transports from configuration and environment, and offers the routers to mount
 * (/api/agent SLA routes, /api/admin, /metrics) and the periodic sweep to start. With `postgres`
 * every table it uses (schedule, notifications, metrics' figures) is on PostgreSQL; the notification
 * stores are always the SLA store's, so notices commit in its transactions.
 */
import type { EventEmitter } from 'node:events';
import express, { type Express, type Router } from 'express';
import type pg from 'pg';
import type { TawasulConfig } from '../../config/schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { Logger } from '../core/logger.js';
import type { DeliveryEmitter } from '../delivery/events.js';
import { Outbox } from '../delivery/outbox.js';
import type { Clock, EngineEvents } from '../engine/context.js';
import { parseAgentTokens, requireAgent } from '../http/agent-auth.js';
import { resolveEmailSettings, SmtpEmailSender } from '../notify/email.js';
import { NotificationOutbox, type Recipient } from '../notify/outbox.js';
import { HttpSmsSender, resolveSmsSettings } from '../notify/sms.js';
import type { SystemNotifications } from '../notify/system.js';
import { NotificationTemplates } from '../notify/templates.js';
import type { EmailSender, NotifyChannel, SmsSender } from '../notify/types.js';
import type { Bus } from '../scale/live-bus.js';
import { PostgresSlaStore } from '../store/postgres/sla-store.js';
import { PostgresOutbox } from '../store/postgres/turn-delivery.js';
import type { SlaStore } from '../store/sla-store.js';
import { SqliteSlaStore } from '../store/sqlite/sla-store.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import type { RequestStore } from '../store/types.js';
import { slaAdminRouter } from './admin-router.js';
import { slaAgentRouter } from './agent-router.js';
import { SlaContext } from './context.js';
import { FirstResponseTracker } from './first-response.js';
import { HolidayAdmin } from './holiday-admin.js';
import { SlaMessages } from './messages.js';
import { createSlaMetrics, type SlaMetrics } from './metrics.js';
import { SlaEngine } from './sla-engine.js';

/** The bus topic of holiday changes. */
const CALENDAR_TOPIC = 'calendar';

/** What `attachSla` needs (the engine's deps fit: `attachSla({ ...engine.deps, sql, agentTokens })`). */
export interface AttachSlaOptions {
  config: TawasulConfig;
  sql: SqliteDatabase;
  /** PostgreSQL (TAWASUL_DATABASE_URL): the SLA store, notifications and metrics' figures on it instead of `sql`. */
  postgres?: pg.Pool;
  /** The SLA's read model and tables, notifications included (default: on `postgres`, else on `sql`). */
  store?: SlaStore;
  requests: RequestStore;
  /** The live calendar shared with the engine; holiday changes are applied to it. */
  calendar: WorkingCalendar;
  clock: Clock;
  logger: Logger;
  /** The engine's events (`request.filed`, `reply.produced`). */
  events?: EventEmitter<EngineEvents>;
  /** Delivery's events (`queued`, `sent`, `needsHuman`), for the first-response records. */
  delivery?: DeliveryEmitter;
  env?: NodeJS.ProcessEnv;
  agentTokens: Map<string, string>;
  /** Admin tokens (default: TAWASUL_ADMIN_TOKENS, "id:token,…"; none means the admin API refuses everyone). */
  adminTokens?: Map<string, string>;
  reloadConfig?: () => TawasulConfig;
  /** Nudges between instances: a holiday change made on one is applied to every instance's calendar. */
  bus?: Bus;
  /** Transports to use instead of those built from configuration (tests). */
  transports?: { email?: EmailSender; sms?: SmsSender };
  templatesDir?: string;
}

/** The attached SLA engine. */
export interface Sla {
  ctx: SlaContext;
  /** The SLA's read model and tables. */
  store: SlaStore;
  engine: SlaEngine;
  holidays: HolidayAdmin;
  firstResponse: FirstResponseTracker;
  outbox: NotificationOutbox;
  system: SystemNotifications;
  metrics: SlaMetrics;
  routers: { agent: Router; admin: Router; metrics: Router };
  /** Mounts the SLA routes: /api/agent (actions, notifications), /api/admin, /metrics. */
  mount(app: Express): void;
  /** Resolves once the stored holiday overrides are applied and the engine's first-start adoption is done. */
  ready(): Promise<void>;
  /** Finishes interrupted recomputations and starts the periodic sweep. */
  start(): Promise<void>;
  /** Stops the sweep, waits for the first-response writes under way, detaches the listeners, closes transports. */
  stop(): Promise<void>;
}

/** Builds the SLA engine on the given stores and calendar. */
export function attachSla(o: AttachSlaOptions): Sla {
  const env = o.env ?? process.env;
  const ctx = new SlaContext(o.config, o.calendar);
  const store = o.store ?? (o.postgres ? new PostgresSlaStore(o.postgres) : new SqliteSlaStore(o.sql));
  const system = store.system;
  const metricsRef: { m?: SlaMetrics } = {};
  const resolve = async (r: Recipient, channel: NotifyChannel): Promise<string | undefined> => {
    if (r.kind === 'role') {
      const role = ctx.roles.get(r.id);
      return channel === 'email' ? role?.email : role?.phone;
    }
    const row = await store.requests.contact(Number(r.id));
    return (channel === 'email' ? row?.email : row?.phone) || undefined;
  };
  const transports = (config: TawasulConfig): { email?: EmailSender; sms?: SmsSender } => {
    const es = resolveEmailSettings(config.sla.notifications.email, env);
    const ss = resolveSmsSettings(config.sla.notifications.sms, env);
    return { ...(es ? { email: new SmtpEmailSender(es) } : {}), ...(ss ? { sms: new HttpSmsSender(ss) } : {}) };
  };
  const built = { ...transports(o.config), ...o.transports };
  const outbox = new NotificationOutbox(store.notices, {
    retry: o.config.sla.notifications.retry,
    calendar: o.calendar,
    staffHours: o.config.sla.staffHours,
    resolve,
    logger: o.logger,
    clock: o.clock,
    ...built,
    onResult: (channel, result) => metricsRef.m?.onDelivery(channel, result),
  });
  const engine = new SlaEngine({
    ctx,
    store,
    requests: o.requests,
    clock: o.clock,
    logger: o.logger,
    outbox,
    messages: new SlaMessages(ctx, new NotificationTemplates(o.templatesDir)),
    onSweep: (report) => metricsRef.m?.onSweep(report),
  });
  const holidays = new HolidayAdmin(store, ctx, engine, o.requests, o.logger, () => o.bus?.publish(CALENDAR_TOPIC, 'changed'));
  const logFailure = (what: string) => (err: unknown) =>
    o.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, what }, 'sla: listener failed');
  const firstResponse = new FirstResponseTracker(store.firstResponses, ctx, logFailure('first response'));
  const metrics = createSlaMetrics(store.figures, o.postgres ? new PostgresOutbox(o.postgres) : new Outbox(o.sql), () => o.clock.now());
  metricsRef.m = metrics;

  // Listeners must never throw into the engine's emit.
  const guard =
    <A extends unknown[]>(what: string, fn: (...a: A) => void) =>
    (...a: A): void => {
      try {
        fn(...a);
      } catch (err) {
        o.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, what }, 'sla: listener failed');
      }
    };
  const onFiled = guard('request.filed', () => {
    engine.processEvents(o.clock.now()).catch(logFailure('request.filed'));
  });
  const onReply = guard('reply.produced', (e: EngineEvents['reply.produced'][0]) => firstResponse.onReplyProduced(e));
  o.events?.on('request.filed', onFiled);
  o.events?.on('reply.produced', onReply);
  const onQueued = guard('queued', firstResponse.onQueued.bind(firstResponse));
  const onNeedsHuman = guard('needsHuman', firstResponse.onNeedsHuman.bind(firstResponse));
  const onSent = guard('sent', firstResponse.onSent.bind(firstResponse));
  o.delivery?.on('queued', onQueued);
  o.delivery?.on('needsHuman', onNeedsHuman);
  o.delivery?.on('sent', onSent);
  // Another instance changed the holidays: apply the stored overrides to this instance's calendar.
  const unsubscribe = o.bus?.subscribe(CALENDAR_TOPIC, () => {
    holidays.refresh().catch(logFailure('calendar refresh'));
  });

  const ready = async (): Promise<void> => {
    await Promise.all([holidays.whenReady(), engine.whenReady()]);
  };

  const adminTokens = o.adminTokens ?? parseAgentTokens(env.TAWASUL_ADMIN_TOKENS);
  const admin = slaAdminRouter({
    ctx,
    figures: store.figures,
    clock: o.clock,
    holidays,
    outbox,
    tokens: adminTokens,
    sweep: (now) => engine.sweep(now),
    ...(o.reloadConfig ? { reloadConfig: o.reloadConfig } : {}),
    onConfig: (config) => outbox.setTransports({ ...transports(config), ...o.transports }),
  });
  const agent = slaAgentRouter({ engine, system, clock: o.clock, tokens: o.agentTokens });
  const metricsRouter = express.Router();
  const metricsTokens = parseAgentTokens(env.TAWASUL_METRICS_TOKENS);
  if (metricsTokens.size > 0) metricsRouter.use('/metrics', requireAgent(metricsTokens));
  metricsRouter.get('/metrics', async (_req, res, next) => {
    try {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (err) {
      next(err);
    }
  });

  return {
    ctx,
    store,
    engine,
    holidays,
    firstResponse,
    outbox,
    system,
    metrics,
    routers: { agent, admin, metrics: metricsRouter },
    mount(app) {
      app.use('/api/agent', agent);
      app.use('/api/admin', admin);
      app.use(metricsRouter);
    },
    ready,
    async start() {
      await ready();
      await holidays.resumePending(o.clock.now());
      engine.start();
    },
    async stop() {
      await engine.stop();
      await firstResponse.settled();
      o.events?.off('request.filed', onFiled);
      o.events?.off('reply.produced', onReply);
      o.delivery?.off('queued', onQueued);
      o.delivery?.off('needsHuman', onNeedsHuman);
      o.delivery?.off('sent', onSent);
      unsubscribe?.();
      built.email?.close?.();
    },
  };
}
