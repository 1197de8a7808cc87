/**
 * The one place SQLite migrations run: Kysely's Migrator over the database's own connection, one
 * module after another in the order given (bot/store/schema.ts), each module's versions in order.
 * Called once at start (`tawasul start`, `tawasul migrate`, the CLI commands that open a data
 * directory) and by tests through test/helpers/sqlite.ts; stores never migrate.
 */
import type { Kysely as KyselyDb, Migration as KyselyMigration } from 'kysely';
import { StoreError } from '../../core/errors.js';
import type { Migration, SqliteDatabase } from '../sqlite-database.js';

/** One module's schema steps, as the module exports them. */
export interface ModuleMigrations {
  /** Module name: recorded with each version (`<module>/<version>`); never renamed once released. */
  module: string;
  migrations: readonly Migration[];
}

/** What a run did. */
export interface MigrationReport {
  /** Names applied by this run (empty when the schema was already current). */
  applied: string[];
}

/** Kysely's bookkeeping table (its default name), created here first when old records are carried over. */
const TABLE = 'kysely_migration';
/** The hand-rolled runner's records (module, version, applied_at), before Kysely. */
const LEGACY_TABLE = 'schema_migrations';

/** The recorded name of a module's version: versions zero-padded so that names sort in version order. */
export function migrationName(module: string, version: number): string {
  return `${module}/${String(version).padStart(4, '0')}`;
}

const noop: KyselyMigration = { async up() {} };

/** Applies the pending migrations of `modules`; throws a StoreError naming the migration that failed. */
export async function migrateSqlite(sql: SqliteDatabase, modules: readonly ModuleMigrations[]): Promise<MigrationReport> {
  carryOverLegacyRecords(sql);
  let kysely: { db: KyselyDb<unknown>; Migrator: typeof import('kysely').Migrator } | undefined;
  const applied: string[] = [];
  for (const { module, migrations } of modules) {
    const own: Record<string, KyselyMigration> = {};
    for (const m of migrations) own[migrationName(module, m.version)] = { up: async () => void sql.db.exec(m.up) };
    const done = executed(sql);
    if (Object.keys(own).every((n) => done.has(n))) continue;
    // Records of other modules are no-ops to this run: modules apply in the registry's order, not
    // in the names' alphabetical order, and a module not loaded now (a disabled channel) is kept.
    const provider = {
      async getMigrations(): Promise<Record<string, KyselyMigration>> {
        const others = [...executed(sql)].filter((n) => !(n in own));
        return { ...Object.fromEntries(others.map((n) => [n, noop])), ...own };
      },
    };
    // Loaded only when something is pending (a start on a current schema does not pay for it). The
    // instance borrows the connection: never destroyed here, which would close the database.
    if (!kysely) {
      const { Kysely, Migrator, SqliteDialect } = await import('kysely');
      kysely = { db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: sql.db }) }), Migrator };
    }
    const migrator = new kysely.Migrator({ db: kysely.db, provider, allowUnorderedMigrations: true });
    // One write transaction per module: its steps and their records commit together, and a second
    // process migrating the same file waits, then finds nothing pending.
    sql.db.exec('BEGIN IMMEDIATE');
    const { error, results } = await migrator.migrateToLatest().catch((e: unknown) => ({ error: e, results: undefined }));
    if (error) {
      if (sql.db.inTransaction) sql.db.exec('ROLLBACK');
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new StoreError(`SQLite migration ${failed ?? module} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    sql.db.exec('COMMIT');
    applied.push(...(results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName));
  }
  return { applied };
}

/** Names recorded so far (none before the first run). */
function executed(sql: SqliteDatabase): Set<string> {
  const exists = sql.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE);
  return new Set(exists ? (sql.db.prepare(`SELECT name FROM ${TABLE}`).pluck().all() as string[]) : []);
}

/**
 * A data directory made by the hand-rolled runner: its per-module version records become Kysely's
 * records (same table layout Kysely creates), then the old table goes. Once, in one transaction.
 */
function carryOverLegacyRecords(sql: SqliteDatabase): void {
  const legacy = sql.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(LEGACY_TABLE);
  if (!legacy) return;
  sql.tx(() => {
    sql.db.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" ("name" varchar(255) not null primary key, "timestamp" varchar(255) not null)`);
    const rows = sql.db.prepare(`SELECT module, version, applied_at FROM ${LEGACY_TABLE}`).all() as Array<{
      module: string;
      version: number;
      applied_at: string;
    }>;
    const insert = sql.db.prepare(`INSERT OR IGNORE INTO "${TABLE}" (name, timestamp) VALUES (?, ?)`);
    for (const r of rows) insert.run(migrationName(r.module, r.version), r.applied_at);
    sql.db.exec(`DROP TABLE ${LEGACY_TABLE}`);
  });
}
