/** The X adapter's state on PostgreSQL: the schema it declares (module `x`), the XCursors and the XStore on it. */
import type pg from 'pg';
import { assertFenced, type Fence, postgresFenced, postgresFenceParams } from '../../bot/scale/job-fence.js';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import { toXConversation, type XConversation, type XCursors, type XStore, type XStream } from './store.js';

/** The PostgreSQL schema of the `x` module. */
export const xPostgresMigrations: PostgresModule[] = [
  sqlModule('x', {
    '0001-cursors': `
      CREATE TABLE x_cursors (
        channel TEXT NOT NULL,
        stream TEXT NOT NULL CHECK (stream IN ('mentions','dms')),
        since_id TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, stream)
      );
    `,
    '0002-threads-conversations': `
      CREATE TABLE x_thread_parts (
        outbox_id BIGINT NOT NULL,
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
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, conversation_id)
      );
    `,
  }),
];

/** The cursors on PostgreSQL (table `x_cursors`): every instance reads the same position. */
export class PostgresXCursors implements XCursors {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  private async row(stream: XStream): Promise<{ since_id: string; updated_at: Date } | undefined> {
    return (await this.pool.query('SELECT since_id, updated_at FROM x_cursors WHERE channel = $1 AND stream = $2', [this.channel, stream])).rows[0];
  }

  async cursor(stream: XStream): Promise<string | undefined> {
    return (await this.row(stream))?.since_id;
  }

  async cursorUpdatedAt(stream: XStream): Promise<number | undefined> {
    return (await this.row(stream))?.updated_at.getTime();
  }

  async advance(stream: XStream, id: string, now: Date, fence?: Fence): Promise<void> {
    const r = await this.pool.query(
      `INSERT INTO x_cursors (channel, stream, since_id, updated_at) SELECT $1, $2, $3, $4::timestamptz WHERE ${postgresFenced(5)}
       ON CONFLICT (channel, stream) DO UPDATE SET since_id = excluded.since_id, updated_at = excluded.updated_at`,
      [this.channel, stream, id, now, ...postgresFenceParams(fence)],
    );
    assertFenced(fence, r.rowCount ?? 0);
  }
}

/** Threaded replies' posts and conversations on PostgreSQL (tables `x_thread_parts`, `x_conversations`): each write one atomic upsert. */
export class PostgresXStore implements XStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  async threadParts(outboxId: number): Promise<Map<number, string>> {
    const r = await this.pool.query<{ part: number; tweet_id: string }>('SELECT part, tweet_id FROM x_thread_parts WHERE outbox_id = $1', [outboxId]);
    return new Map(r.rows.map((row) => [row.part, row.tweet_id]));
  }

  async recordPart(outboxId: number, part: number, tweetId: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO x_thread_parts (outbox_id, part, tweet_id) VALUES ($1, $2, $3) ON CONFLICT (outbox_id, part) DO UPDATE SET tweet_id = excluded.tweet_id',
      [outboxId, part, tweetId],
    );
  }

  async touch(conversationId: string, c: XConversation, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO x_conversations (channel, conversation_id, participant_id, username, last_tweet_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (channel, conversation_id) DO UPDATE SET participant_id = excluded.participant_id,
         username = COALESCE(excluded.username, x_conversations.username),
         last_tweet_id = COALESCE(excluded.last_tweet_id, x_conversations.last_tweet_id), updated_at = excluded.updated_at`,
      [this.channel, conversationId, c.participantId, c.username ?? null, c.lastTweetId ?? null, now],
    );
  }

  async conversation(conversationId: string): Promise<XConversation | undefined> {
    const r = await this.pool.query<{ participant_id: string; username: string | null; last_tweet_id: string | null }>(
      'SELECT participant_id, username, last_tweet_id FROM x_conversations WHERE channel = $1 AND conversation_id = $2',
      [this.channel, conversationId],
    );
    return r.rows[0] ? toXConversation(r.rows[0]) : undefined;
  }
}
