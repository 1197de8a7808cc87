/**
 * Assembles Tawasul: configuration, stores, classifier, engine, channel adapters and the HTTP
 * server, on the embedded default (SQLite files under the data directory) or, with
 * TAWASUL_DATABASE_URL, on PostgreSQL; with TAWASUL_REDIS_URL, provider quotas, the X/IMAP leases,
 * the per-conversation locks and the console's live events are shared with the other instances.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { ChannelAdapter } from '../channels/types.js';
import type { TawasulConfig } from '../config/schema.js';
import { WorkingCalendar } from './calendar/working-calendar.js';
import { loadConfig } from './config/load.js';
import { syncOverlay } from './config/shared-overlay.js';
import { type Console, createConsole } from './console/index.js';
import { ConfigError } from './core/errors.js';
import { createLogger, type Logger } from './core/logger.js';
import { Templates } from './core/templates.js';
import { ChannelDelivery } from './delivery/channel-delivery.js';
import { Inbox } from './delivery/inbox.js';
import { Outbox } from './delivery/outbox.js';
import { type Clock, systemClock } from './engine/context.js';
import { Engine } from './engine/engine.js';
import { importKeyvStateFile, SqlStateStore, type TurnStateStore } from './engine/state.js';
import { SqliteTransactions, type Transactions, type TurnTx } from './engine/turn-tx.js';
import { agentApi } from './http/agent-api.js';
import { parseAgentTokens } from './http/agent-auth.js';
import { createHttpApp, listenHttp } from './http/server.js';
import { type OwnedClassifier, openClassifier } from './nlu/classifier.js';
import type { Classifier } from './nlu/types.js';
import { notificationReadiness, warnMissing } from './notify/readiness.js';
import { postgresCheck, readinessRouter, sqliteCheck } from './scale/health.js';
import { openScale, type Scale } from './scale/scale.js';
import { DataDirLock, secureDataDir } from './security/data-dir.js';
import { FieldCipher } from './security/field-cipher.js';
import { type SecuritySettings, securitySettings } from './security/settings.js';
import { attachSla } from './sla/attach.js';
import { SqliteConversationStore } from './store/conversation-store.js';
import { migrateChannelsPostgres } from './store/postgres/channel-schema.js';
import { PostgresOverlayCopy } from './store/postgres/config-overlay.js';
import { databaseUrl } from './store/postgres/database.js';
import { openPostgresStores, type PostgresStores } from './store/postgres/stores.js';
import { loadChannelDefinition, migrateSchema, startedChannels } from './store/schema.js';
import { SqliteDatabase } from './store/sqlite-database.js';
import { SqliteRequestStore } from './store/sqlite-request-store.js';

/** The admins' configuration overlay in the data directory (merged over config/). */
const OVERLAY_FILE = 'config.local.yaml';
/** The bus topic of overlay changes (the shared copy changed: follow it). */
const CONFIG_TOPIC = 'config';

/** Options of `createTawasul`. */
export interface TawasulOptions {
  dataDir: string;
  configDir?: string;
  /** Extra configuration merged over the files (tests). */
  configPatch?: Record<string, unknown>;
  clock?: Clock;
  logger?: Logger;
  classifier?: Classifier;
  /** The conversation state of a turn, on the given database (default: its `conversation_state` table). */
  state?: (sql: SqliteDatabase) => TurnStateStore;
  /** The end-of-turn transactions over the given stores (default: `SqliteTransactions`; tests inject faults). */
  transactions?: (sql: SqliteDatabase, views: TurnTx) => Transactions;
  env?: NodeJS.ProcessEnv;
  /** Start only these channel ids (default: every enabled channel). */
  channels?: string[];
  /** Overrides of the HTTP limits and timeouts (bot/security/settings.ts; tests). */
  security?: Partial<SecuritySettings>;
}

/** A running (or ready) Tawasul instance. */
export interface Tawasul {
  config: TawasulConfig;
  engine: Engine;
  /** The embedded database: SQLite under the data directory; with TAWASUL_DATABASE_URL an empty one in memory. */
  sql: SqliteDatabase;
  http: Express;
  adapters: Map<string, ChannelAdapter>;
  /** Agent id → token in use. */
  agentTokens: Map<string, string>;
  /** True when personal fields of requests are encrypted at rest (TAWASUL_DATA_KEY). */
  encrypted: boolean;
  /** The staff web console (/console, /api/console). */
  console: Console;
  /** Provider quotas and leases: shared through Redis when TAWASUL_REDIS_URL is set, else in process. */
  scale: Scale;
  /** The PostgreSQL stores when TAWASUL_DATABASE_URL is set. */
  postgres?: PostgresStores;
  listen(port: number, host?: string): Promise<Server>;
  close(): Promise<void>;
}

/**
 * Loads agent tokens from the environment, or creates one in the data directory on first start; on
 * PostgreSQL (`shared`) instances must share them, so they come from the environment only.
 */
function agentTokens(env: NodeJS.ProcessEnv, dataDir: string, shared: boolean): Map<string, string> {
  const fromEnv = parseAgentTokens(env.TAWASUL_AGENT_TOKENS);
  if (fromEnv.size > 0) return fromEnv;
  if (shared) {
    throw new ConfigError(
      'TAWASUL_AGENT_TOKENS: required with TAWASUL_DATABASE_URL (every instance must accept the same agent tokens: "id:token,…")',
      'environment',
      'TAWASUL_AGENT_TOKENS',
    );
  }
  const file = join(dataDir, 'agent-tokens.txt');
  if (!existsSync(file)) writeFileSync(file, `agent:${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return parseAgentTokens(readFileSync(file, 'utf8').split('\n').join(','));
}

/**
 * The PostgreSQL stores when TAWASUL_DATABASE_URL is set (migrated, with the started channels'
 * modules), undefined for the embedded SQLite default.
 */
async function openPostgres(
  env: NodeJS.ProcessEnv,
  config: TawasulConfig,
  channels: string[] | undefined,
  cipher: FieldCipher | undefined,
  logger: Logger,
): Promise<PostgresStores | undefined> {
  if (!env.TAWASUL_DATABASE_URL) return undefined;
  const stores = await openPostgresStores(databaseUrl(env), {
    ...(cipher ? { cipher } : {}),
    onIdleError: (err) => logger.warn({ error: err.name }, 'PostgreSQL: an idle connection failed'),
  });
  try {
    const applied = [...stores.applied, ...(await migrateChannelsPostgres(stores.pool, config, channels))];
    logger.info({ database: 'postgresql', applied: applied.length }, 'stores on PostgreSQL');
  } catch (err) {
    await stores.close();
    throw err;
  }
  return stores;
}

/** Builds Tawasul from configuration; nothing listens until `listen`. */
export async function createTawasul(opts: TawasulOptions): Promise<Tawasul> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger();
  const clock = opts.clock ?? systemClock;
  mkdirSync(opts.dataDir, { recursive: true });
  secureDataDir(opts.dataDir);
  const security = securitySettings(env, opts.security);
  const loadOptions = {
    ...(opts.configDir ? { dir: opts.configDir } : {}),
    overlays: [join(opts.dataDir, OVERLAY_FILE), ...(env.TAWASUL_CONFIG_OVERLAY ? [env.TAWASUL_CONFIG_OVERLAY] : [])],
    ...(opts.configPatch ? { patch: opts.configPatch } : {}),
  };
  const config = loadConfig(loadOptions);
  const cipher = FieldCipher.fromEnv(env);
  const lock = DataDirLock.acquire(opts.dataDir);
  let scale: Scale | undefined;
  try {
    scale = await openScale(env, clock, logger);
    return await assemble(opts, { env, logger, clock, loadOptions, config, cipher, security, lock, scale });
  } catch (err) {
    await scale?.close();
    lock.release();
    throw err;
  }
}

/** The rest of `createTawasul`, once the data directory is locked (released by the caller on failure). */
async function assemble(
  opts: TawasulOptions,
  {
    env,
    logger,
    clock,
    loadOptions,
    config: loaded,
    cipher,
    security,
    lock,
    scale,
  }: {
    env: NodeJS.ProcessEnv;
    logger: Logger;
    clock: Clock;
    loadOptions: Parameters<typeof loadConfig>[0];
    config: TawasulConfig;
    cipher: FieldCipher | undefined;
    security: SecuritySettings;
    lock: DataDirLock;
    scale: Scale;
  },
): Promise<Tawasul> {
  let config = loaded;
  if (!cipher) logger.warn('personal data at rest is NOT encrypted: set TAWASUL_DATA_KEY (docs/security.md)');
  const tokens = agentTokens(env, opts.dataDir, Boolean(env.TAWASUL_DATABASE_URL));
  // On PostgreSQL no database file is opened: the embedded stores the modules still build live in
  // memory and stay empty (every store is chosen on PostgreSQL; test/scale/app-postgres.test.ts checks it).
  const sql = new SqliteDatabase(env.TAWASUL_DATABASE_URL ? ':memory:' : join(opts.dataDir, 'tawasul.sqlite'), { backgroundCheckpoint: true });
  try {
    const { applied } = await migrateSchema(sql, config, opts.channels);
    if (applied.length > 0) logger.info({ applied: applied.length }, 'schema migrated');
  } catch (err) {
    sql.close();
    throw err;
  }
  let postgres: PostgresStores | undefined;
  try {
    postgres = await openPostgres(env, config, opts.channels, cipher, logger);
  } catch (err) {
    sql.close();
    throw err;
  }
  const overlayFile = join(opts.dataDir, OVERLAY_FILE);
  const overlayCopy = postgres ? new PostgresOverlayCopy(postgres.pool) : undefined;
  try {
    // The admins' overlay is shared: this instance's file follows the shared copy (or seeds it).
    if (overlayCopy && (await syncOverlay(overlayFile, overlayCopy, clock.now()))) config = loadConfig(loadOptions);
  } catch (err) {
    await postgres?.close();
    sql.close();
    throw err;
  }
  if (postgres && scale.mode !== 'redis') logger.warn('PostgreSQL without TAWASUL_REDIS_URL: run ONE instance (quotas and conversation locks stay in process)');
  let views: TurnTx;
  let transactions: Transactions;
  if (postgres) {
    views = postgres.turn;
    transactions = postgres.transactions;
  } else {
    const state = opts.state?.(sql) ?? new SqlStateStore(sql);
    importKeyvStateFile(sql, join(opts.dataDir, 'state.sqlite'), clock.now());
    views = { inbox: new Inbox(sql), state, conversations: new SqliteConversationStore(sql), outbox: new Outbox(sql) };
    transactions = opts.transactions?.(sql, views) ?? new SqliteTransactions(sql, views);
  }
  const { inbox, state, conversations, outbox } = views;
  const readiness = notificationReadiness(config, env);
  warnMissing(readiness, logger);
  // A classifier passed in is the caller's; one opened here is closed with the app.
  const owned: OwnedClassifier | undefined = opts.classifier ? undefined : await openClassifier({ cacheDir: join(opts.dataDir, 'cache') }, env, logger);
  const classifier = opts.classifier ?? owned!;
  const engine = new Engine({
    deps: {
      config,
      templates: new Templates(),
      calendar: new WorkingCalendar(config.calendar),
      classifier,
      requests: postgres?.requests ?? new SqliteRequestStore(sql, undefined, undefined, cipher ? { cipher } : {}),
      conversations,
      clock,
      logger,
      notifications: readiness.residentPromise,
    },
    state,
    inbox,
    transactions,
    locks: scale.locks,
  });

  const delivery = new ChannelDelivery({ outbox, transactions });
  const adapters = new Map<string, ChannelAdapter>();
  for (const ch of startedChannels(config, opts.channels)) {
    const def = await loadChannelDefinition(ch.type, ch.id);
    const options = def.options.safeParse(ch.options);
    if (!options.success) {
      const issue = options.error.issues[0]!;
      const field = `channels.${ch.id}.options.${issue.path.join('.')}`;
      throw new ConfigError(`config/channels.yaml: ${field}: ${issue.message}`, 'config/channels.yaml', field);
    }
    adapters.set(
      ch.id,
      def.create(
        { channel: ch, config, engine, logger, clock, sql, ...(postgres ? { postgres: postgres.pool } : {}), delivery, dataDir: opts.dataDir, env, scale },
        options.data,
      ),
    );
  }
  engine.setSink(async (channel, conversationId, replies) => {
    await adapters.get(channel)?.send(conversationId, replies);
  });

  const sla = attachSla({
    ...engine.deps,
    sql,
    ...(postgres ? { store: postgres.sla, postgres: postgres.pool } : {}),
    env,
    agentTokens: tokens,
    delivery: delivery.events,
    bus: scale.bus,
    reloadConfig: () => loadConfig(loadOptions),
  });
  const staff = createConsole({
    config,
    engine,
    sql,
    sla,
    clock,
    logger,
    env,
    agentTokens: tokens,
    bus: scale.bus,
    ...(postgres ? { postgres: postgres.pool } : {}),
    overlay: {
      file: overlayFile,
      reload: () => loadConfig(loadOptions),
      ...(overlayCopy
        ? {
            publish: async (content: string) => {
              await overlayCopy.write(content, clock.now());
              scale.bus.publish(CONFIG_TOPIC, 'changed');
            },
          }
        : {}),
    },
  });
  const http = createHttpApp(
    logger,
    (app, direct) => {
      // Adapters first: their routes are exact paths, and a message then passes no other router.
      for (const a of adapters.values()) {
        const router = express.Router();
        a.routes?.(router);
        app.use(router);
        for (const route of a.directRoutes ?? []) direct(route);
      }
      app.use(readinessRouter([postgres ? postgresCheck(postgres.pool) : sqliteCheck(sql), ...scale.checks], { logger }));
      app.use(staff.router);
      app.use('/api/agent', agentApi(engine, tokens));
      sla.mount(app);
    },
    { settings: security, registry: sla.metrics.registry },
  );

  // Another instance changed the shared overlay: follow it and apply the configuration it gives.
  const unsubscribe = overlayCopy
    ? scale.bus.subscribe(CONFIG_TOPIC, () => {
        syncOverlay(overlayFile, overlayCopy, clock.now())
          .then((changed) => {
            if (changed) sla.ctx.setConfig(loadConfig(loadOptions));
          })
          .catch((err: Error) => logger.error({ error: err.name }, 'configuration overlay: could not follow the shared copy'));
      })
    : undefined;

  let server: Server | undefined;
  return {
    config,
    engine,
    sql,
    http,
    adapters,
    agentTokens: tokens,
    encrypted: cipher !== undefined,
    console: staff,
    scale,
    ...(postgres ? { postgres } : {}),
    async listen(port, host = '127.0.0.1') {
      for (const a of adapters.values()) await a.start?.();
      // Turns a crash left unfinished on channels without an outbox of their own (the web chat): the
      // replies land in the inbox and transcript, where a retried POST and the page find them.
      await engine.recover([...adapters.keys()], new Date(clock.now().getTime() + 1));
      await sla.start();
      staff.start();
      server = await listenHttp(http, port, host, security);
      return server;
    },
    async close() {
      // Every step runs even when an earlier one fails (a channel that cannot stop still lets the
      // connections close and the data directory's lock go); the first failure is rethrown.
      const steps: Array<() => unknown> = [
        () => unsubscribe?.(),
        () => staff.stop(),
        () => sla.stop(),
        ...[...adapters.values()].map((a) => () => a.stop?.()),
        () => server && new Promise<void>((resolve) => server!.close(() => resolve())),
        () => server?.closeAllConnections?.(),
        () => scale.close(),
        () => postgres?.close(),
        () => sql.close(),
        () => sql.closed(),
        () => owned?.close?.(),
        () => lock.release(),
      ];
      let failure: unknown;
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    },
  };
}
