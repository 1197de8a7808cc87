/** Two pools on one fresh PostgreSQL schema, standing for two instances sharing a database (store contract suites). */
import type pg from 'pg';
import { createPool } from '../../bot/store/postgres/database.js';

/** Two instances' pools on `url`, migrated by `migrate` on the first, and their end. */
export async function poolPair(url: string, migrate: (pool: pg.Pool) => Promise<unknown>): Promise<{ one: pg.Pool; two: pg.Pool; end(): Promise<void> }> {
  const [one, two] = [createPool(url, { max: 4 }), createPool(url, { max: 4 })];
  await migrate(one);
  return {
    one,
    two,
    end: async () => {
      await Promise.all([one.end(), two.end()]);
    },
  };
}
