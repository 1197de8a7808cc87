/**
 * The PostgreSQL schema, as Kysely migrations: applied in name order, each once, all pending ones
 * in one transaction under Kysely's advisory lock (two instances starting together take turns).
 * A released migration is never edited: add the next one.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { JOB_FENCES_POSTGRES } from '../../scale/job-fence.js';
import { consoleMigrations } from './console-migrations.js';

/** Migration name → migration (names sort in the order they apply). */
export const postgresMigrations: Record<string, Migration> = {
  '0001-requests': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        CREATE TABLE sequences (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
        CREATE TABLE requests (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          reference TEXT NOT NULL UNIQUE,
          service_id TEXT NOT NULL,
          department TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('filed','in_progress','on_hold','closed','rejected')),
          applicant_name TEXT NOT NULL,
          civil_id TEXT NOT NULL,
          phone TEXT NOT NULL,
          email TEXT,
          address TEXT,
          latitude DOUBLE PRECISION,
          longitude DOUBLE PRECISION,
          location_label TEXT,
          party TEXT,
          description TEXT NOT NULL,
          preferred_date TEXT,
          attachments JSONB NOT NULL DEFAULT '[]',
          language TEXT NOT NULL,
          channel TEXT NOT NULL,
          conversation_key TEXT NOT NULL,
          assignee TEXT,
          filed_at TIMESTAMPTZ NOT NULL,
          due_at TIMESTAMPTZ NOT NULL,
          last_action_at TIMESTAMPTZ NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX requests_status_due ON requests (status, due_at);
        CREATE INDEX requests_service ON requests (service_id, filed_at);
        CREATE INDEX requests_filed ON requests (filed_at);
        CREATE TABLE request_events (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          request_id BIGINT NOT NULL REFERENCES requests(id),
          at TIMESTAMPTZ NOT NULL,
          actor TEXT NOT NULL,
          type TEXT NOT NULL,
          status TEXT,
          note TEXT
        );
        CREATE INDEX request_events_request ON request_events (request_id, id);
      `.execute(db);
    },
  },
  '0002-random-references': {
    async up(db: Kysely<unknown>): Promise<void> {
      // References are random now (bot/security/reference.ts): the yearly counter is gone. A source key
      // (the turn that filed) may hold any character, NUL included, so it is kept as its UTF-8 bytes.
      await sql`
        ALTER TABLE requests ADD COLUMN source_key BYTEA UNIQUE;
        DROP TABLE sequences;
      `.execute(db);
    },
  },
  '0003-sla': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The SLA's own tables (bot/store/postgres/sla-*.ts). Instants are TIMESTAMPTZ like the requests'
      // (the schedule is compared with and joined to requests.filed_at/due_at without conversions;
      // microseconds hold the engine's milliseconds exactly). Request ids carry no foreign key, as on
      // SQLite: the schedule's contract lets a row name any id (a missing request is cancelled).
      await sql`
        CREATE TABLE sla_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sla_timers (
          request_id BIGINT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('escalation','overdue')),
          level INTEGER NOT NULL,
          reference TEXT NOT NULL,
          role TEXT,
          base_at TIMESTAMPTZ NOT NULL,
          due_at TIMESTAMPTZ NOT NULL,
          fire_at TIMESTAMPTZ NOT NULL,
          fired_at TIMESTAMPTZ,
          PRIMARY KEY (request_id, kind, level)
        );
        CREATE INDEX sla_timers_pending ON sla_timers (fire_at, kind) WHERE fired_at IS NULL;
        CREATE INDEX sla_timers_fired ON sla_timers (request_id) WHERE fired_at IS NOT NULL AND kind = 'escalation';
        CREATE TABLE sla_first_responses (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          message_id TEXT,
          received_at TIMESTAMPTZ NOT NULL,
          deadline_at TIMESTAMPTZ NOT NULL,
          responded_at TIMESTAMPTZ,
          source TEXT
        );
        CREATE INDEX sla_first_responses_received ON sla_first_responses (received_at, id);
        CREATE INDEX sla_first_responses_conversation ON sla_first_responses (channel, conversation_id, received_at);
        CREATE UNIQUE INDEX sla_first_responses_message ON sla_first_responses (channel, message_id) WHERE message_id IS NOT NULL;
        CREATE TABLE sla_holiday_overrides (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          holiday_id TEXT NOT NULL,
          date_from TEXT NOT NULL,
          date_to TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('confirmed','cancelled')),
          name_ar TEXT NOT NULL,
          name_en TEXT NOT NULL,
          actor TEXT NOT NULL,
          at TIMESTAMPTZ NOT NULL,
          removed_at TIMESTAMPTZ,
          removed_by TEXT
        );
        CREATE TABLE sla_calendar_changes (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at TIMESTAMPTZ NOT NULL,
          actor TEXT NOT NULL,
          summary TEXT NOT NULL,
          dates JSONB NOT NULL DEFAULT '[]',
          requests_recomputed INTEGER NOT NULL DEFAULT 0,
          timers_recomputed INTEGER NOT NULL DEFAULT 0,
          done_at TIMESTAMPTZ
        );
        CREATE TABLE sla_resident_messages (
          request_id BIGINT NOT NULL,
          at TIMESTAMPTZ NOT NULL,
          text TEXT NOT NULL,
          PRIMARY KEY (request_id, at)
        );
        -- The notification outbox's shape, so that the SLA figures (metrics) read it here. The outbox
        -- itself (bot/notify/outbox.ts) is still SQLite: until it moves (issue 10) this table stays empty.
        CREATE TABLE notify_outbox (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          dedupe_key TEXT NOT NULL UNIQUE,
          channel TEXT NOT NULL CHECK (channel IN ('email','sms')),
          recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('applicant','role')),
          recipient_id TEXT NOT NULL,
          language TEXT NOT NULL,
          purpose TEXT NOT NULL,
          request_id BIGINT,
          reference TEXT,
          subject TEXT,
          body TEXT NOT NULL,
          send_window TEXT NOT NULL CHECK (send_window IN ('any','staff')),
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at TIMESTAMPTZ NOT NULL,
          last_error TEXT,
          provider_id TEXT,
          created_at TIMESTAMPTZ NOT NULL,
          sent_at TIMESTAMPTZ
        );
        CREATE INDEX notify_outbox_pending ON notify_outbox (status, next_attempt_at, id);
        CREATE INDEX notify_outbox_status ON notify_outbox (status, channel);
        CREATE INDEX notify_outbox_request ON notify_outbox (request_id);
        CREATE INDEX notify_outbox_reference ON notify_outbox (reference);
      `.execute(db);
    },
  },
  '0004-turn': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The atomic turn's tables (bot/store/postgres/turn-*.ts): the inbound ledger, the outbox, the
      // conversation state, conversations, transcripts and the audit trail. JSON is kept as TEXT (JSONB
      // refuses \u0000, which a message may hold); keys that may hold NUL (source keys) as BYTEA.
      await sql`
        CREATE TABLE inbox (
          channel TEXT NOT NULL,
          message_id TEXT NOT NULL,
          conversation_key TEXT,
          received_at TIMESTAMPTZ,
          claimed_at TIMESTAMPTZ,
          accepted_at TIMESTAMPTZ,
          state TEXT NOT NULL CHECK (state IN ('accepted','processing','done','queued')),
          replies TEXT,
          raw TEXT,
          meta TEXT,
          PRIMARY KEY (channel, message_id)
        );
        CREATE INDEX inbox_state ON inbox (state, claimed_at);
        CREATE INDEX inbox_accepted ON inbox (channel, accepted_at) WHERE accepted_at IS NOT NULL AND state <> 'queued';
        CREATE TABLE outbox (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          reply TEXT NOT NULL,
          in_reply_to TEXT,
          meta TEXT NOT NULL DEFAULT '{}',
          received_at TIMESTAMPTZ,
          deadline TIMESTAMPTZ,
          attempts INTEGER NOT NULL DEFAULT 0,
          state TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
          next_attempt_at TIMESTAMPTZ NOT NULL,
          last_error TEXT,
          provider_message_id TEXT,
          sent_at TIMESTAMPTZ,
          created_at TIMESTAMPTZ NOT NULL,
          source_key BYTEA UNIQUE,
          attempt_at TIMESTAMPTZ,
          doubt_resent INTEGER NOT NULL DEFAULT 0,
          doubt_confirmed INTEGER NOT NULL DEFAULT 0,
          doubt_held INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
        CREATE INDEX outbox_attempting ON outbox (channel) WHERE attempt_at IS NOT NULL;
        CREATE INDEX outbox_doubt ON outbox (channel) WHERE doubt_resent > 0 OR doubt_confirmed > 0;
        CREATE TABLE conversation_state (
          key TEXT PRIMARY KEY,
          state TEXT NOT NULL,
          expires_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX conversation_state_expiry ON conversation_state (expires_at);
        CREATE TABLE conversations (
          key TEXT PRIMARY KEY,
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          owner TEXT NOT NULL CHECK (owner IN ('bot','queue','agent')),
          agent_id TEXT,
          language TEXT NOT NULL,
          queued_at TIMESTAMPTZ,
          taken_at TIMESTAMPTZ,
          last_message_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX conversations_owner ON conversations (owner, queued_at);
        CREATE TABLE transcript (
          seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          key TEXT NOT NULL,
          direction TEXT NOT NULL,
          author TEXT NOT NULL,
          text TEXT NOT NULL,
          kind TEXT,
          at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX transcript_key ON transcript (key, seq);
        CREATE TABLE audit (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at TIMESTAMPTZ NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          subject TEXT NOT NULL
        );
      `.execute(db);
    },
  },
  // The console's accounts and sessions, and the residents' look-up limits (bot/store/postgres/console-migrations.ts).
  ...consoleMigrations,
  '0007-notify': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The system notifications (bot/store/postgres/notify-system.ts), as bot/notify/migrations.ts has
      // them on SQLite; the notification outbox's table came with 0003-sla.
      await sql`
        CREATE TABLE notify_system (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          role TEXT NOT NULL,
          kind TEXT NOT NULL,
          level INTEGER,
          request_id BIGINT,
          reference TEXT,
          title TEXT NOT NULL,
          body TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          read_at TIMESTAMPTZ,
          read_by TEXT
        );
        CREATE INDEX notify_system_role ON notify_system (role, id);
        CREATE INDEX notify_system_reference ON notify_system (reference);
      `.execute(db);
    },
  },
  '0009-config-overlay': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The configuration overlay admins edit from the console, shared by the instances (bot/config/shared-overlay.ts).
      await sql`
        CREATE TABLE config_overlay (
          name TEXT PRIMARY KEY,
          content TEXT NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL
        );
      `.execute(db);
    },
  },
  '0010-one-outbox': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Notifications become rows of the one outbox (channel notify-email / notify-sms, the dedupe key
      // as source_key, text and language in reply, subject in meta), as SQLite's outbox 4 and notify 4
      // have them; every notify_outbox row is carried over, then the table is dropped.
      await sql`
        ALTER TABLE outbox
          ADD COLUMN purpose TEXT,
          ADD COLUMN request_id BIGINT,
          ADD COLUMN reference TEXT,
          ADD COLUMN send_window TEXT CHECK (send_window IN ('any','staff')),
          ADD COLUMN recipient_kind TEXT CHECK (recipient_kind IN ('applicant','role')),
          ADD COLUMN recipient_id TEXT;
        CREATE INDEX notifications_pending ON outbox (state, next_attempt_at, id) WHERE recipient_kind IS NOT NULL;
        CREATE INDEX notifications_reference ON outbox (reference) WHERE recipient_kind IS NOT NULL;
        CREATE INDEX notifications_request ON outbox (request_id) WHERE recipient_kind IS NOT NULL;
        INSERT INTO outbox (source_key, channel, recipient_kind, recipient_id, conversation_id, reply, meta, purpose, request_id, reference,
            send_window, state, attempts, next_attempt_at, last_error, provider_message_id, created_at, sent_at)
          SELECT convert_to('notify:' || dedupe_key, 'UTF8'), 'notify-' || channel, recipient_kind, recipient_id, recipient_kind || ':' || recipient_id,
            json_build_object('text', body, 'language', language, 'kind', 'notice')::text,
            CASE WHEN subject IS NULL THEN '{}' ELSE json_build_object('subject', subject)::text END,
            purpose, request_id, reference, send_window, status, attempts, next_attempt_at, last_error, provider_id, created_at, sent_at
          FROM notify_outbox ORDER BY id;
        DROP TABLE notify_outbox;
      `.execute(db);
    },
  },
  '0011-job-fences': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The epochs that fence the X and IMAP cursors' writes (bot/scale/job-fence.ts).
      await sql.raw(JOB_FENCES_POSTGRES).execute(db);
    },
  },
  '0012-sla-first-responses-pending': {
    async up(db: Kysely<unknown>): Promise<void> {
      // As SQLite's sla migration 2: the look-up by conversation reads only rows still waiting for a
      // provider, so a reply given in the response itself writes no entry keyed by a random conversation id.
      await sql`
        DROP INDEX sla_first_responses_conversation;
        CREATE INDEX sla_first_responses_pending ON sla_first_responses (channel, conversation_id, received_at) WHERE source IS NULL OR source = 'outbox';
      `.execute(db);
    },
  },
};
