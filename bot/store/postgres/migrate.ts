/**
 * The one place PostgreSQL migrations run: Kysely's Migrator over the process pool, with the
 * migrations of `migrations.ts`. Called once at start (and by a future `tawasul migrate`).
 */
import { Kysely, type Migration, Migrator, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import { postgresMigrations } from './migrations.js';

/** What a run did. */
export interface MigrationReport {
  /** Names applied by this run (empty when the schema was already current). */
  applied: string[];
}

/** Applies the pending migrations (default: all of migrations.ts); throws a StoreError naming the migration that failed. */
export async function migratePostgres(pool: pg.Pool, migrations: Record<string, Migration> = postgresMigrations): Promise<MigrationReport> {
  // The Kysely instance only borrows the pool: it is not destroyed here, which would end the pool.
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  // The bookkeeping tables go into the connection's own schema (search_path), like the tables:
  // left unqualified, Kysely would find another schema's tables and skip creating its own.
  const schema = (await pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  if (!schema) throw new StoreError('PostgreSQL: no current schema (search_path names no existing schema)');
  const migrator = new Migrator({
    db,
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(`PostgreSQL migration ${failed ?? '(setup)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
