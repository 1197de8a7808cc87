import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/core/logger.js';
import { createHttpApp } from '../../bot/http/server.js';
import { postgresCheck, type ReadinessCheck, readinessRouter, redisCheck, sqliteCheck } from '../../bot/scale/health.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { createPool } from '../../bot/store/postgres/database.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

/** Serves the real HTTP app (with /healthz) plus the readiness router on loopback. */
async function serve(checks: ReadinessCheck[], timeoutMs?: number): Promise<{ get(path: string): Promise<Response>; close(): Promise<void> }> {
  const app = createHttpApp(silentLogger, (a) => {
    a.use(readinessRouter(checks, { timeoutMs, logger: silentLogger }));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: (path) => fetch(`${base}${path}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('/readyz on the embedded SQLite database', () => {
  it('is ready while the database answers, unavailable once it is closed, and /healthz stays alive', async () => {
    const t = tempDir();
    const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    const s = await serve([sqliteCheck(sql)]);
    const ok = await s.get('/readyz');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    sql.close();
    const down = await s.get('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', checks: { database: 'unreachable' } });
    expect((await s.get('/healthz')).status).toBe(200);
    await s.close();
    t.cleanup();
  });

  it('answers a check that hangs with "timeout" instead of hanging itself', async () => {
    const s = await serve([{ name: 'database', probe: () => new Promise(() => undefined) }], 50);
    const r = await s.get('/readyz');
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'unavailable', checks: { database: 'timeout' } });
    await s.close();
  });
});

describe.skipIf(skipPostgres || skipRedis)('/readyz on PostgreSQL and Redis (real servers on loopback)', () => {
  const pgServer = usePostgres();
  const redis = useRedis();
  let client: Redis;
  beforeAll(async () => {
    client = await connectRedis(redis.server().url);
  });
  afterAll(() => client.disconnect());

  it('is ready when both answer', async () => {
    const pool = createPool(await pgServer.database());
    const s = await serve([postgresCheck(pool), redisCheck(client)]);
    const r = await s.get('/readyz');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    await s.close();
    await pool.end();
  });

  it('names Redis when Redis is unreachable and the database when PostgreSQL is', async () => {
    const pool = createPool(await pgServer.database());
    const gone = await connectRedis(redis.server().url);
    gone.disconnect();
    const s1 = await serve([postgresCheck(pool), redisCheck(gone)]);
    const r1 = await s1.get('/readyz');
    expect(r1.status).toBe(503);
    expect(await r1.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unreachable' } });
    await s1.close();
    await pool.end();

    const nowhere = createPool(`postgres://tawasul:secret-password@127.0.0.1:${await freePort()}/tawasul`, { connectionTimeoutMs: 1000 });
    const s2 = await serve([postgresCheck(nowhere), redisCheck(client)]);
    const r2 = await s2.get('/readyz');
    const text = await r2.text();
    expect(r2.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: 'unavailable', checks: { database: 'unreachable', redis: 'ok' } });
    expect(text).not.toContain('secret-password');
    await s2.close();
    await nowhere.end();
  });
});
