import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inboxMigrations } from '../../bot/delivery/inbox.js';
import { Outbox, outboxMigrations } from '../../bot/delivery/outbox.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { migrateSqlite } from '../../bot/store/sqlite/migrate.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { deliveryStoreContract } from './delivery-store-contract.js';

deliveryStoreContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  let db = migratedSqlite(file);
  return {
    outbox: new Outbox(db),
    async reopen() {
      db.close();
      db = new SqliteDatabase(file);
      return new Outbox(db);
    },
    async close() {
      db.close();
      t.cleanup();
    },
  };
});

describe('the SQLite inbound ledger upgrade', () => {
  it('carries the engine claims and the accepted/queued ledger of an existing data directory into one ledger', async () => {
    const t = tempDir();
    const file = join(t.dir, 'tawasul.sqlite');
    const old = new SqliteDatabase(file);
    // The schema before the ledgers were joined: inbox v1, outbox v1–v2 (with outbox_inbound).
    await migrateSqlite(old, [
      { module: 'inbox', migrations: inboxMigrations.filter((m) => m.version === 1) },
      { module: 'outbox', migrations: outboxMigrations.filter((m) => m.version <= 2) },
    ]);
    const msg = (id: string) =>
      JSON.stringify({ channel: 'x', conversationId: 'c', id, from: { id: 'u' }, text: 'hi', receivedAt: '2026-11-22T05:00:00.000Z' });
    const claim = old.db.prepare(
      `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, replies, raw) VALUES ('x', ?, 'x:c', 1, 1, ?, ?, ?)`,
    );
    const accept = old.db.prepare(`INSERT INTO outbox_inbound (channel, message_id, message, meta, accepted_at, state) VALUES ('x', ?, ?, '{"to":"u"}', ?, ?)`);
    accept.run('accepted', msg('accepted'), 10, 'accepted'); // never reached the engine
    accept.run('processing', msg('processing'), 20, 'accepted');
    claim.run('processing', 'processing', null, msg('processing'));
    accept.run('done', msg('done'), 30, 'accepted'); // engine finished, replies not queued
    claim.run('done', 'done', JSON.stringify([{ text: 'r', language: 'en', kind: 'answer' }]), null);
    accept.run('queued', '', 40, 'queued');
    claim.run('queued', 'done', JSON.stringify([{ text: 'q', language: 'en', kind: 'answer' }]), null);
    claim.run('webchat', 'done', '[]', null); // never accepted (web chat)
    old.close();

    const db = new SqliteDatabase(file);
    await migrateSqlite(db, coreMigrations);
    const outbox = new Outbox(db);
    const unqueued = outbox.inbox.unqueued('x', new Date(1000));
    expect(unqueued.map((u) => [u.messageId, u.state, u.meta, u.message])).toEqual([
      ['accepted', 'accepted', { to: 'u' }, msg('accepted')],
      ['processing', 'processing', { to: 'u' }, msg('processing')],
      ['done', 'done', { to: 'u' }, msg('done')],
    ]);
    expect(unqueued[2]!.replies).toEqual([{ text: 'r', language: 'en', kind: 'answer' }]);
    expect(outbox.inbox.get('x', 'queued')).toEqual({ state: 'done', replies: [{ text: 'q', language: 'en', kind: 'answer' }] });
    expect(outbox.inbox.get('x', 'webchat')).toEqual({ state: 'done', replies: [] });
    expect(db.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'outbox_inbound'`).get()).toBeUndefined();
    db.close();
    t.cleanup();
  });
});
