/**
 * The console's store on PostgreSQL (tables of console-migrations.ts '0008-console-store'), shared
 * by every instance on the database: conversation ids, notes, and the live-event log. An append
 * locks the log's table until it commits, so ids become visible in the order they were given and a
 * reader that has seen id N never sees a smaller id appear later (nothing is skipped by `after`).
 */
import type pg from 'pg';
import { type ConsoleStore, type EventRow, eventOf, KEEP_EVENTS, type LiveEvent, type Note } from '../../console/store.js';
import { withTransaction } from './database.js';

/** Conversation ids remembered per instance (ids never change; the map is dropped when full). */
const ID_CACHE = 10_000;

/** The console's store on a PostgreSQL pool. */
export class PostgresConsoleStore implements ConsoleStore {
  private readonly ids = new Map<string, number>();

  constructor(private readonly pool: pg.Pool) {}

  async idOf(key: string): Promise<number> {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const select = async () => (await this.pool.query<{ id: string }>('SELECT id FROM console_conversations WHERE key = $1', [key])).rows[0];
    // Looked up first, so that an id is spent only on a new key; the second look sees a key another instance just added.
    const row =
      (await select()) ??
      (await this.pool.query<{ id: string }>('INSERT INTO console_conversations (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING id', [key])).rows[0] ??
      (await select())!;
    if (this.ids.size >= ID_CACHE) this.ids.clear();
    this.ids.set(key, Number(row.id));
    return Number(row.id);
  }

  async keyOf(id: number): Promise<string | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return (await this.pool.query<{ key: string }>('SELECT key FROM console_conversations WHERE id = $1', [id])).rows[0]?.key;
  }

  async addNote(key: string, author: string, text: string, at: Date): Promise<Note> {
    const r = await this.pool.query<{ id: string }>('INSERT INTO console_notes (conversation_key, author, text, at) VALUES ($1, $2, $3, $4) RETURNING id', [
      key,
      author,
      text,
      at,
    ]);
    return { id: Number(r.rows[0]!.id), author, text, at };
  }

  async notes(key: string): Promise<Note[]> {
    const r = await this.pool.query<{ id: string; author: string; text: string; at: Date }>(
      'SELECT id, author, text, at FROM console_notes WHERE conversation_key = $1 ORDER BY id',
      [key],
    );
    return r.rows.map((x) => ({ id: Number(x.id), author: x.author, text: x.text, at: x.at }));
  }

  async append(e: Omit<LiveEvent, 'id'>): Promise<LiveEvent> {
    const id = await withTransaction(this.pool, async (c) => {
      // EXCLUSIVE blocks other appends (not reads) until this one commits: ids commit in order.
      await c.query('LOCK TABLE console_events IN EXCLUSIVE MODE');
      const r = await c.query<{ id: string }>('INSERT INTO console_events (at, type, audience, department, payload) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
        e.at,
        e.type,
        e.audience,
        e.department ?? null,
        JSON.stringify(e.payload),
      ]);
      const id = Number(r.rows[0]!.id);
      if (id % 1000 === 0) await c.query('DELETE FROM console_events WHERE id <= $1', [id - KEEP_EVENTS]);
      return id;
    });
    return { ...e, id };
  }

  async after(id: number, limit = 1000): Promise<LiveEvent[]> {
    return (await this.pool.query<EventRow>('SELECT * FROM console_events WHERE id > $1 ORDER BY id LIMIT $2', [id, limit])).rows.map(eventOf);
  }

  async lastId(): Promise<number> {
    return Number((await this.pool.query<{ id: string }>('SELECT COALESCE(MAX(id), 0) AS id FROM console_events')).rows[0]!.id);
  }
}
