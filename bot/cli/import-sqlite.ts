import { join, resolve } from 'node:path';
import { StoreError } from '../core/errors.js';
import { FieldCipher } from '../security/field-cipher.js';
import { migratePostgresSchema } from '../store/postgres/channel-schema.js';
import { createPool, databaseUrl } from '../store/postgres/database.js';
import { importSqlite } from '../store/postgres/import-sqlite.js';
import { migrateSchema } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import { type Command, lockDataDir } from './command.js';
import { loadCliConfig } from './due.js';

/**
 * `tawasul import-sqlite --data DIR`: copies the data directory's SQLite database into the empty
 * PostgreSQL database of TAWASUL_DATABASE_URL (migrated first, core and every configured channel),
 * in one transaction, and prints what was copied and what was not carried over. One step rather than
 * export + import: no intermediate file holding personal data in clear, and one transaction end to end.
 */
export const importSqliteCommand: Command = {
  options: {},
  async run(values) {
    const dataDir = resolve(String(values.data));
    const url = databaseUrl();
    const config = loadCliConfig(dataDir);
    const cipher = FieldCipher.fromEnv(process.env);
    const lock = lockDataDir(dataDir, 'import-sqlite');
    if (!lock) return 1;
    const sql = new SqliteDatabase(join(dataDir, 'tawasul.sqlite'));
    const pool = createPool(url);
    try {
      const everyChannel = config.channels.map((c) => c.id);
      await migrateSchema(sql, config, everyChannel);
      await migratePostgresSchema(pool, config, everyChannel);
      const report = await importSqlite(sql, pool, cipher);
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      for (const t of report.copied) out(`copied ${t.table}: ${t.rows} row(s)`);
      for (const t of report.notCarried) out(`not carried over: ${t.table} (${t.rows} row(s); no PostgreSQL counterpart yet)`);
      for (const c of report.columnsNotCarried) out(`not carried over: column ${c}`);
      out(`${report.copied.reduce((n, t) => n + t.rows, 0)} row(s) copied in ${report.copied.length} table(s)`);
      out(
        `personal fields: ${report.sealedCopied} encrypted value(s) copied as they are, ${report.sealedNow} encrypted now, ${report.clear} in clear${report.clear > 0 ? ' (set TAWASUL_DATA_KEY and run tawasul rekey)' : ''}`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      process.stderr.write(`tawasul import-sqlite: ${err.message}; nothing was copied\n`);
      return 1;
    } finally {
      await pool.end();
      sql.close();
      await sql.closed();
      lock.release();
    }
  },
};
