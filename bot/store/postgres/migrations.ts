/**
 * The PostgreSQL schema, as Kysely migrations: applied in name order, each once, all pending ones
 * in one transaction under Kysely's advisory lock (two instances starting together take turns).
 * A released migration is never edited: add the next one.
 */
import { type Kysely, type Migration, sql } from 'kysely';

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
};
