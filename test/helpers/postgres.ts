/**
 * A real PostgreSQL for tests: Debian's PostgreSQL 15 (`postgresql` package) initialised in a temp
 * directory and started as a child process on 127.0.0.1 at a free port, trust authentication for
 * loopback only, durability switched off (fsync) since the data is thrown away. As root the
 * cluster belongs to the unprivileged `postgres` user (postgres refuses to run as root).
 *
 * A suite calls `usePostgres()` once: one server per test file, a fresh database per `database()`.
 * `TAWASUL_TEST_DATABASE_URL` (a server started outside, e.g. by CI) is used instead when set.
 * Under `CI=true` the server is required; elsewhere suites skip with a note when it is missing.
 */
import { afterAll, beforeAll } from 'vitest';
import { PG_BIN, type PostgresServer, skipPostgres, startPostgres } from './postgres-server.js';

export * from './postgres-server.js';

/**
 * Starts one server for the calling test file (beforeAll) and stops it after (afterAll);
 * `database()` gives each test a fresh, empty schema to work in.
 */
export function usePostgres(): { server(): PostgresServer; database(): Promise<string> } {
  let server: PostgresServer | undefined;
  if (skipPostgres) console.warn(`PostgreSQL 15 is not installed at ${PG_BIN} (apt-get install postgresql): the PostgreSQL tests are skipped`);
  beforeAll(async () => {
    if (!skipPostgres) server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const get = (): PostgresServer => {
    if (!server) throw new Error('PostgreSQL is not running (usePostgres() in a skipped suite?)');
    return server;
  };
  return { server: get, database: () => get().createSchema() };
}
