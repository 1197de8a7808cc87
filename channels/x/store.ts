/**
 * The X adapter's SQL state (migration module `x`): the `since_id` cursors of each account's
 * mentions and DM streams, the posts of threaded replies already published (so a retried long
 * reply resumes where it stopped), and each conversation's participant and latest post.
 */
import type { Awaitable } from '../../bot/delivery/types.js';
import { assertFenced, type Fence, fenceParams, SQLITE_FENCED } from '../../bot/scale/job-fence.js';
import type { Migration, SqliteDatabase } from '../../bot/store/sqlite-database.js';

/** Schema of the `x` module. */
export const xMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE x_cursors (
      channel TEXT NOT NULL,
      stream TEXT NOT NULL CHECK (stream IN ('mentions','dms')),
      since_id TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (channel, stream)
    );
    CREATE TABLE x_thread_parts (
      outbox_id INTEGER NOT NULL,
      part INTEGER NOT NULL,
      tweet_id TEXT NOT NULL,
      PRIMARY KEY (outbox_id, part)
    );
    CREATE TABLE x_conversations (
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      participant_id TEXT NOT NULL,
      username TEXT,
      last_tweet_id TEXT,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (channel, conversation_id)
    );`,
  },
];

/** A stream of one account. */
export type XStream = 'mentions' | 'dms';

/** What the adapter remembers of a conversation. */
export interface XConversation {
  participantId: string;
  username?: string;
  lastTweetId?: string;
}

/** The poller's `since_id` cursors of one X channel instance (SQLite here; PostgreSQL in postgres-store.ts). */
export interface XCursors {
  /** The stream's cursor (the newest id already claimed), if any. */
  cursor(stream: XStream): Promise<string | undefined>;
  /** When the stream's cursor last moved (ms), if it exists. */
  cursorUpdatedAt(stream: XStream): Promise<number | undefined>;
  /**
   * Moves the cursor to `id`, the newest item claimed (callers go oldest to newest, in X's own order);
   * with `fence`, only while that fence is the poller's newest (else FencedOutError, nothing written).
   */
  advance(stream: XStream, id: string, now: Date, fence?: Fence): Promise<void>;
}

/** The cursors on SQLite (table `x_cursors`). */
export class SqliteXCursors implements XCursors {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  async cursor(stream: XStream): Promise<string | undefined> {
    const row = this.sql.db.prepare('SELECT since_id FROM x_cursors WHERE channel = ? AND stream = ?').get(this.channel, stream) as
      | { since_id: string }
      | undefined;
    return row?.since_id;
  }

  async cursorUpdatedAt(stream: XStream): Promise<number | undefined> {
    const row = this.sql.db.prepare('SELECT updated_at FROM x_cursors WHERE channel = ? AND stream = ?').get(this.channel, stream) as
      | { updated_at: number }
      | undefined;
    return row?.updated_at;
  }

  async advance(stream: XStream, id: string, now: Date, fence?: Fence): Promise<void> {
    const { changes } = this.sql.db
      .prepare(`INSERT INTO x_cursors (channel, stream, since_id, updated_at) SELECT ?, ?, ?, ? WHERE ${SQLITE_FENCED}
        ON CONFLICT (channel, stream) DO UPDATE SET since_id = excluded.since_id, updated_at = excluded.updated_at`)
      .run(this.channel, stream, id, now.getTime(), ...fenceParams(fence));
    assertFenced(fence, changes);
  }
}

/** The state of one X channel instance besides its cursors: threaded replies' posts and conversations. Methods may answer with a promise; callers await. */
export interface XStore {
  /** Posts already published for a (threaded) outbox item, by part index. */
  threadParts(outboxId: number): Awaitable<Map<number, string>>;
  /** Records that part `part` of an outbox item was published as `tweetId` (a second record of the part replaces the first). */
  recordPart(outboxId: number, part: number, tweetId: string): Awaitable<void>;
  /** Remembers a conversation's participant and, for mentions, its latest post (a field not given is kept). */
  touch(conversationId: string, c: XConversation, now: Date): Awaitable<void>;
  /** A known conversation. */
  conversation(conversationId: string): Awaitable<XConversation | undefined>;
}

/** A stored conversation row as an XConversation. */
export const toXConversation = (row: { participant_id: string; username: string | null; last_tweet_id: string | null }): XConversation => ({
  participantId: row.participant_id,
  ...(row.username ? { username: row.username } : {}),
  ...(row.last_tweet_id ? { lastTweetId: row.last_tweet_id } : {}),
});

/** The state on SQLite (tables `x_thread_parts`, `x_conversations`). */
export class SqliteXStore implements XStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  threadParts(outboxId: number): Map<number, string> {
    const rows = this.sql.db.prepare('SELECT part, tweet_id FROM x_thread_parts WHERE outbox_id = ?').all(outboxId) as Array<{
      part: number;
      tweet_id: string;
    }>;
    return new Map(rows.map((r) => [r.part, r.tweet_id]));
  }

  recordPart(outboxId: number, part: number, tweetId: string): void {
    this.sql.db.prepare('INSERT OR REPLACE INTO x_thread_parts (outbox_id, part, tweet_id) VALUES (?, ?, ?)').run(outboxId, part, tweetId);
  }

  touch(conversationId: string, c: XConversation, now: Date): void {
    this.sql.db
      .prepare(`INSERT INTO x_conversations (channel, conversation_id, participant_id, username, last_tweet_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (channel, conversation_id) DO UPDATE SET participant_id = excluded.participant_id,
          username = COALESCE(excluded.username, username), last_tweet_id = COALESCE(excluded.last_tweet_id, last_tweet_id), updated_at = excluded.updated_at`)
      .run(this.channel, conversationId, c.participantId, c.username ?? null, c.lastTweetId ?? null, now.getTime());
  }

  conversation(conversationId: string): XConversation | undefined {
    const row = this.sql.db
      .prepare('SELECT participant_id, username, last_tweet_id FROM x_conversations WHERE channel = ? AND conversation_id = ?')
      .get(this.channel, conversationId) as { participant_id: string; username: string | null; last_tweet_id: string | null } | undefined;
    return row ? toXConversation(row) : undefined;
  }
}
