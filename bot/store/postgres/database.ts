/**
 * The PostgreSQL connection for the stores: one `pg` pool per process, built from
 * `TAWASUL_DATABASE_URL`, and the transaction helper every store uses.
 */
import pg from 'pg';
import { ConfigError } from '../../core/errors.js';

/** Options of `createPool` beyond the URL. */
export interface PoolOptions {
  /** Connections at most (default 10). */
  max?: number;
  /** Milliseconds to wait for a connection before failing (default 5000). */
  connectionTimeoutMs?: number;
  /** Milliseconds a statement may run (default 30000). */
  statementTimeoutMs?: number;
  /** Called when an idle connection fails (the pool drops it and opens another later). */
  onIdleError?: (err: Error) => void;
}

/** The database URL from the environment, or a ConfigError naming the variable. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.TAWASUL_DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('TAWASUL_DATABASE_URL: expected postgres://user:password@host:port/database', 'environment', 'TAWASUL_DATABASE_URL');
  }
  return url;
}

/** A pool on `url` (default: TAWASUL_DATABASE_URL). */
export function createPool(url: string = databaseUrl(), options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'tawasul',
  });
  // Without a listener an idle connection's error (server restart) would crash the process.
  pool.on('error', (err) => options.onIdleError?.(err));
  return pool;
}

/** The queries a store runs: a pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Runs `fn` in a transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws
 * (the error is rethrown). A connection whose ROLLBACK failed is destroyed, not reused.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
