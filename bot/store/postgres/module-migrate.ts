/**
 * PostgreSQL migrations of optional modules (channel adapters): each module keeps its own Kysely
 * bookkeeping tables (`kysely_migration_<module>` and its lock), so a module applies in order on its
 * own whatever other modules a start runs, as SQLite's per-module versions do (bot/store/sqlite/migrate.ts).
 */
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';

/** One module's PostgreSQL schema: its migrations by name (names sort in the order they apply). */
export interface PostgresModule {
  /** Module name (letters, digits, `_` and `-`): names the bookkeeping tables. */
  module: string;
  migrations: Record<string, Migration>;
}

/** A module whose migrations are plain SQL scripts, as SQLite modules declare theirs: name → script. */
export function sqlModule(module: string, scripts: Record<string, string>): PostgresModule {
  const migrations: Record<string, Migration> = {};
  for (const [name, script] of Object.entries(scripts)) {
    migrations[name] = {
      async up(db): Promise<void> {
        await sql.raw(script).execute(db);
      },
    };
  }
  return { module, migrations };
}

/** Applies each module's pending migrations, module by module; returns `module/name` of those applied. */
export async function migratePostgresModules(pool: pg.Pool, modules: readonly PostgresModule[]): Promise<string[]> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const schema = (await pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  if (!schema) throw new StoreError('PostgreSQL: no current schema (search_path names no existing schema)');
  const applied: string[] = [];
  for (const m of modules) {
    if (!/^[a-z0-9_-]+$/i.test(m.module)) throw new StoreError(`PostgreSQL module name "${m.module}": letters, digits, "_" or "-" only`);
    const table = `kysely_migration_${m.module.replace(/-/g, '_')}`;
    const migrator = new Migrator({
      db,
      migrationTableSchema: schema,
      migrationTableName: table,
      migrationLockTableName: `${table}_lock`,
      provider: { getMigrations: async () => m.migrations },
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new StoreError(`PostgreSQL migration ${m.module}/${failed ?? '(setup)'} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    for (const r of results ?? []) if (r.status === 'Success') applied.push(`${m.module}/${r.migrationName}`);
  }
  return applied;
}
