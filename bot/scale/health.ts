/**
 * `/readyz` for the orchestrator, beside `/healthz` (alive): ready when every dependency this
 * instance needs answers — the database (SQLite file or PostgreSQL pool) and Redis when it is
 * configured. 200 `{status: "ready", checks}` or 503 `{status: "unavailable", checks}`, each check
 * `ok`, `unreachable` or `timeout`; no error text reaches the answer (host names, credentials).
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '../core/logger.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';

/** One dependency that must answer for the instance to take traffic. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answered. */
  probe(): Promise<void>;
}

/** Outcome of one check. */
export type CheckResult = 'ok' | 'unreachable' | 'timeout';

/** The embedded database answers a query. */
export function sqliteCheck(sql: SqliteDatabase): ReadinessCheck {
  return {
    name: 'database',
    probe: async () => {
      sql.db.prepare('SELECT 1').get();
    },
  };
}

/** The PostgreSQL pool hands out a connection that answers a query. */
export function postgresCheck(pool: pg.Pool): ReadinessCheck {
  return {
    name: 'database',
    probe: async () => {
      await pool.query('SELECT 1');
    },
  };
}

/** Redis answers PING. */
export function redisCheck(client: Redis): ReadinessCheck {
  return {
    name: 'redis',
    probe: async () => {
      if ((await client.ping()) !== 'PONG') throw new Error('unexpected PING answer');
    },
  };
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number, logger?: Logger): Promise<Record<string, CheckResult>> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        const r = await Promise.race([c.probe().then(() => 'ok' as const), timeout]);
        if (r === 'timeout') logger?.warn({ check: c.name, timeoutMs }, 'readiness check timed out');
        return [c.name, r];
      } catch (err) {
        logger?.warn({ check: c.name, err: { name: (err as Error)?.name } }, 'readiness check failed');
        return [c.name, 'unreachable'];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(results);
}

/** A router answering GET /readyz from `checks` (default timeout 2 s per check). */
export function readinessRouter(checks: readonly ReadinessCheck[], opts: { timeoutMs?: number; logger?: Logger } = {}): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    const results = await runChecks(checks, opts.timeoutMs ?? 2000, opts.logger);
    const ready = Object.values(results).every((r) => r === 'ok');
    res
      .set('Cache-Control', 'no-store')
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
  return router;
}
