import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldCipher } from '../../bot/security/field-cipher.js';
import { phoneKey, SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { requestStoreContract, sampleRequest } from './request-store-contract.js';

requestStoreContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  let db = migratedSqlite(file);
  return {
    store: new SqliteRequestStore(db),
    async reopen() {
      db.close();
      db = migratedSqlite(file);
      return new SqliteRequestStore(db);
    },
    async close() {
      db.close();
      t.cleanup();
    },
  };
});

// The same contract with personal fields sealed (TAWASUL_DATA_KEY).
const cipher = new FieldCipher(randomBytes(32));
requestStoreContract('sqlite, sealed with a data key', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  let db = migratedSqlite(file);
  return {
    store: new SqliteRequestStore(db, undefined, undefined, { cipher }),
    async reopen() {
      db.close();
      db = migratedSqlite(file);
      return new SqliteRequestStore(db, undefined, undefined, { cipher });
    },
    async close() {
      db.close();
      t.cleanup();
    },
  };
});

describe('SqliteRequestStore specifics', () => {
  it('normalizes Omani phone numbers for comparison', () => {
    expect(phoneKey('+968 9234 5678')).toBe('92345678');
    expect(phoneKey('0096892345678')).toBe('92345678');
    expect(phoneKey('92345678')).toBe('92345678');
  });

  it('leaves no half-written request when filing fails inside the transaction', async () => {
    const t = tempDir();
    const db = migratedSqlite(join(t.dir, 'x.sqlite'));
    const store = new SqliteRequestStore(db);
    const bad = sampleRequest({ description: null as unknown as string });
    await expect(store.create(bad)).rejects.toThrow();
    expect(await store.count()).toBe(0);
    expect(db.db.prepare('SELECT COUNT(*) FROM request_events').pluck().get()).toBe(0);
    const ok = await store.create(sampleRequest());
    expect(ok.reference).toMatch(/^BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    db.close();
    t.cleanup();
  });
});
