import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../bot/delivery/outbox.js';
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
    replies: new Outbox(sql),
    async close() {
      sql.close();
      t.cleanup();
    },
  };
});

describe('SQLite notification stores', () => {
  it("finds a request's system notifications through an index on the reference", () => {
    const t = tempDir();
    const sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    try {
      const plan = sql.db
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM notify_system n WHERE n.reference = ? ORDER BY n.id DESC LIMIT ?')
        .all('BUR-2026-AAAAA', 50) as Array<{ detail: string }>;
      expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING INDEX notify_system_reference \(reference=\?\)/);
    } finally {
      sql.close();
      t.cleanup();
    }
  });
});
