/** `lookupLimiterFor` picks where the residents' look-up limits are kept: PostgreSQL when a pool is given (shared by instances), else SQLite. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupLimiterFor } from '../../bot/store/postgres/lookup-limiter.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { CONTRACT_LIMITS } from './lookup-limiter-contract.js';

const NOW = new Date('2026-12-02T06:00:00Z');
const stored = (sql: SqliteDatabase): number => sql.db.prepare('SELECT COUNT(*) FROM security_lookup_failures').pluck().get() as number;

describe('lookupLimiterFor', () => {
  it('keeps the limits in the instance’s SQLite without a pool', async () => {
    const t = tempDir();
    const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    try {
      const limiter = lookupLimiterFor({ sql, limits: CONTRACT_LIMITS });
      await limiter.recordFailure({ reference: 'BUR-2026-AAAA-BBBB' }, NOW);
      expect(stored(sql)).toBe(1);
    } finally {
      sql.close();
      t.cleanup();
    }
  });

  describe.skipIf(skipPostgres)('with a PostgreSQL pool (real PostgreSQL on loopback)', () => {
    const pgServer = usePostgres();
    it('keeps them on PostgreSQL, where a lock reached through one instance holds on the other', async () => {
      const t = tempDir();
      const [sqlA, sqlB] = [migratedSqlite(join(t.dir, 'a.sqlite')), migratedSqlite(join(t.dir, 'b.sqlite'))];
      const { one, two, end } = await poolPair(await pgServer.database(), (p) => migratePostgres(p));
      try {
        const a = lookupLimiterFor({ sql: sqlA, postgres: one, limits: CONTRACT_LIMITS });
        const b = lookupLimiterFor({ sql: sqlB, postgres: two, limits: CONTRACT_LIMITS });
        const subject = { reference: 'BUR-2026-AAAA-BBBB' };
        for (let i = 0; i < CONTRACT_LIMITS.perReference; i++) await a.recordFailure(subject, NOW);
        expect(await b.lockedUntil(subject, NOW)).toEqual(new Date(NOW.getTime() + CONTRACT_LIMITS.windowMs));
        expect(stored(sqlA) + stored(sqlB)).toBe(0);
      } finally {
        await end();
        sqlA.close();
        sqlB.close();
        t.cleanup();
      }
    });
  });
});
