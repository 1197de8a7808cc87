/**
 * The e-mail adapter's SQL state (migration module `email`): the IMAP cursor (UIDVALIDITY and the
 * last UID processed) per mailbox, and the Message-IDs seen and sent per conversation, which keep
 * a thread together (a reply whose client dropped References still finds its conversation) and
 * give agent messages the thread to answer in.
 */
import type { Awaitable } from '../../bot/delivery/types.js';
import { assertFenced, type Fence, fenceParams, SQLITE_FENCED } from '../../bot/scale/job-fence.js';
import { type Migration, prepared, type SqliteDatabase } from '../../bot/store/sqlite-database.js';

/** Schema of the `email` module. */
export const emailMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE email_cursors (
      channel TEXT NOT NULL,
      mailbox TEXT NOT NULL,
      uid_validity TEXT NOT NULL,
      last_uid INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (channel, mailbox)
    );
    CREATE TABLE email_messages (
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in','out')),
      reply_to TEXT,
      subject TEXT,
      refs TEXT,
      at INTEGER NOT NULL,
      PRIMARY KEY (channel, message_id)
    );
    CREATE INDEX email_messages_conversation ON email_messages (channel, conversation_id, direction, at);`,
  },
];

/** An IMAP mailbox position. */
export interface ImapCursor {
  uidValidity: string;
  lastUid: number;
}

/** What a reply in a thread needs. */
export interface ThreadHead {
  messageId: string;
  replyTo: string;
  subject: string;
  references: string[];
}

/** The IMAP positions of one e-mail channel instance (SQLite here; PostgreSQL in postgres-store.ts). */
export interface EmailCursors {
  /** The stored position in a mailbox. */
  cursor(mailbox: string): Promise<ImapCursor | undefined>;
  /** Stores the position in a mailbox; with `fence`, only while it is the reader's newest (else FencedOutError). */
  setCursor(mailbox: string, c: ImapCursor, now: Date, fence?: Fence): Promise<void>;
}

/** The positions on SQLite (table `email_cursors`). */
export class SqliteEmailCursors implements EmailCursors {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  async cursor(mailbox: string): Promise<ImapCursor | undefined> {
    const row = this.sql.db.prepare('SELECT uid_validity, last_uid FROM email_cursors WHERE channel = ? AND mailbox = ?').get(this.channel, mailbox) as
      | { uid_validity: string; last_uid: number }
      | undefined;
    return row ? { uidValidity: row.uid_validity, lastUid: row.last_uid } : undefined;
  }

  async setCursor(mailbox: string, c: ImapCursor, now: Date, fence?: Fence): Promise<void> {
    const { changes } = this.sql.db
      .prepare(`INSERT INTO email_cursors (channel, mailbox, uid_validity, last_uid, updated_at) SELECT ?, ?, ?, ?, ? WHERE ${SQLITE_FENCED}
        ON CONFLICT (channel, mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`)
      .run(this.channel, mailbox, c.uidValidity, c.lastUid, now.getTime(), ...fenceParams(fence));
    assertFenced(fence, changes);
  }
}

/** The Message-IDs of one e-mail channel instance's threads. Methods may answer with a promise; callers await. */
export interface EmailStore {
  /**
   * The conversation a message belongs to: the first of `ids` already known whose conversation the same
   * sender wrote in. Thread headers are the sender's to write, so they never open another resident's chat.
   */
  conversationOf(ids: string[], sender: string): Awaitable<string | undefined>;
  /** Remembers a message of a conversation (inbound with its reply data, or one we sent); false when its Message-ID was already known (the first record stays). */
  remember(messageId: string, conversationId: string, direction: 'in' | 'out', now: Date, head?: Omit<ThreadHead, 'messageId'>): Awaitable<boolean>;
  /** The latest inbound message of a conversation, to answer agent messages in its thread. */
  latestInbound(conversationId: string): Awaitable<ThreadHead | undefined>;
}

/** A stored inbound row as a ThreadHead. */
export const toThreadHead = (row: { message_id: string; reply_to: string; subject: string | null; refs: string | null }): ThreadHead => ({
  messageId: row.message_id,
  replyTo: row.reply_to,
  subject: row.subject ?? '',
  references: row.refs ? (JSON.parse(row.refs) as string[]) : [],
});

/** The Message-IDs on SQLite (table `email_messages`). */
export class SqliteEmailStore implements EmailStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  conversationOf(ids: string[], sender: string): string | undefined {
    const q = prepared(
      this.sql.db,
      `SELECT m.conversation_id FROM email_messages m WHERE m.channel = ? AND m.message_id = ?
      AND EXISTS (SELECT 1 FROM email_messages i WHERE i.channel = m.channel AND i.conversation_id = m.conversation_id
        AND i.direction = 'in' AND lower(i.reply_to) = lower(?))`,
    );
    for (const id of ids) {
      const row = q.get(this.channel, id, sender) as { conversation_id: string } | undefined;
      if (row) return row.conversation_id;
    }
    return undefined;
  }

  remember(messageId: string, conversationId: string, direction: 'in' | 'out', now: Date, head?: Omit<ThreadHead, 'messageId'>): boolean {
    const r = this.sql.db
      .prepare(`INSERT INTO email_messages (channel, message_id, conversation_id, direction, reply_to, subject, refs, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (channel, message_id) DO NOTHING`)
      .run(
        this.channel,
        messageId,
        conversationId,
        direction,
        head?.replyTo ?? null,
        head?.subject ?? null,
        head ? JSON.stringify(head.references) : null,
        now.getTime(),
      );
    return r.changes > 0;
  }

  latestInbound(conversationId: string): ThreadHead | undefined {
    const row = this.sql.db
      .prepare(`SELECT message_id, reply_to, subject, refs FROM email_messages WHERE channel = ? AND conversation_id = ? AND direction = 'in' AND reply_to IS NOT NULL
        ORDER BY at DESC, rowid DESC LIMIT 1`)
      .get(this.channel, conversationId) as { message_id: string; reply_to: string; subject: string | null; refs: string | null } | undefined;
    return row ? toThreadHead(row) : undefined;
  }
}
