import type { Migration } from '../store/sqlite-database.js';

/** Schema of the SLA engine (module `sla`). */
export const slaMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE sla_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- One row per request, kind and level: the escalation ladder and the overdue notice. Unfired rows
    -- are the schedule (found by an indexed range on fire_at); fired rows are the record.
    CREATE TABLE sla_timers (
      request_id INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('escalation','overdue')),
      level INTEGER NOT NULL,
      reference TEXT NOT NULL,
      role TEXT,
      base_at INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      fire_at INTEGER NOT NULL,
      fired_at INTEGER,
      PRIMARY KEY (request_id, kind, level)
    ) WITHOUT ROWID;
    CREATE INDEX sla_timers_pending ON sla_timers (fire_at, kind) WHERE fired_at IS NULL;
    CREATE TABLE sla_first_responses (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      message_id TEXT,
      received_at INTEGER NOT NULL,
      deadline_at INTEGER NOT NULL,
      responded_at INTEGER,
      source TEXT
    );
    CREATE INDEX sla_first_responses_received ON sla_first_responses (received_at);
    CREATE INDEX sla_first_responses_conversation ON sla_first_responses (channel, conversation_id, received_at);
    CREATE UNIQUE INDEX sla_first_responses_message ON sla_first_responses (channel, message_id) WHERE message_id IS NOT NULL;
    CREATE TABLE sla_holiday_overrides (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      holiday_id TEXT NOT NULL,
      date_from TEXT NOT NULL,
      date_to TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('confirmed','cancelled')),
      name_ar TEXT NOT NULL,
      name_en TEXT NOT NULL,
      actor TEXT NOT NULL,
      at INTEGER NOT NULL,
      removed_at INTEGER,
      removed_by TEXT
    );
    CREATE TABLE sla_calendar_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      summary TEXT NOT NULL,
      dates TEXT NOT NULL DEFAULT '[]',
      requests_recomputed INTEGER NOT NULL DEFAULT 0,
      timers_recomputed INTEGER NOT NULL DEFAULT 0,
      done_at INTEGER
    );
    CREATE TABLE sla_resident_messages (
      request_id INTEGER NOT NULL,
      at INTEGER NOT NULL,
      text TEXT NOT NULL,
      PRIMARY KEY (request_id, at)
    );`,
  },
  {
    // The look-up by conversation (a provider's send that names no message) reads only rows still
    // waiting for a provider: with no reply yet, or a reply in an outbox. The rows of replies given in
    // the response itself (web chat, source 'engine') no longer enter an index keyed by a random
    // conversation id: that index write was most of the per-message cost of this table.
    version: 2,
    up: `
    DROP INDEX sla_first_responses_conversation;
    CREATE INDEX sla_first_responses_pending ON sla_first_responses (channel, conversation_id, received_at) WHERE source IS NULL OR source = 'outbox';`,
  },
];
