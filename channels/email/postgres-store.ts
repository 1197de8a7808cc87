/** The e-mail adapter's state on PostgreSQL: the schema it declares (module `email`), the EmailCursors and the EmailStore on it. */
import type pg from 'pg';
import { assertFenced, type Fence, postgresFenced, postgresFenceParams } from '../../bot/scale/job-fence.js';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import { type EmailCursors, type EmailStore, type ImapCursor, type ThreadHead, toThreadHead } from './store.js';

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
    '0002-messages': `
      CREATE TABLE email_messages (
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in','out')),
        reply_to TEXT,
        subject TEXT,
        refs TEXT,
        at TIMESTAMPTZ NOT NULL,
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (channel, message_id)
      );
      CREATE INDEX email_messages_conversation ON email_messages (channel, conversation_id, direction, at);
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

  async setCursor(mailbox: string, c: ImapCursor, now: Date, fence?: Fence): Promise<void> {
    const r = await this.pool.query(
      `INSERT INTO email_cursors (channel, mailbox, uid_validity, last_uid, updated_at) SELECT $1, $2, $3, $4::bigint, $5::timestamptz WHERE ${postgresFenced(6)}
       ON CONFLICT (channel, mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
      [this.channel, mailbox, c.uidValidity, c.lastUid, now, ...postgresFenceParams(fence)],
    );
    assertFenced(fence, r.rowCount ?? 0);
  }
}

/** The Message-IDs on PostgreSQL (table `email_messages`): a Message-ID recorded by one instance is known to every other, and recorded once. */
export class PostgresEmailStore implements EmailStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  async conversationOf(ids: string[], sender: string): Promise<string | undefined> {
    if (ids.length === 0) return undefined;
    // One query for the whole list, the first id (in the caller's order) that matches wins.
    const r = await this.pool.query<{ conversation_id: string }>(
      `SELECT m.conversation_id FROM unnest($2::text[]) WITH ORDINALITY AS want(message_id, pos)
       JOIN email_messages m ON m.channel = $1 AND m.message_id = want.message_id
       WHERE EXISTS (SELECT 1 FROM email_messages i WHERE i.channel = m.channel AND i.conversation_id = m.conversation_id
         AND i.direction = 'in' AND lower(i.reply_to) = lower($3))
       ORDER BY want.pos LIMIT 1`,
      [this.channel, ids, sender],
    );
    return r.rows[0]?.conversation_id;
  }

  async remember(messageId: string, conversationId: string, direction: 'in' | 'out', now: Date, head?: Omit<ThreadHead, 'messageId'>): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO email_messages (channel, message_id, conversation_id, direction, reply_to, subject, refs, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (channel, message_id) DO NOTHING`,
      [this.channel, messageId, conversationId, direction, head?.replyTo ?? null, head?.subject ?? null, head ? JSON.stringify(head.references) : null, now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async latestInbound(conversationId: string): Promise<ThreadHead | undefined> {
    const r = await this.pool.query<{ message_id: string; reply_to: string; subject: string | null; refs: string | null }>(
      `SELECT message_id, reply_to, subject, refs FROM email_messages WHERE channel = $1 AND conversation_id = $2 AND direction = 'in' AND reply_to IS NOT NULL
       ORDER BY at DESC, seq DESC LIMIT 1`,
      [this.channel, conversationId],
    );
    return r.rows[0] ? toThreadHead(r.rows[0]) : undefined;
  }
}
