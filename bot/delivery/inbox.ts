/**
 * Exactly-once processing of inbound messages: a provider message id is claimed atomically (SQL
 * primary key) before the engine runs, so duplicated, retried and concurrent deliveries produce one
 * reply. keyv cannot do this (no compare-and-set), hence SQL.
 */
import { prepared, type SqliteDatabase, type Migration } from '../store/sqlite-database.js';
import type { InboundMessage, OutboundReply } from '../core/types.js';

export const inboxMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE inbox (
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL,
      conversation_key TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      claimed_at INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('processing','done')),
      replies TEXT,
      raw TEXT,
      PRIMARY KEY (channel, message_id)
    );
    CREATE INDEX inbox_state ON inbox (state, claimed_at);`,
  },
];

/** Result of a claim. */
export type ClaimResult =
  | { claimed: true }
  | { claimed: false; state: 'processing' | 'done'; replies?: OutboundReply[] };

/** The inbound ledger. */
export class Inbox {
  constructor(private readonly sql: SqliteDatabase) {}

  /** Claims a message id; only the first caller gets `claimed: true`. `raw` (JSON) lets a crash be replayed. */
  claim(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, raw?: string): ClaimResult {
    const r = prepared(this.sql.db, `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, raw)
        VALUES (?, ?, ?, ?, ?, 'processing', ?) ON CONFLICT DO NOTHING`)
      .run(channel, messageId, conversationKey, receivedAt.getTime(), now.getTime(), raw ?? null);
    if (r.changes === 1) return { claimed: true };
    const row = prepared(this.sql.db, 'SELECT state, replies FROM inbox WHERE channel = ? AND message_id = ?').get(channel, messageId) as
      | { state: 'processing' | 'done'; replies: string | null }
      | undefined;
    return { claimed: false, state: row?.state ?? 'processing', ...(row?.replies ? { replies: JSON.parse(row.replies) as OutboundReply[] } : {}) };
  }

  /** The state of a claim and, once done, the replies it produced; undefined when not claimed. */
  get(channel: string, messageId: string): { state: 'processing' | 'done'; replies?: OutboundReply[] } | undefined {
    const row = prepared(this.sql.db, 'SELECT state, replies FROM inbox WHERE channel = ? AND message_id = ?').get(channel, messageId) as
      | { state: 'processing' | 'done'; replies: string | null }
      | undefined;
    return row && { state: row.state, ...(row.replies ? { replies: JSON.parse(row.replies) as OutboundReply[] } : {}) };
  }

  /** Marks a claimed message processed, with the replies it produced. */
  complete(channel: string, messageId: string, replies: OutboundReply[]): void {
    prepared(this.sql.db, `UPDATE inbox SET state = 'done', replies = ?, raw = NULL WHERE channel = ? AND message_id = ?`)
      .run(JSON.stringify(replies), channel, messageId);
  }

  /** Releases a claim whose processing failed, so that a redelivery is processed. */
  release(channel: string, messageId: string): void {
    prepared(this.sql.db, `DELETE FROM inbox WHERE channel = ? AND message_id = ? AND state = 'processing'`).run(channel, messageId);
  }

  /** Claims left in `processing` since before `olderThan` (a crash): their raw payloads, for replay. */
  stale(olderThan: Date): Array<{ channel: string; messageId: string; raw: string | null }> {
    // Bounded by the (state, claimed_at) index: only claims a crash left behind are read.
    return (prepared(this.sql.db, `SELECT channel, message_id AS messageId, raw FROM inbox WHERE state = 'processing' AND claimed_at < ? ORDER BY claimed_at`)
      .all(olderThan.getTime()) as Array<{ channel: string; messageId: string; raw: string | null }>);
  }
}

/** Rebuilds a message stored as JSON without its provider payload (inbox `raw`, accepted ledger). */
export function reviveMessage(json: string): InboundMessage {
  const m = JSON.parse(json) as InboundMessage & { receivedAt: string };
  return { ...m, receivedAt: new Date(m.receivedAt), raw: null };
}
