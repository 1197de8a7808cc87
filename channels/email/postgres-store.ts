/** The e-mail adapter's IMAP positions on PostgreSQL: the schema it declares (module `email`) and the EmailCursors on it. */
import type pg from 'pg';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import type { EmailCursors, ImapCursor } from './store.js';

/** The PostgreSQL schema of the `email` module. */
export const emailPostgresMigrations: PostgresModule[] = [
  sqlModule('email', {
    '0001-cursors': `
      CREATE TABLE email_cursors (
        channel TEXT NOT NULL,
        mailbox TEXT NOT NULL,
        uid_validity TEXT NOT NULL,
        last_uid BIGINT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, mailbox)
      );
    `,
  }),
];

/** The positions on PostgreSQL (table `email_cursors`): every instance reads the same position. */
export class PostgresEmailCursors implements EmailCursors {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  async cursor(mailbox: string): Promise<ImapCursor | undefined> {
    const r = await this.pool.query<{ uid_validity: string; last_uid: string }>(
      'SELECT uid_validity, last_uid FROM email_cursors WHERE channel = $1 AND mailbox = $2',
      [this.channel, mailbox],
    );
    const row = r.rows[0];
    return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : undefined;
  }

  async setCursor(mailbox: string, c: ImapCursor, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO email_cursors (channel, mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (channel, mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
      [this.channel, mailbox, c.uidValidity, c.lastUid, now],
    );
  }
}
