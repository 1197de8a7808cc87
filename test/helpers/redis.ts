/**
 * A real Redis for tests: Debian's `redis-server` started as a child process on 127.0.0.1 at a free
 * port, without persistence, its working directory in a temp folder. As root it runs as the
 * unprivileged `redis` user (or `nobody`).
 *
 * A suite calls `useRedis()` once: one server per test file; tests isolate themselves with key
 * prefixes. `TAWASUL_TEST_REDIS_URL` (a server started outside) is used instead when set.
 * Under `CI=true` the server is required; elsewhere suites skip with a note when it is missing.
 */
import { afterAll, beforeAll } from 'vitest';
import { REDIS_SERVER, type RedisServer, skipRedis, startRedis } from './redis-server.js';

export * from './redis-server.js';

/** Starts one server for the calling test file (beforeAll) and stops it after (afterAll). */
export function useRedis(): { server(): RedisServer } {
  let server: RedisServer | undefined;
  if (skipRedis) console.warn(`redis-server is not installed at ${REDIS_SERVER} (apt-get install redis-server): the Redis tests are skipped`);
  beforeAll(async () => {
    if (!skipRedis) server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    server() {
      if (!server) throw new Error('Redis is not running (useRedis() in a skipped suite?)');
      return server;
    },
  };
}
