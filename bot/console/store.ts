/**
 * The console's own tables: stable numeric ids for conversations (so that a phone number never
 * travels in a URL), private notes on chats, and the durable live-event log the SSE stream replays
 * from (Last-Event-ID survives a restart, so nothing is shown twice or lost).
 */
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';

/** Schema of this module (applied by bot/store/sqlite/migrate.ts). */
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

/** Events kept for catching up after a disconnect. */
const KEEP_EVENTS = 10_000;

/** The console's store. */
export class ConsoleStore {
  constructor(private readonly sql: SqliteDatabase) {}

  /** The stable id of a conversation key (assigned on first sight). */
  idOf(key: string): number {
    prepared(this.sql.db, 'INSERT OR IGNORE INTO console_conversations (key) VALUES (?)').run(key);
    return prepared(this.sql.db, 'SELECT id FROM console_conversations WHERE key = ?').pluck().get(key) as number;
  }

  /** The conversation key of an id. */
  keyOf(id: number): string | undefined {
    return prepared(this.sql.db, 'SELECT key FROM console_conversations WHERE id = ?').pluck().get(id) as string | undefined;
  }

  /** Adds a private note. */
  addNote(key: string, author: string, text: string, at: Date): Note {
    const r = prepared(this.sql.db, 'INSERT INTO console_notes (conversation_key, author, text, at) VALUES (?, ?, ?, ?)').run(key, author, text, at.getTime());
    return { id: Number(r.lastInsertRowid), author, text, at };
  }

  /** The notes of a chat, oldest first. */
  notes(key: string): Note[] {
    return (
      prepared(this.sql.db, 'SELECT id, author, text, at FROM console_notes WHERE conversation_key = ? ORDER BY id').all(key) as Array<{
        id: number;
        author: string;
        text: string;
        at: number;
      }>
    ).map((r) => ({ ...r, at: new Date(r.at) }));
  }

  /** Appends a live event; returns it with its id. */
  append(e: Omit<LiveEvent, 'id'>): LiveEvent {
    const r = prepared(this.sql.db, 'INSERT INTO console_events (at, type, audience, department, payload) VALUES (?, ?, ?, ?, ?)').run(
      e.at.getTime(),
      e.type,
      e.audience,
      e.department ?? null,
      JSON.stringify(e.payload),
    );
    const id = Number(r.lastInsertRowid);
    if (id % 1000 === 0) prepared(this.sql.db, 'DELETE FROM console_events WHERE id <= ?').run(id - KEEP_EVENTS);
    return { ...e, id };
  }

  /** Events after `id`, oldest first. */
  after(id: number, limit = 1000): LiveEvent[] {
    const rows = prepared(this.sql.db, 'SELECT * FROM console_events WHERE id > ? ORDER BY id LIMIT ?').all(id, limit) as Array<{
      id: number;
      at: number;
      type: string;
      audience: Audience;
      department: string | null;
      payload: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at),
      type: r.type,
      audience: r.audience,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      ...(r.department ? { department: r.department } : {}),
    }));
  }

  /** The id of the newest event (0 when none). */
  lastId(): number {
    return (prepared(this.sql.db, 'SELECT COALESCE(MAX(id), 0) FROM console_events').pluck().get() as number) ?? 0;
  }
}
