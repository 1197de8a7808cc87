/**
 * The inbound ledger, one row per provider message id: `accepted` (stored before processing, so a
 * crash loses nothing) → `processing` (claimed atomically by the engine, SQL primary key, so that
 * duplicated, retried and concurrent deliveries produce one reply) → `done` (the engine's replies
 * kept) → `queued` (those replies are in the outbox). A message taken without `accept` (the web
 * chat) starts at `processing`. keyv cannot do this (no compare-and-set), hence SQL.
 */

import type { InboundMessage, OutboundReply } from '../core/types.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';
import type { AcceptedInbound, ClaimResult, ClaimState, InboundLedger } from './types.js';

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
  {
    // One ledger for the engine's claims and delivery's accepted messages (`outbox_inbound`, carried
    // over by outbox migration 3): states accepted → processing → done → queued. `raw` holds the
    // message (without its provider payload) until its replies are queued or, when never accepted, done.
    version: 2,
    up: `
    ALTER TABLE inbox RENAME TO inbox_v1;
    DROP INDEX inbox_state;
    CREATE TABLE inbox (
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL,
      conversation_key TEXT,
      received_at INTEGER,
      claimed_at INTEGER,
      accepted_at INTEGER,
      state TEXT NOT NULL CHECK (state IN ('accepted','processing','done','queued')),
      replies TEXT,
      raw TEXT,
      meta TEXT,
      PRIMARY KEY (channel, message_id)
    );
    INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, replies, raw)
      SELECT channel, message_id, conversation_key, received_at, claimed_at, state, replies, raw FROM inbox_v1;
    DROP TABLE inbox_v1;
    CREATE INDEX inbox_state ON inbox (state, claimed_at);
    CREATE INDEX inbox_accepted ON inbox (channel, accepted_at) WHERE accepted_at IS NOT NULL AND state <> 'queued';`,
  },
  {
    // Only claims in progress are looked up by state (`stale`, after a crash): a message done at once
    // (most of them) is no longer written to an index of every message ever received.
    version: 3,
    up: `
    DROP INDEX inbox_state;
    CREATE INDEX inbox_processing ON inbox (claimed_at) WHERE state = 'processing';`,
  },
];

/** Shapes of the ledger, declared with its interface in `types.ts`. */
export type { AcceptedInbound, ClaimResult, ClaimState };

type Row = { state: 'accepted' | ClaimState | 'queued'; replies: string | null };

const CLAIM = `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, raw)
  VALUES (?, ?, ?, ?, ?, 'processing', ?)
  ON CONFLICT (channel, message_id) DO UPDATE SET conversation_key = excluded.conversation_key, received_at = excluded.received_at,
    claimed_at = excluded.claimed_at, state = 'processing', raw = COALESCE(inbox.raw, excluded.raw)
  WHERE inbox.state = 'accepted'`;

/** CLAIM and `complete` in one statement: a new row is done at once, without its message (nothing left to replay). */
const CLAIM_DONE = `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, replies)
  VALUES (?, ?, ?, ?, ?, 'done', ?)
  ON CONFLICT (channel, message_id) DO UPDATE SET conversation_key = excluded.conversation_key, received_at = excluded.received_at,
    claimed_at = excluded.claimed_at, state = 'done', replies = excluded.replies
  WHERE inbox.state = 'accepted'`;

/** The inbound ledger (table `inbox`). */
export class Inbox implements InboundLedger {
  constructor(private readonly sql: SqliteDatabase) {}

  /** Claims a message id; only the first caller gets `claimed: true`. `raw` (JSON) lets a crash be replayed. */
  claim(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, raw?: string): ClaimResult {
    const r = prepared(this.sql.db, CLAIM).run(channel, messageId, conversationKey, receivedAt.getTime(), now.getTime(), raw ?? null);
    if (r.changes === 1) return { claimed: true };
    return this.conflict(channel, messageId);
  }

  /** Claims a message id and records its replies in one write; only the first caller gets `claimed: true`. */
  claimDone(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, replies: OutboundReply[]): ClaimResult {
    const r = prepared(this.sql.db, CLAIM_DONE).run(channel, messageId, conversationKey, receivedAt.getTime(), now.getTime(), JSON.stringify(replies));
    if (r.changes === 1) return { claimed: true };
    return this.conflict(channel, messageId);
  }

  /** What a refused claim found. */
  private conflict(channel: string, messageId: string): ClaimResult {
    const got = this.get(channel, messageId);
    return { claimed: false, state: got?.state ?? 'processing', ...(got?.replies ? { replies: got.replies } : {}) };
  }

  /** The state of a claim and, once done, the replies it produced; undefined when not claimed. */
  get(channel: string, messageId: string): { state: ClaimState; replies?: OutboundReply[] } | undefined {
    const row = prepared(this.sql.db, 'SELECT state, replies FROM inbox WHERE channel = ? AND message_id = ?').get(channel, messageId) as Row | undefined;
    if (!row || row.state === 'accepted') return undefined;
    return { state: row.state === 'queued' ? 'done' : row.state, ...(row.replies ? { replies: JSON.parse(row.replies) as OutboundReply[] } : {}) };
  }

  /** Marks a claimed message processed, with the replies it produced (a row already `queued` stays so). */
  complete(channel: string, messageId: string, replies: OutboundReply[]): void {
    prepared(
      this.sql.db,
      `UPDATE inbox SET state = CASE state WHEN 'queued' THEN 'queued' ELSE 'done' END, replies = ?,
        raw = CASE WHEN accepted_at IS NULL OR state = 'queued' THEN NULL ELSE raw END WHERE channel = ? AND message_id = ?`,
    ).run(JSON.stringify(replies), channel, messageId);
  }

  /** Releases a claim whose processing failed, so that a redelivery is processed (an accepted message stays accepted). */
  release(channel: string, messageId: string): void {
    prepared(this.sql.db, `DELETE FROM inbox WHERE channel = ? AND message_id = ? AND state = 'processing' AND accepted_at IS NULL`).run(channel, messageId);
    prepared(this.sql.db, `UPDATE inbox SET state = 'accepted', claimed_at = NULL WHERE channel = ? AND message_id = ? AND state = 'processing'`).run(
      channel,
      messageId,
    );
  }

  /** Claims left in `processing` since before `olderThan` (a crash): their raw payloads, for replay. */
  stale(olderThan: Date): Array<{ channel: string; messageId: string; raw: string | null }> {
    // Bounded by the partial index of claims in progress: only claims a crash left behind are read.
    return prepared(
      this.sql.db,
      `SELECT channel, message_id AS messageId, raw FROM inbox WHERE state = 'processing' AND claimed_at < ? ORDER BY claimed_at`,
    ).all(olderThan.getTime()) as Array<{ channel: string; messageId: string; raw: string | null }>;
  }

  /** Records an inbound message as accepted before it is processed (idempotent); false when already known. */
  accept(channel: string, messageId: string, message: string, meta: Record<string, unknown>, now: Date): boolean {
    return (
      prepared(
        this.sql.db,
        `INSERT INTO inbox (channel, message_id, accepted_at, state, raw, meta) VALUES (?, ?, ?, 'accepted', ?, ?) ON CONFLICT DO NOTHING`,
      ).run(channel, messageId, now.getTime(), message, JSON.stringify(meta)).changes === 1
    );
  }

  /** Accepted messages of a channel whose replies were never queued (a crash), oldest first. */
  unqueued(channel: string, acceptedBefore: Date): AcceptedInbound[] {
    const rows = prepared(
      this.sql.db,
      `SELECT channel, message_id, raw, meta, accepted_at, state, replies FROM inbox
        WHERE channel = ? AND accepted_at IS NOT NULL AND accepted_at <= ? AND state <> 'queued' ORDER BY accepted_at`,
    ).all(channel, acceptedBefore.getTime()) as Array<
      { channel: string; message_id: string; raw: string | null; meta: string | null; accepted_at: number } & Row
    >;
    return rows.map((r) => ({
      channel: r.channel,
      messageId: r.message_id,
      message: r.raw ?? '',
      meta: r.meta ? (JSON.parse(r.meta) as Record<string, unknown>) : {},
      acceptedAt: new Date(r.accepted_at),
      state: r.state as AcceptedInbound['state'],
      ...(r.replies ? { replies: JSON.parse(r.replies) as OutboundReply[] } : {}),
    }));
  }

  /** Marks a message's replies queued in the outbox (in the transaction that queues them). */
  markQueued(channel: string, messageId: string): void {
    prepared(this.sql.db, `UPDATE inbox SET state = 'queued', raw = NULL WHERE channel = ? AND message_id = ?`).run(channel, messageId);
  }

  /**
   * Marks an accepted message as needing no replies queued by this caller (a duplicate). One the
   * engine still processes stays `processing`: its claimer queues the replies, or recovery replays it.
   */
  settle(channel: string, messageId: string): void {
    prepared(this.sql.db, `UPDATE inbox SET state = 'queued', raw = NULL WHERE channel = ? AND message_id = ? AND state IN ('accepted','done')`).run(
      channel,
      messageId,
    );
  }
}

/** Rebuilds a message stored as JSON without its provider payload (the ledger's `raw`). */
export function reviveMessage(json: string): InboundMessage {
  const m = JSON.parse(json) as InboundMessage & { receivedAt: string };
  return { ...m, receivedAt: new Date(m.receivedAt), raw: null };
}
