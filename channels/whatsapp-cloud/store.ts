/**
 * WhatsApp's 24-hour customer-service window: free-form messages may be sent only within 24 hours
 * of the user's last message; outside it only approved templates. The last inbound time per user is
 * kept in the database so that it survives restarts (SQLite here; PostgreSQL in postgres-store.ts).
 */
import type { Awaitable } from '../../bot/delivery/types.js';
import type { Migration, SqliteDatabase } from '../../bot/store/sqlite-database.js';

/** Schema of this module (applied by bot/store/sqlite/migrate.ts). */
export const whatsappCloudMigrations: Migration[] = [
  {
    version: 1,
    up: `CREATE TABLE whatsapp_window (
      channel TEXT NOT NULL,
      wa_id TEXT NOT NULL,
      last_inbound_at INTEGER NOT NULL,
      PRIMARY KEY (channel, wa_id)
    );`,
  },
];

/** Last inbound message time per WhatsApp user of one channel instance. Methods may answer with a promise; callers await. */
export interface ServiceWindow {
  /** Records an inbound message (any type opens the window); keeps the latest time. */
  touch(waId: string, at: Date): Awaitable<void>;
  /** True when free-form text may be sent to the user at `now`. */
  isOpen(waId: string, now: Date): Awaitable<boolean>;
  /** Meta said the window is closed (error 131047): forget the user's last inbound time. */
  close(waId: string): Awaitable<void>;
}

/** The hours a window stays open by default. */
export const WINDOW_HOURS = 24;

/** The window on SQLite (table `whatsapp_window`). */
export class SqliteServiceWindow implements ServiceWindow {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
    private readonly hours = WINDOW_HOURS,
  ) {}

  touch(waId: string, at: Date): void {
    this.sql.db
      .prepare(`INSERT INTO whatsapp_window (channel, wa_id, last_inbound_at) VALUES (?, ?, ?)
        ON CONFLICT (channel, wa_id) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)`)
      .run(this.channel, waId, at.getTime());
  }

  isOpen(waId: string, now: Date): boolean {
    const row = this.sql.db.prepare('SELECT last_inbound_at AS t FROM whatsapp_window WHERE channel = ? AND wa_id = ?').get(this.channel, waId) as
      | { t: number }
      | undefined;
    return row !== undefined && now.getTime() - row.t < this.hours * 3_600_000;
  }

  close(waId: string): void {
    this.sql.db.prepare('UPDATE whatsapp_window SET last_inbound_at = 0 WHERE channel = ? AND wa_id = ?').run(this.channel, waId);
  }
}
