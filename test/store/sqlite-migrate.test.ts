import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAccountStore } from '../../bot/console/accounts.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { type ModuleMigrations, migrateSqlite, migrationName } from '../../bot/store/sqlite/migrate.js';
import { type Migration, SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { allChannelMigrations, channelStoreMigrations } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { sampleRequest } from './request-store-contract.js';

let t: ReturnType<typeof tempDir>;
afterEach(() => t?.cleanup());

/** The hand-rolled runner the stores called before Kysely (kept here verbatim to make old data directories). */
function legacyMigrate(sql: SqliteDatabase, module: string, migrations: readonly Migration[]): void {
  sql.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
  const applied = new Set(sql.db.prepare('SELECT version FROM schema_migrations WHERE module = ?').pluck().all(module) as number[]);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    sql.db
      .transaction(() => {
        sql.db.exec(m.up);
        sql.db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)').run(module, m.version, new Date().toISOString());
      })
      .immediate();
  }
}

const names = (sql: SqliteDatabase): string[] => sql.db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all() as string[];
const tables = (sql: SqliteDatabase): string[] =>
  sql.db
    .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name")
    .pluck()
    .all() as string[];
const allNames = (modules: readonly ModuleMigrations[]): string[] => modules.flatMap((m) => m.migrations.map((v) => migrationName(m.module, v.version))).sort();

describe('SQLite migrations (Kysely Migrator, one registry)', () => {
  it('applies every module once, in the registry order, and nothing on the next run', async () => {
    t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    const first = await migrateSqlite(sql, coreMigrations);
    expect(first.applied.sort()).toEqual(allNames(coreMigrations));
    // `requests-source` alters `requests`: it sorts before it by name, and still ran after it.
    expect(sql.db.prepare("SELECT 1 FROM pragma_table_info('requests') WHERE name = 'source_key'").get()).toBeTruthy();
    expect((await migrateSqlite(sql, coreMigrations)).applied).toEqual([]);
    sql.close();
  });

  it('upgrades a data directory made by the old per-module runner, data and all', async () => {
    t = tempDir();
    const file = join(t.dir, 'tawasul.sqlite');
    const modules = [...coreMigrations, ...(await allChannelMigrations())];
    const old = new SqliteDatabase(file);
    for (const m of modules) legacyMigrate(old, m.module, m.migrations);
    const rec = await new SqliteRequestStore(old).create(sampleRequest());
    const schemaBefore = tables(old);
    old.close();

    const sql = new SqliteDatabase(file);
    expect((await migrateSqlite(sql, modules)).applied).toEqual([]);
    expect(names(sql)).toEqual(allNames(modules));
    expect(sql.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").get()).toBeUndefined();
    expect(tables(sql)).toEqual(schemaBefore.filter((n) => n !== 'schema_migrations'));
    expect((await new SqliteRequestStore(sql).get(rec.reference))?.reference).toBe(rec.reference);
    sql.close();
  });

  it('applies a version added after the old runner stopped, on top of its records', async () => {
    t = tempDir();
    const file = join(t.dir, 'tawasul.sqlite');
    const v1: ModuleMigrations = { module: 'extra', migrations: [{ version: 1, up: 'CREATE TABLE extra (id INTEGER PRIMARY KEY)' }] };
    const old = new SqliteDatabase(file);
    for (const m of [...coreMigrations, v1]) legacyMigrate(old, m.module, m.migrations);
    old.close();
    const sql = new SqliteDatabase(file);
    const v2: ModuleMigrations = { module: 'extra', migrations: [...v1.migrations, { version: 2, up: 'ALTER TABLE extra ADD COLUMN note TEXT' }] };
    expect((await migrateSqlite(sql, [...coreMigrations, v2])).applied).toEqual(['extra/0002']);
    expect(sql.db.prepare("SELECT 1 FROM pragma_table_info('extra') WHERE name = 'note'").get()).toBeTruthy();
    sql.close();
  });

  it('keeps the records of a module not loaded this time (a channel no longer enabled)', async () => {
    t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    const channels = await allChannelMigrations();
    await migrateSqlite(sql, [...coreMigrations, ...channels]);
    await expect(migrateSqlite(sql, coreMigrations)).resolves.toEqual({ applied: [] });
    expect(names(sql)).toEqual(allNames([...coreMigrations, ...channels]));
    sql.close();
  });

  it("lists in the test helper the same adapter modules as the adapters' definitions", async () => {
    const byName = (a: ModuleMigrations, b: ModuleMigrations): number => a.module.localeCompare(b.module);
    expect([...channelStoreMigrations].sort(byName)).toEqual((await allChannelMigrations()).sort(byName));
  });

  it('rolls a failing module back whole and names the migration', async () => {
    t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    const bad: ModuleMigrations = {
      module: 'bad',
      migrations: [
        { version: 1, up: 'CREATE TABLE bad_one (id INTEGER)' },
        { version: 2, up: 'CREATE TABLE bad_one (id INTEGER)' },
      ],
    };
    await expect(migrateSqlite(sql, [...coreMigrations, bad])).rejects.toThrow(/bad\/0002/);
    expect(sql.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'bad_one'").get()).toBeUndefined();
    expect(names(sql)).toEqual(allNames(coreMigrations));
    expect(sql.db.inTransaction).toBe(false);
    // The stores work on what did apply.
    expect(await new SqliteAccountStore(sql, new ManualClock(new Date('2026-03-01T08:00:00Z'))).list()).toEqual([]);
    sql.close();
  });
});
