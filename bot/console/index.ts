/**
 * The Governorate's web console: the page at /console (Preact bundle from dist/web/console.js) and
 * its JSON API under /api/console (documented in bot/console/openapi.yaml, served at
 * /api/console/openapi.yaml), with the live event stream at /api/console/events.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import type pg from 'pg';
import { projectRoot } from '../core/paths.js';
import { parseAgentTokens } from '../http/agent-auth.js';
import type { Bus } from '../scale/live-bus.js';
import type { Sla } from '../sla/attach.js';
import { PostgresAccountStore } from '../store/postgres/account-store.js';
import { PostgresConsoleQueries } from '../store/postgres/console-queries.js';
import { PostgresConsoleStore } from '../store/postgres/console-store.js';
import { PostgresSessionStore } from '../store/postgres/session-store.js';
import { SqliteConsoleQueries } from '../store/sqlite/console-queries.js';
import { SqliteConsoleStore } from '../store/sqlite/console-store.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { type AccountStore, type Role, SqliteAccountStore } from './accounts.js';
import { adminRouter } from './admin-router.js';
import { authenticate, principal, type RoleToken, sessionRouter } from './auth.js';
import { chatsRouter } from './chats-router.js';
import { configRouter, type OverlayOptions } from './config-router.js';
import type { ConsoleDeps } from './deps.js';
import { LiveHub } from './live.js';
import type { ConsoleQueries } from './queries.js';
import { requestsRouter } from './requests-router.js';
import { DEFAULT_SESSION_LIMITS, type SessionStore, SqliteSessionStore } from './sessions.js';
import type { ConsoleStore } from './store.js';

/** What `createConsole` needs. */
export interface ConsoleOptions extends Pick<ConsoleDeps, 'config' | 'engine' | 'sla' | 'clock' | 'logger'> {
  /** The instance's SQLite database: the console's tables live there unless `postgres` is given. */
  sql: SqliteDatabase;
  env: NodeJS.ProcessEnv;
  /** The agent API's bearer tokens: machine clients with the agent role. */
  agentTokens: Map<string, string>;
  /** How often new system notifications are looked for (ms). */
  pollMs?: number;
  /** Nudges between the instances sharing the console's event log (Redis pub/sub; none in process). */
  bus?: Bus;
  /** The local configuration overlay admins may edit (role contacts), and how to re-read the configuration. */
  overlay?: OverlayOptions;
  /**
   * The PostgreSQL pool when TAWASUL_DATABASE_URL is set: accounts and sessions ('0005-console'), conversation ids,
   * notes and the live-event log ('0008-console-store') live there, and the console reads requests, transcripts
   * and SLA timers there (the engine's and the SLA's stores must then be the PostgreSQL ones too).
   */
  postgres?: pg.Pool;
}

/** The mounted console. */
export interface Console {
  router: Router;
  hub: LiveHub;
  accounts: AccountStore;
  sessions: SessionStore;
  /** The SLA engine the console reads and acts through. */
  sla: Sla;
  start(): void;
  stop(): void;
}

/** Machine clients' tokens, each bound to a role: agent tokens, TAWASUL_ADMIN_TOKENS, TAWASUL_SUPERVISOR_TOKENS. */
export function roleTokens(agentTokens: Map<string, string>, env: NodeJS.ProcessEnv): RoleToken[] {
  const bound = (m: Map<string, string>, role: Role): RoleToken[] => [...m].map(([id, token]) => ({ id, token, role }));
  return [
    ...bound(agentTokens, 'agent'),
    ...bound(parseAgentTokens(env.TAWASUL_ADMIN_TOKENS), 'admin'),
    ...bound(parseAgentTokens(env.TAWASUL_SUPERVISOR_TOKENS), 'supervisor'),
  ];
}

const shell = (lang: string): string => `<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>تواصل — لوحة الموظفين | Tawasul console</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<div id="app"><noscript>This console needs JavaScript.</noscript></div>
<script type="module" src="/console/assets/console.js"></script>
</body>
</html>`;

/** Builds the console on a Tawasul instance's engine, database and SLA engine. */
export function createConsole(o: ConsoleOptions): Console {
  const idle = Number(o.env.TAWASUL_CONSOLE_IDLE_MINUTES ?? DEFAULT_SESSION_LIMITS.idleMinutes);
  const departments = new Set(o.config.departments.map((d) => d.id));
  const limits = { ...DEFAULT_SESSION_LIMITS, idleMinutes: Number.isFinite(idle) && idle > 0 ? idle : DEFAULT_SESSION_LIMITS.idleMinutes };
  const accounts: AccountStore = o.postgres ? new PostgresAccountStore(o.postgres, o.clock, departments) : new SqliteAccountStore(o.sql, o.clock, departments);
  const sessions: SessionStore = o.postgres ? new PostgresSessionStore(o.postgres, o.clock, limits) : new SqliteSessionStore(o.sql, o.clock, limits);
  const store: ConsoleStore = o.postgres ? new PostgresConsoleStore(o.postgres) : new SqliteConsoleStore(o.sql);
  const queries: ConsoleQueries = o.postgres ? new PostgresConsoleQueries(o.postgres) : new SqliteConsoleQueries(o.sql);
  const hub = new LiveHub({
    store,
    queries,
    sla: o.sla,
    engine: o.engine,
    config: o.config,
    clock: o.clock,
    logger: o.logger,
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.bus ? { bus: o.bus } : {}),
  });
  const d: ConsoleDeps = { config: o.config, engine: o.engine, queries, sla: o.sla, clock: o.clock, logger: o.logger, accounts, sessions, store, hub };
  const authDeps = { accounts, sessions, tokens: roleTokens(o.agentTokens, o.env), clock: o.clock, audit: o.engine.deps.conversations };

  const router = express.Router();
  const web = join(projectRoot, 'dist/web');
  const css = readFileSync(join(projectRoot, 'bot/console/web/console.css'), 'utf8');
  const spec = readFileSync(join(projectRoot, 'bot/console/openapi.yaml'), 'utf8');
  const page =
    (lang: string) =>
    (_req: express.Request, res: express.Response): void => {
      res
        .set({
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'same-origin',
          'cache-control': 'no-store',
        })
        .type('html')
        .send(shell(lang));
    };
  router.get(['/console', '/console/'], page('ar'));
  router.get('/console/en', page('en'));
  router.get('/console/assets/console.css', (_req, res) => {
    res.type('text/css').send(css);
  });
  router.get(['/console/assets/console.js', '/console/assets/console.js.map'], (req, res) => {
    const file = join(web, req.path.endsWith('.map') ? 'console.js.map' : 'console.js');
    if (!existsSync(file)) return void res.status(503).type('text/plain').send('console bundle missing: run npm run build');
    res.sendFile(file, { headers: { 'cache-control': 'no-cache' } });
  });
  router.get('/api/console/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(spec);
  });

  const api = express.Router();
  api.use(sessionRouter(authDeps));
  api.use(authenticate(authDeps));
  api.get('/events', (req, res) => hub.stream(req, res, principal(res)));
  api.use(chatsRouter(d));
  api.use(requestsRouter(d));
  api.use(adminRouter(d));
  api.use(configRouter(d, o.overlay));
  router.use('/api/console', api);

  return { router, hub, accounts, sessions, sla: o.sla, start: () => hub.start(), stop: () => hub.stop() };
}
