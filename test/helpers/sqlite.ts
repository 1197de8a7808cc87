/**
 * SQLite databases for tests that build stores directly: the schema is made once per test file by the
 * real migrator (bot/store/sqlite/migrate.ts) on an in-memory database, and each test's file starts as
 * a copy of it, so that opening stays synchronous and costs no migration run.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coreMigrations } from '../../bot/store/schema.js';
import { type ModuleMigrations, migrateSqlite } from '../../bot/store/sqlite/migrate.js';
import { SqliteDatabase, type SqliteOptions } from '../../bot/store/sqlite-database.js';
import { botframeworkMigrations } from '../../channels/botframework/store.js';
import { emailMigrations } from '../../channels/email/store.js';
import { channelRegistry } from '../../channels/registry.js';
import { webchatMigrations } from '../../channels/webchat/store.js';
import { whatsappCloudMigrations } from '../../channels/whatsapp-cloud/store.js';
import { xMigrations } from '../../channels/x/store.js';

/** The bytes of a database migrated with `modules`. */
export async function schemaTemplate(modules: readonly ModuleMigrations[]): Promise<Buffer> {
  const sql = new SqliteDatabase(':memory:');
  try {
    await migrateSqlite(sql, modules);
    return sql.db.serialize();
  } finally {
    sql.close();
  }
}

/** The modules of every registered channel adapter (loads each definition). */
export async function allChannelMigrations(): Promise<ModuleMigrations[]> {
  const defs = await Promise.all(Object.values(channelRegistry).map((load) => load()));
  return defs.flatMap((d) => d.migrations);
}

/**
 * The adapters' modules as their definitions declare them, read from their light store files so that
 * a test (or a test's child process) does not load every adapter (botbuilder, imapflow, …) to get them;
 * test/store/sqlite-migrate.test.ts checks that this list matches `allChannelMigrations()`.
 */
export const channelStoreMigrations: readonly ModuleMigrations[] = [
  { module: 'webchat', migrations: webchatMigrations },
  { module: 'whatsapp-cloud', migrations: whatsappCloudMigrations },
  { module: 'botframework', migrations: botframeworkMigrations },
  { module: 'x', migrations: xMigrations },
  { module: 'email', migrations: emailMigrations },
];

/** Opens `file`, first creating it from `template` when it does not exist yet. */
export function openFromTemplate(template: Buffer, file: string, opts?: SqliteOptions): SqliteDatabase {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, template, { mode: 0o600 });
  }
  return new SqliteDatabase(file, opts);
}

const coreTemplate = await schemaTemplate(coreMigrations);

/** A database file with the core's current schema (created from the template when missing). */
export function migratedSqlite(file: string, opts?: SqliteOptions): SqliteDatabase {
  return openFromTemplate(coreTemplate, file, opts);
}
