/** The console's store on SQLite (tables of consoleMigrations in bot/console/store.ts). */
import { type ConsoleStore, type EventRow, eventOf, KEEP_EVENTS, type LiveEvent, type Note } from '../../console/store.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';

/** The console's store on one SQLite database (one instance). */
export class SqliteConsoleStore implements ConsoleStore {
  constructor(private readonly sql: SqliteDatabase) {}

  async idOf(key: string): Promise<number> {
    prepared(this.sql.db, 'INSERT OR IGNORE INTO console_conversations (key) VALUES (?)').run(key);
    return prepared(this.sql.db, 'SELECT id FROM console_conversations WHERE key = ?').pluck().get(key) as number;
  }

  async keyOf(id: number): Promise<string | undefined> {
    return prepared(this.sql.db, 'SELECT key FROM console_conversations WHERE id = ?').pluck().get(id) as string | undefined;
  }

  async addNote(key: string, author: string, text: string, at: Date): Promise<Note> {
    const r = prepared(this.sql.db, 'INSERT INTO console_notes (conversation_key, author, text, at) VALUES (?, ?, ?, ?)').run(key, author, text, at.getTime());
    return { id: Number(r.lastInsertRowid), author, text, at };
  }

  async notes(key: string): Promise<Note[]> {
    const rows = prepared(this.sql.db, 'SELECT id, author, text, at FROM console_notes WHERE conversation_key = ? ORDER BY id').all(key) as Array<
      Omit<Note, 'at'> & { at: number }
    >;
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }

  async append(e: Omit<LiveEvent, 'id'>): Promise<LiveEvent> {
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

  async after(id: number, limit = 1000): Promise<LiveEvent[]> {
    return (prepared(this.sql.db, 'SELECT * FROM console_events WHERE id > ? ORDER BY id LIMIT ?').all(id, limit) as EventRow[]).map(eventOf);
  }

  async lastId(): Promise<number> {
    return (prepared(this.sql.db, 'SELECT COALESCE(MAX(id), 0) FROM console_events').pluck().get() as number) ?? 0;
  }
}
