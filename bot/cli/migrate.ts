import { join, resolve } from 'node:path';
import { migratePostgresSchema } from '../store/postgres/channel-schema.js';
import { createPool, databaseUrl } from '../store/postgres/database.js';
import { migrateSchema } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import { type Command, lockDataDir } from './command.js';
import { loadCliConfig } from './due.js';

/** Prints what a run applied. */
function report(applied: string[]): void {
  for (const name of applied) process.stdout.write(`applied ${name}\n`);
  process.stdout.write(applied.length > 0 ? `${applied.length} migration(s) applied\n` : 'schema is current\n');
}

/**
 * `tawasul migrate [--channel ID]…`: brings the database to the current schema of the core and of the
 * channels a start would run (the enabled ones, or those named), then exits: the PostgreSQL database
 * of TAWASUL_DATABASE_URL when it is set (instances may be running: migrations are applied once,
 * under Kysely's migration lock), else the data directory's SQLite file.
 */
export const migrateCommand: Command = {
  options: { channel: { type: 'string', multiple: true } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const config = loadCliConfig(dataDir);
    const only = (values as { channel?: string[] }).channel;
    if (process.env.TAWASUL_DATABASE_URL) {
      const pool = createPool(databaseUrl());
      try {
        report(await migratePostgresSchema(pool, config, only));
        return 0;
      } finally {
        await pool.end();
      }
    }
    const lock = lockDataDir(dataDir, 'migrate');
    if (!lock) return 1;
    const sql = new SqliteDatabase(join(dataDir, 'tawasul.sqlite'));
    try {
      report((await migrateSchema(sql, config, only)).applied);
      return 0;
    } finally {
      sql.close();
      await sql.closed();
      lock.release();
    }
  },
};
