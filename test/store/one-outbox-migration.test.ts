/**
 * Notifications move into the one `outbox` table: a database made before (rows in `notify_outbox`)
 * is migrated with every row carried over — what it says, to whom, its state, attempts, due instant,
 * error and provider id — the dedupe keys still holding, and `notify_outbox` dropped. SQLite (outbox 4,
 * notify 4) and PostgreSQL (0010-one-outbox).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotifyStore } from '../../bot/notify/store.js';
import { createPool } from '../../bot/store/postgres/database.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { postgresMigrations } from '../../bot/store/postgres/migrations.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { migrateSqlite } from '../../bot/store/sqlite/migrate.js';
import { SqliteNotifyStore } from '../../bot/store/sqlite/notify-outbox.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { notification } from './notify-store-contract.js';

const T0 = Date.parse('2026-02-10T10:00:00+04:00');

/** The old rows: a pending SMS to a role, an e-mail to an applicant sent with a subject, a parked one. */
const OLD_ROWS = [
  [
    'k-sms',
    'sms',
    'role',
    'works-director',
    'ar',
    'escalation',
    7,
    'BUR-2026-00007',
    null,
    'نص التصعيد',
    'staff',
    'pending',
    2,
    T0 + 60_000,
    '503',
    null,
    T0,
    null,
  ],
  ['k-mail', 'email', 'applicant', '7', 'en', 'accepted', 7, 'BUR-2026-00007', 'Received', 'We received it', 'any', 'sent', 1, T0, null, 'm-1', T0, T0 + 5],
  ['k-park', 'sms', 'applicant', '8', 'ar', 'status', 8, 'BUR-2026-00008', null, 'نص', 'any', 'failed', 0, T0, 'no sms address for applicant', null, T0, null],
] as const;

const OLD_COLUMNS =
  'dedupe_key, channel, recipient_kind, recipient_id, language, purpose, request_id, reference, subject, body, send_window, status, attempts, next_attempt_at, last_error, provider_id, created_at, sent_at';

/** What the notification store reads back after the migration (newest first). */
async function expectCarriedOver(store: NotifyStore): Promise<void> {
  const rows = await store.list({});
  expect(rows.map((r) => ({ ...r, id: 0 }))).toEqual([
    {
      id: 0,
      channel: 'sms',
      recipient: { kind: 'applicant', id: '8' },
      language: 'ar',
      purpose: 'status',
      reference: 'BUR-2026-00008',
      body: 'نص',
      window: 'any',
      status: 'failed',
      attempts: 0,
      nextAttemptAt: T0,
      lastError: 'no sms address for applicant',
      createdAt: T0,
    },
    {
      id: 0,
      channel: 'email',
      recipient: { kind: 'applicant', id: '7' },
      language: 'en',
      purpose: 'accepted',
      reference: 'BUR-2026-00007',
      subject: 'Received',
      body: 'We received it',
      window: 'any',
      status: 'sent',
      attempts: 1,
      nextAttemptAt: T0,
      createdAt: T0,
      sentAt: T0 + 5,
    },
    {
      id: 0,
      channel: 'sms',
      recipient: { kind: 'role', id: 'works-director' },
      language: 'ar',
      purpose: 'escalation',
      reference: 'BUR-2026-00007',
      body: 'نص التصعيد',
      window: 'staff',
      status: 'pending',
      attempts: 2,
      nextAttemptAt: T0 + 60_000,
      lastError: '503',
      createdAt: T0,
    },
  ]);
  expect((await store.duePage(T0 + 60_000, [Number.MIN_SAFE_INTEGER, 0], 10)).map((r) => r.body)).toEqual(['نص التصعيد']);
  expect(await store.enqueue(notification('k-sms'), T0, T0)).toBe(false);
  expect(await store.enqueue(notification('k-new'), T0, T0)).toBe(true);
  expect((await store.counts()).sort((a, b) => `${a.channel}${a.status}`.localeCompare(`${b.channel}${b.status}`))).toEqual([
    { channel: 'email', status: 'sent', count: 1 },
    { channel: 'sms', status: 'failed', count: 1 },
    { channel: 'sms', status: 'pending', count: 2 },
  ]);
}

describe('notifications carried over into the one outbox', () => {
  it('SQLite: outbox 4 and notify 4 move every notify_outbox row, then drop the table', async () => {
    const t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    try {
      const before = coreMigrations.map((m) =>
        m.module === 'outbox' || m.module === 'notify' ? { ...m, migrations: m.migrations.filter((v) => v.version < 4) } : m,
      );
      await migrateSqlite(sql, before);
      const insert = sql.db.prepare(`INSERT INTO notify_outbox (${OLD_COLUMNS}) VALUES (${OLD_COLUMNS.split(',').map(() => '?')})`);
      for (const row of OLD_ROWS) insert.run(...row);
      expect((await migrateSqlite(sql, coreMigrations)).applied.sort()).toEqual(['notify/0004', 'outbox/0004']);
      expect(sql.db.prepare("SELECT name FROM sqlite_master WHERE name = 'notify_outbox'").get()).toBeUndefined();
      await expectCarriedOver(new SqliteNotifyStore(sql));
    } finally {
      sql.close();
      t.cleanup();
    }
  });

  describe.skipIf(skipPostgres)('PostgreSQL', () => {
    const pgServer = usePostgres();
    it('0010-one-outbox moves every notify_outbox row, then drops the table', async () => {
      const url = await pgServer.database();
      const pool = createPool(url);
      try {
        await migratePostgres(pool, Object.fromEntries(Object.entries(postgresMigrations).filter(([name]) => name < '0010')));
        for (const row of OLD_ROWS) {
          const v = row.map((x, i) => ([13, 16, 17].includes(i) && typeof x === 'number' ? new Date(x) : x));
          await pool.query(`INSERT INTO notify_outbox (${OLD_COLUMNS}) VALUES (${OLD_COLUMNS.split(',').map((_, i) => `$${i + 1}`)})`, v);
        }
      } finally {
        await pool.end();
      }
      const stores = await openPostgresStores(url);
      try {
        expect((await stores.pool.query("SELECT to_regclass('notify_outbox') AS t")).rows[0].t).toBeNull();
        await expectCarriedOver(stores.sla.notices);
      } finally {
        await stores.close();
      }
    });
  });
});
