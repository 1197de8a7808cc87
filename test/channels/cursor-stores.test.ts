import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { FencedOutError, PostgresJobFences, SqliteJobFences } from '../../bot/scale/job-fence.js';
import { migrateChannelsPostgres, postgresChannelModules } from '../../bot/store/postgres/channel-schema.js';
import { createPool } from '../../bot/store/postgres/database.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { migratePostgresModules } from '../../bot/store/postgres/module-migrate.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { email } from '../../channels/email/index.js';
import { PostgresEmailCursors } from '../../channels/email/postgres-store.js';
import { SqliteEmailCursors } from '../../channels/email/store.js';
import { x } from '../../channels/x/index.js';
import { PostgresXCursors } from '../../channels/x/postgres-store.js';
import { SqliteXCursors } from '../../channels/x/store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { channelStoreMigrations, openFromTemplate, schemaTemplate } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { cursorStoreContract } from './cursor-store-contract.js';

const template = await schemaTemplate([...coreMigrations, ...channelStoreMigrations]);

cursorStoreContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  const [one, two] = [openFromTemplate(template, file), openFromTemplate(template, file)];
  return {
    x: (c) => new SqliteXCursors(one, c),
    otherX: (c) => new SqliteXCursors(two, c),
    email: (c) => new SqliteEmailCursors(one, c),
    otherEmail: (c) => new SqliteEmailCursors(two, c),
    fences: new SqliteJobFences(one),
    otherFences: new SqliteJobFences(two),
    async close() {
      one.close();
      two.close();
      t.cleanup();
    },
  };
});

describe.skipIf(skipPostgres)('channel cursors on PostgreSQL (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();
  // The adapters' definitions declare their schema: the core applies it knowing no channel by name.
  const declared = [...x.postgres, ...email.postgres];

  cursorStoreContract('postgres', async () => {
    const { one, two, end } = await poolPair(await pgServer.database(), async (p) => {
      await migratePostgres(p);
      return migratePostgresModules(p, declared);
    });
    return {
      x: (c) => new PostgresXCursors(one, c),
      otherX: (c) => new PostgresXCursors(two, c),
      email: (c) => new PostgresEmailCursors(one, c),
      otherEmail: (c) => new PostgresEmailCursors(two, c),
      fences: new PostgresJobFences(one),
      otherFences: new PostgresJobFences(two),
      close: end,
    };
  });

  it('a stale write racing a take-over waits for it, then is refused (the epoch row is read FOR SHARE)', async () => {
    const { one, two, end } = await poolPair(await pgServer.database(), async (p) => {
      await migratePostgres(p);
      return migratePostgresModules(p, declared);
    });
    const stale = await new PostgresJobFences(one).next('x:alburaimigov');
    const cursors = new PostgresXCursors(one, 'x-gov');
    await cursors.advance('dms', '1860000000000000005', new Date(), stale);
    const takeover = await two.connect();
    await takeover.query('BEGIN');
    await takeover.query('UPDATE job_fences SET epoch = epoch + 1 WHERE name = $1', ['x:alburaimigov']);
    const write = cursors.advance('dms', '1860000000000000002', new Date(), stale).then(
      () => 'written',
      (err: unknown) => (err instanceof FencedOutError ? 'refused' : err),
    );
    // The write now waits on the take-over's row lock (observed in pg_locks, no fixed delay).
    while ((await two.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0]!.n === 0);
    await takeover.query('COMMIT');
    takeover.release();
    expect(await write).toBe('refused');
    expect(await cursors.cursor('dms')).toBe('1860000000000000005');
    await end();
  });

  it('applies each declared module once, in its own bookkeeping, also when instances start together', async () => {
    const url = await pgServer.database();
    const pools = [createPool(url, { max: 2 }), createPool(url, { max: 2 }), createPool(url, { max: 2 })];
    const runs = await Promise.all(pools.map((p) => migratePostgresModules(p, declared)));
    expect(runs.flat().sort()).toEqual(['email/0001-cursors', 'email/0002-messages', 'x/0001-cursors', 'x/0002-threads-conversations']);
    expect(await migratePostgresModules(pools[0]!, declared)).toEqual([]);
    const tables = await pools[0]!.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'kysely_migration_%' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.t)).toEqual(['kysely_migration_email', 'kysely_migration_email_lock', 'kysely_migration_x', 'kysely_migration_x_lock']);
    await Promise.all(pools.map((p) => p.end()));
  });

  it("applies the started channels' declared modules, each type once, and none of a channel not started", async () => {
    const config = loadConfig();
    const started = ['webchat', 'x-alburaimigov', 'x-burmunicpality', 'email'];
    expect((await postgresChannelModules(config, started)).map((m) => m.module)).toEqual(['webchat', 'x', 'email']);
    expect((await postgresChannelModules(config, ['x-alburaimigov'])).map((m) => m.module)).toEqual(['x']);
    const pool = createPool(await pgServer.database(), { max: 2 });
    expect(await migrateChannelsPostgres(pool, config, ['x-alburaimigov'])).toEqual(['x/0001-cursors', 'x/0002-threads-conversations']);
    expect(await migrateChannelsPostgres(pool, config, started)).toEqual(['webchat/0001-access', 'email/0001-cursors', 'email/0002-messages']);
    await pool.end();
  });
});
