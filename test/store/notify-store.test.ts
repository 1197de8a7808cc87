import { join } from 'node:path';
import { SqliteSlaStore } from '../../bot/store/sqlite/sla-store.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { notifyStoreContract } from './notify-store-contract.js';

notifyStoreContract('sqlite', async () => {
  const t = tempDir();
  const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
  return {
    store: new SqliteSlaStore(sql),
    requests: new SqliteRequestStore(sql),
    async close() {
      sql.close();
      t.cleanup();
    },
  };
});
