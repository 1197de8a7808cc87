/**
 * WhatsApp's 24-hour customer-service window: free-form messages may be sent only within 24 hours
 * of the user's last message; outside it only approved templates. The last inbound time per user is
 * kept in SQLite so that it survives restarts.
 */
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

/** Last inbound message time per WhatsApp user. */
export class ServiceWindow {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
    private readonly hours = 24,
  ) {}

  /** Records an inbound message (any type opens the window); keeps the latest time. */
  touch(waId: string, at: Date): void {
    this.sql.db
      .prepare(`INSERT INTO whatsapp_window (channel, wa_id, last_inbound_at) VALUES (?, ?, ?)
        ON CONFLICT (channel, wa_id) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)`)
      .run(this.channel, waId, at.getTime());
  }

  /** True when free-form text may be sent to the user at `now`. */
  isOpen(waId: string, now: Date): boolean {
    const row = this.sql.db.prepare('SELECT last_inbound_at AS t FROM whatsapp_window WHERE channel = ? AND wa_id = ?').get(this.channel, waId) as
      | { t: number }
      | undefined;
    return row !== undefined && now.getTime() - row.t < this.hours * 3_600_000;
  }

  /** Meta said the window is closed (error 131047): forget the user's last inbound time. */
  close(waId: string): void {
    this.sql.db.prepare('UPDATE whatsapp_window SET last_inbound_at = 0 WHERE channel = ? AND wa_id = ?').run(this.channel, waId);
  }
}
