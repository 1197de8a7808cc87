import { join } from 'node:path';
import { describe } from 'vitest';
import { SqliteAccountStore } from '../../bot/console/accounts.js';
import { SqliteSessionStore } from '../../bot/console/sessions.js';
import { PostgresAccountStore } from '../../bot/store/postgres/account-store.js';
import { consoleMigrations } from '../../bot/store/postgres/console-migrations.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { postgresMigrations } from '../../bot/store/postgres/migrations.js';
import { PostgresSessionStore } from '../../bot/store/postgres/session-store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { accountStoreContract } from './account-store-contract.js';

const DEPARTMENTS = new Set(['roads', 'training']);
const start = (): ManualClock => new ManualClock(new Date('2026-12-02T06:00:00Z'));

accountStoreContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  const [one, two] = [migratedSqlite(file), migratedSqlite(file)];
  const clock = start();
  const stores = (db: typeof one) => ({ accounts: new SqliteAccountStore(db, clock, DEPARTMENTS), sessions: new SqliteSessionStore(db, clock) });
  return {
    clock,
    ...stores(one),
    other: stores(two),
    async close() {
      one.close();
      two.close();
      t.cleanup();
    },
  };
});

describe.skipIf(skipPostgres)('console stores on PostgreSQL (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();
  accountStoreContract('postgres', async () => {
    const { one, two, end } = await poolPair(await pgServer.database(), (p) => migratePostgres(p, { ...postgresMigrations, ...consoleMigrations }));
    const clock = start();
    const stores = (pool: typeof one) => ({ accounts: new PostgresAccountStore(pool, clock, DEPARTMENTS), sessions: new PostgresSessionStore(pool, clock) });
    return { clock, ...stores(one), other: stores(two), close: end };
  });
});
