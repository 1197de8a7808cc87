/**
 * Builds the SLA engine on real SQLite files in a temp dir, without the rest of the app: request
 * store, working calendar, an event emitter standing in for the engine's, an injected clock, and
 * in-memory transports unless real ones are given.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type pg from 'pg';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { type Logger, silentLogger } from '../../bot/core/logger.js';
import { type DeliveryEmitter, deliveryEmitter } from '../../bot/delivery/events.js';
import type { EngineEvents } from '../../bot/engine/context.js';
import type { EmailMessage, EmailSender, SmsMessage, SmsSender } from '../../bot/notify/types.js';
import { attachSla, type Sla } from '../../bot/sla/attach.js';
import { resolutionDue } from '../../bot/sla/policy.js';
import type { SlaStore } from '../../bot/store/sla-store.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import type { NewRequest, RequestRecord, RequestStore } from '../../bot/store/types.js';
import type { TawasulConfig } from '../../config/schema.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

export const AGENT_TOKEN = 'sla-agent-token-0123456789abcdef';
export const ADMIN_TOKEN = 'sla-admin-token-0123456789abcdef';

/** Role contacts given through the config patch (tests), one address per role. */
export function roleContacts(config: TawasulConfig = loadConfig()): Array<{ id: string; email: string; phone: string }> {
  return config.roles.map((r, i) => ({ id: r.id, email: `${r.id}@bur.gov.om`, phone: `+9682400${String(1000 + i)}` }));
}

/** In-memory transports recording what was sent. */
export function memoryTransports(): { email: EmailSender & { sent: EmailMessage[] }; sms: SmsSender & { sent: SmsMessage[] } } {
  const email = {
    sent: [] as EmailMessage[],
    async send(m: EmailMessage) {
      email.sent.push(m);
      return { providerId: `e${email.sent.length}` };
    },
  };
  const sms = {
    sent: [] as SmsMessage[],
    async send(m: SmsMessage) {
      sms.sent.push(m);
      return { providerId: `s${sms.sent.length}` };
    },
  };
  return { email, sms };
}

/** A running SLA stack on a temp dir. */
export interface Harness {
  dir: string;
  config: TawasulConfig;
  sql: SqliteDatabase;
  store: RequestStore;
  calendar: WorkingCalendar;
  clock: ManualClock;
  events: EventEmitter<EngineEvents>;
  /** Delivery's events (`queued`, `sent`, `needsHuman`), as channel delivery emits them. */
  delivery: DeliveryEmitter;
  sla: Sla;
  transports: ReturnType<typeof memoryTransports>;
  /** Files a request the way the intake does (due date from the service), emits `request.filed` and waits for the SLA's pass. */
  file(serviceId: string, at: Date | string, overrides?: Partial<NewRequest>): Promise<RequestRecord>;
  /** Closes everything and opens a new stack on the same files (a restart), optionally with other options. */
  restart(next?: HarnessOptions): Promise<Harness>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  patch?: Record<string, unknown>;
  start?: string;
  transports?: { email?: EmailSender; sms?: SmsSender };
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** The request store and SLA store to use instead of the SQLite ones (PostgreSQL, the notifications with it), and its pool. */
  stores?: { requests: RequestStore; sla?: SlaStore; pool?: pg.Pool };
}

/** Starts a harness (clock: Sunday 1 Feb 2026 09:00 Muscat unless `start`). */
export async function createHarness(opts: HarnessOptions = {}, reuse?: { dir: string; cleanup: () => void; clock: ManualClock }): Promise<Harness> {
  const t = reuse ?? { ...tempDir('tawasul-sla-'), clock: new ManualClock(new Date(opts.start ?? '2026-02-01T09:00:00+04:00')) };
  const base = loadConfig();
  const config = loadConfig({ patch: { roles: roleContacts(base), ...(opts.patch ?? {}) } });
  const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
  const store = opts.stores?.requests ?? new SqliteRequestStore(sql);
  const calendar = new WorkingCalendar(config.calendar);
  const events = new EventEmitter<EngineEvents>();
  const transports = memoryTransports();
  const delivery = deliveryEmitter();
  const sla = attachSla({
    config,
    sql,
    requests: store,
    ...(opts.stores?.sla ? { store: opts.stores.sla } : {}),
    ...(opts.stores?.pool ? { postgres: opts.stores.pool } : {}),
    calendar,
    clock: t.clock,
    logger: opts.logger ?? silentLogger,
    events,
    delivery,
    env: opts.env ?? {},
    agentTokens: new Map([['agent1', AGENT_TOKEN]]),
    adminTokens: new Map([['admin1', ADMIN_TOKEN]]),
    transports: opts.transports ?? transports,
  });
  await sla.ready();
  const services = new Map(config.services.map((s) => [s.id, s]));
  const h: Harness = {
    dir: t.dir,
    config,
    sql,
    store,
    calendar,
    clock: t.clock,
    events,
    delivery,
    sla,
    transports,
    async file(serviceId, at, overrides = {}) {
      const filedAt = new Date(at);
      const service = services.get(serviceId);
      const rec = await store.create({
        serviceId,
        department: service?.department ?? 'training',
        applicant: { name: 'سالم بن علي', civilId: '12345678', phone: '92345678', email: 'salem@example.om' },
        description: 'وصف الطلب',
        attachments: [],
        language: 'ar',
        channel: 'webchat',
        conversationKey: 'webchat:t',
        filedAt,
        dueAt: resolutionDue(calendar, service, config, filedAt),
        ...overrides,
      });
      events.emit('request.filed', rec);
      // The listener's pass runs asynchronously; a pass queued after it resolves once it is done.
      await sla.engine.processEvents(t.clock.now());
      return rec;
    },
    async restart(next) {
      await sla.stop();
      sql.close();
      return createHarness(next ?? opts, t);
    },
    async close() {
      await sla.stop();
      sql.close();
      t.cleanup();
    },
  };
  return h;
}

/** An instant in Muscat time: `at('2026-02-08 14:20')`. */
export function at(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}:00+04:00`);
}
