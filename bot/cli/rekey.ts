import { join, resolve } from 'node:path';
import { FieldCipher } from '../security/field-cipher.js';
import { type RekeyReport, rekey } from '../security/rekey.js';
import { migrateCore } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import { SqliteRequestStore } from '../store/sqlite-request-store.js';
import { type Command, lockDataDir } from './command.js';

/**
 * `tawasul rekey`: seals every request's personal fields with TAWASUL_DATA_KEY (reading old ones with
 * TAWASUL_DATA_KEY_OLD), in the data directory's SQLite database, or in PostgreSQL when
 * TAWASUL_DATABASE_URL is set (in batches; running it again finishes an interrupted run).
 */
export const rekeyCommand: Command = {
  options: {},
  async run(values) {
    const cipher = FieldCipher.fromEnv(process.env);
    if (!cipher) {
      process.stderr.write('tawasul rekey: set TAWASUL_DATA_KEY (the new key) and, when rotating, TAWASUL_DATA_KEY_OLD\n');
      return 2;
    }
    const print = (r: RekeyReport): void => {
      process.stdout.write(`${JSON.stringify({ keyId: cipher.keyId, ...r })}\n`);
    };
    if (process.env.TAWASUL_DATABASE_URL) {
      // Imported only here, so that the embedded path does not load the PostgreSQL driver.
      const { openPostgresStores } = await import('../store/postgres/stores.js');
      const { rekeyPostgres } = await import('../store/postgres/rekey.js');
      const stores = await openPostgresStores(undefined, { cipher, max: 2 });
      try {
        print(await rekeyPostgres(stores.pool, cipher));
        return 0;
      } finally {
        await stores.close();
      }
    }
    const dataDir = resolve(String(values.data));
    const lock = lockDataDir(dataDir, 'rekey');
    if (!lock) return 1;
    const sql = new SqliteDatabase(join(dataDir, 'tawasul.sqlite'));
    try {
      await migrateCore(sql);
      new SqliteRequestStore(sql, undefined, undefined, { cipher });
      print(rekey(sql, cipher));
      return 0;
    } finally {
      sql.close();
      lock.release();
    }
  },
};
