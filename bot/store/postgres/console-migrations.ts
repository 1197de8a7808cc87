/**
 * The console's PostgreSQL schema (accounts, sessions; conversation ids, notes, live events) and the residents' look-up limits, as Kysely
 * migrations kept apart from migrations.ts: registered there under their own names ('0005-console',
 * …) so that the one migrator applies them in order with the rest. A released one is never edited.
 */
import { type Kysely, type Migration, sql } from 'kysely';

/** Accounts and sessions of the console (bot/console/accounts.ts, sessions.ts). */
export const consoleAccountsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE console_accounts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent','department','supervisor','admin')),
        departments JSONB NOT NULL DEFAULT '[]',
        password_hash TEXT NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        password_changed_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE console_sessions (
        token_hash TEXT PRIMARY KEY,
        account_id BIGINT NOT NULL REFERENCES console_accounts(id),
        csrf TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX console_sessions_account ON console_sessions (account_id);
    `.execute(db);
  },
};

/** The residents' look-up limits (bot/security/lookup-limits.ts): the installation's salt and the failure windows. */
export const lookupLimitsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE security_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE security_lookup_failures (
        scope TEXT NOT NULL,
        subject TEXT NOT NULL,
        window_start TIMESTAMPTZ NOT NULL,
        failures INTEGER NOT NULL,
        PRIMARY KEY (scope, subject)
      );
      CREATE INDEX security_lookup_failures_window ON security_lookup_failures (window_start);
    `.execute(db);
  },
};

/** The console's conversation ids, private notes and live-event log (bot/store/postgres/console-store.ts). */
export const consoleStoreMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // The same tables and columns as on SQLite (bot/console/store.ts), so that `tawasul import-sqlite` carries them over.
    await sql`
      CREATE TABLE console_conversations (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key TEXT NOT NULL UNIQUE);
      CREATE TABLE console_notes (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_key TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX console_notes_key ON console_notes (conversation_key, id);
      CREATE TABLE console_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        type TEXT NOT NULL,
        audience TEXT NOT NULL CHECK (audience IN ('chats','requests')),
        department TEXT,
        payload TEXT NOT NULL
      );
      CREATE INDEX requests_conversation ON requests (conversation_key, id);
    `.execute(db);
  },
};

/** Migration name → migration, for migrations.ts to spread into `postgresMigrations` (after '0004-turn'). */
export const consoleMigrations: Record<string, Migration> = {
  '0005-console': consoleAccountsMigration,
  '0006-lookup-limits': lookupLimitsMigration,
  '0008-console-store': consoleStoreMigration,
};
