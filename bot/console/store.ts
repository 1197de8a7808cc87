/**
 * The console's own tables: stable numeric ids for conversations (so that a phone number never
 * travels in a URL), private notes on chats, and the durable live-event log the SSE stream replays
 * from (Last-Event-ID survives a restart, so nothing is shown twice or lost). SQLite in
 * bot/store/sqlite/console-store.ts, PostgreSQL in bot/store/postgres/console-store.ts; both pass
 * test/console/console-store-contract.ts.
 */
import type { Migration } from '../store/sqlite-database.js';

/** Schema of this module on SQLite (applied by bot/store/sqlite/migrate.ts). */
export const consoleMigrations: Migration[] = [
  {
    version: 1,
    up: `
  CREATE TABLE console_conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE);
  CREATE TABLE console_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_key TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL
  );
  CREATE INDEX console_notes_key ON console_notes (conversation_key, id);
  CREATE TABLE console_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL,
    audience TEXT NOT NULL, department TEXT, payload TEXT NOT NULL
  );`,
  },
];

/** Who may see a live event: the chat roles, or the request roles (optionally one department). */
export type Audience = 'chats' | 'requests';

/** One stored live event. */
export interface LiveEvent {
  id: number;
  at: Date;
  type: string;
  audience: Audience;
  department?: string;
  payload: Record<string, unknown>;
}

/** A private note on a chat (never shown to the resident). */
export interface Note {
  id: number;
  author: string;
  text: string;
  at: Date;
}

/** Events kept for catching up after a disconnect (older ones are pruned every 1000th append). */
export const KEEP_EVENTS = 10_000;

/** The console's store (one per instance; instances on one PostgreSQL share its log). */
export interface ConsoleStore {
  /** The stable id of a conversation key (assigned on first sight). */
  idOf(key: string): Promise<number>;
  /** The conversation key of an id. */
  keyOf(id: number): Promise<string | undefined>;
  /** Adds a private note. */
  addNote(key: string, author: string, text: string, at: Date): Promise<Note>;
  /** The notes of a chat, oldest first. */
  notes(key: string): Promise<Note[]>;
  /** Appends a live event; returns it with its id (ids grow in the order appends commit). */
  append(e: Omit<LiveEvent, 'id'>): Promise<LiveEvent>;
  /** Events after `id`, oldest first. */
  after(id: number, limit?: number): Promise<LiveEvent[]>;
  /** The id of the newest event (0 when none). */
  lastId(): Promise<number>;
}

/** A stored event row as both databases return it (`at` as ms or Date, ids maybe as strings). */
export interface EventRow {
  id: number | string;
  at: number | Date;
  type: string;
  audience: Audience;
  department: string | null;
  payload: string;
}

/** The live event of a stored row. */
export const eventOf = (r: EventRow): LiveEvent => ({
  id: Number(r.id),
  at: new Date(r.at),
  type: r.type,
  audience: r.audience,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  ...(r.department ? { department: r.department } : {}),
});
