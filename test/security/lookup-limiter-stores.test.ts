import { join } from 'node:path';
import { describe } from 'vitest';
import { SqlLookupLimiter } from '../../bot/security/lookup-limits.js';
import { consoleMigrations } from '../../bot/store/postgres/console-migrations.js';
import { PostgresLookupLimiter } from '../../bot/store/postgres/lookup-limiter.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { postgresMigrations } from '../../bot/store/postgres/migrations.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { CONTRACT_LIMITS, lookupLimiterContract } from './lookup-limiter-contract.js';

lookupLimiterContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  const [one, two] = [migratedSqlite(file), migratedSqlite(file)];
  return {
    limiter: new SqlLookupLimiter(one, undefined, CONTRACT_LIMITS),
    other: new SqlLookupLimiter(two, undefined, CONTRACT_LIMITS),
    stored: async () => one.db.prepare('SELECT subject FROM security_lookup_failures').pluck().all() as string[],
    async close() {
      one.close();
      two.close();
      t.cleanup();
    },
  };
});

describe.skipIf(skipPostgres)('look-up limits on PostgreSQL (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();
  lookupLimiterContract('postgres', async () => {
    const { one, two, end } = await poolPair(await pgServer.database(), (p) => migratePostgres(p, { ...postgresMigrations, ...consoleMigrations }));
    return {
      limiter: new PostgresLookupLimiter(one, undefined, CONTRACT_LIMITS),
      other: new PostgresLookupLimiter(two, undefined, CONTRACT_LIMITS),
      stored: async () => (await one.query<{ subject: string }>('SELECT subject FROM security_lookup_failures')).rows.map((r) => r.subject),
      close: end,
    };
  });
});
