import { join, resolve } from 'node:path';
import { FieldCipher } from '../security/field-cipher.js';
import { rekey } from '../security/rekey.js';
import { migrateCore } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import { SqliteRequestStore } from '../store/sqlite-request-store.js';
import { type Command, lockDataDir } from './command.js';

/** `tawasul rekey`: seals every request's personal fields with TAWASUL_DATA_KEY (reading old ones with TAWASUL_DATA_KEY_OLD). */
export const rekeyCommand: Command = {
  options: {},
  async run(values) {
    const dataDir = resolve(String(values.data));
    const cipher = FieldCipher.fromEnv(process.env);
    if (!cipher) {
      process.stderr.write('tawasul rekey: set TAWASUL_DATA_KEY (the new key) and, when rotating, TAWASUL_DATA_KEY_OLD\n');
      return 2;
    }
    const lock = lockDataDir(dataDir, 'rekey');
    if (!lock) return 1;
    const sql = new SqliteDatabase(join(dataDir, 'tawasul.sqlite'));
    try {
      await migrateCore(sql);
      new SqliteRequestStore(sql, undefined, undefined, { cipher });
      const r = rekey(sql, cipher);
      process.stdout.write(`${JSON.stringify({ keyId: cipher.keyId, ...r })}\n`);
      return 0;
    } finally {
      sql.close();
      lock.release();
    }
  },
};
