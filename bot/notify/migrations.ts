import type { Migration } from '../store/sqlite-database.js';

/** Schema of the notification outbox (rows of `outbox` since version 4) and the system notifications (module `notify`). */
export const notifyMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE notify_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      dedupe_key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL CHECK (channel IN ('email','sms')),
      recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('applicant','role')),
      recipient_id TEXT NOT NULL,
      language TEXT NOT NULL,
      purpose TEXT NOT NULL,
      request_id INTEGER,
      reference TEXT,
      subject TEXT,
      body TEXT NOT NULL,
      send_window TEXT NOT NULL CHECK (send_window IN ('any','staff')),
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      provider_id TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER
    );
    CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX notify_outbox_status ON notify_outbox (status, channel);
    CREATE INDEX notify_outbox_request ON notify_outbox (request_id);
    CREATE TABLE notify_system (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      role TEXT NOT NULL,
      kind TEXT NOT NULL,
      level INTEGER,
      request_id INTEGER,
      reference TEXT,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      read_at INTEGER,
      read_by TEXT
    );
    CREATE INDEX notify_system_role ON notify_system (role, id);`,
  },
  {
    // The sweep reads pending rows in (next_attempt_at, id) order by an index range: with the partial
    // index above the planner could still choose (status, channel) and sort every pending row. The
    // admin listing by reference scanned the whole table.
    version: 2,
    up: `
    CREATE INDEX notify_outbox_pending ON notify_outbox (status, next_attempt_at, id);
    DROP INDEX notify_outbox_due;
    CREATE INDEX notify_outbox_reference ON notify_outbox (reference);`,
  },
  {
    // A request's page lists its system notifications by reference (both consoles); PostgreSQL has the same index (0007-notify).
    version: 3,
    up: `CREATE INDEX notify_system_reference ON notify_system (reference);`,
  },
  {
    // The notifications join the replies in the one outbox table (its migration 4, run before this
    // module's): every notify_outbox row is carried over, then the table is dropped.
    version: 4,
    up: `
    INSERT INTO outbox (source_key, channel, recipient_kind, recipient_id, conversation_id, reply, meta, purpose, request_id, reference,
        send_window, state, attempts, next_attempt_at, last_error, provider_message_id, created_at, sent_at)
      SELECT 'notify:' || dedupe_key, 'notify-' || channel, recipient_kind, recipient_id, recipient_kind || ':' || recipient_id,
        json_object('text', body, 'language', language, 'kind', 'notice'),
        CASE WHEN subject IS NULL THEN '{}' ELSE json_object('subject', subject) END,
        purpose, request_id, reference, send_window, status, attempts, next_attempt_at, last_error, provider_id, created_at, sent_at
      FROM notify_outbox ORDER BY id;
    DROP TABLE notify_outbox;`,
  },
];
