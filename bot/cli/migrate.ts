import { join, resolve } from 'node:path';
import { migrateSchema } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import { type Command, lockDataDir } from './command.js';
import { loadCliConfig } from './due.js';

/**
 * `tawasul migrate [--channel ID]…`: brings the data directory's database to the current schema of the
 * core and of the channels a start would run (the enabled ones, or those named), then exits.
 */
export const migrateCommand: Command = {
  options: { channel: { type: 'string', multiple: true } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const config = loadCliConfig(dataDir);
    const only = (values as { channel?: string[] }).channel;
    const lock = lockDataDir(dataDir, 'migrate');
    if (!lock) return 1;
    const sql = new SqliteDatabase(join(dataDir, 'tawasul.sqlite'));
    try {
      const { applied } = await migrateSchema(sql, config, only);
      for (const name of applied) process.stdout.write(`applied ${name}\n`);
      process.stdout.write(applied.length > 0 ? `${applied.length} migration(s) applied\n` : 'schema is current\n');
      return 0;
    } finally {
      sql.close();
      await sql.closed();
      lock.release();
    }
  },
};
