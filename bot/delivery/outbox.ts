/**
 * The durable outbox on SQLite: a reply is stored before it is sent and marked sent once the
 * provider accepted it, so that a crash or restart loses nothing (unsent items go out after it).
 * Failed items are kept with their error, never deleted. Queueing the replies of an inbound message
 * marks it `queued` in the inbound ledger (`inbox.ts`) in the same transaction.
 */
import type { OutboundReply } from '../core/types.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';
import { Inbox } from './inbox.js';
import type { NewOutboxItem, OutboxItem, OutboxStore } from './types.js';

export const outboxMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      reply TEXT NOT NULL,
      in_reply_to TEXT,
      meta TEXT NOT NULL DEFAULT '{}',
      received_at INTEGER,
      deadline INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      provider_message_id TEXT,
      sent_at INTEGER,
      created_at INTEGER NOT NULL,
      source_key TEXT UNIQUE
    );
    CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
    CREATE TABLE outbox_inbound (
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL,
      message TEXT NOT NULL,
      meta TEXT NOT NULL DEFAULT '{}',
      accepted_at INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('accepted','queued')),
      PRIMARY KEY (channel, message_id)
    );
    CREATE INDEX outbox_inbound_state ON outbox_inbound (channel, state, accepted_at);`,
  },
  {
    // A send in progress is recorded before the provider call (attempt_at); one found after a crash
    // may have reached the provider: confirmed through the provider where it can, otherwise resent.
    version: 2,
    up: `
    ALTER TABLE outbox ADD COLUMN attempt_at INTEGER;
    ALTER TABLE outbox ADD COLUMN doubt_resent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN doubt_confirmed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN doubt_held INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_attempting ON outbox (channel) WHERE attempt_at IS NOT NULL;
    CREATE INDEX outbox_doubt ON outbox (channel) WHERE doubt_resent > 0 OR doubt_confirmed > 0;`,
  },
  {
    // The accepted/queued ledger joins the engine's claims in one inbound ledger (`inbox`, migrated
    // to version 2 first: the Outbox opens the Inbox before migrating). Existing rows are carried over.
    version: 3,
    up: `
    INSERT INTO inbox (channel, message_id, accepted_at, state, raw, meta)
      SELECT channel, message_id, accepted_at, state, CASE WHEN state = 'accepted' THEN message END, meta FROM outbox_inbound WHERE true
      ON CONFLICT (channel, message_id) DO UPDATE SET accepted_at = excluded.accepted_at, meta = excluded.meta,
        raw = COALESCE(excluded.raw, inbox.raw),
        state = CASE WHEN excluded.state = 'queued' AND inbox.state = 'done' THEN 'queued' ELSE inbox.state END;
    DROP TABLE outbox_inbound;`,
  },
  {
    // Notifications become rows of this table (channel notify-email / notify-sms), with their own
    // columns; the notify module's migration 4 carries the notify_outbox rows over. Their delivery
    // pass reads pages by an index range on notifications_pending, the admin listing by reference.
    version: 4,
    up: `
    ALTER TABLE outbox ADD COLUMN purpose TEXT;
    ALTER TABLE outbox ADD COLUMN request_id INTEGER;
    ALTER TABLE outbox ADD COLUMN reference TEXT;
    ALTER TABLE outbox ADD COLUMN send_window TEXT CHECK (send_window IN ('any','staff'));
    ALTER TABLE outbox ADD COLUMN recipient_kind TEXT CHECK (recipient_kind IN ('applicant','role'));
    ALTER TABLE outbox ADD COLUMN recipient_id TEXT;
    CREATE INDEX notifications_pending ON outbox (state, next_attempt_at, id) WHERE recipient_kind IS NOT NULL;
    CREATE INDEX notifications_reference ON outbox (reference) WHERE recipient_kind IS NOT NULL;
    CREATE INDEX notifications_request ON outbox (request_id) WHERE recipient_kind IS NOT NULL;`,
  },
];

// A held in-doubt item going out again is counted as resent here, when it really goes.
const MARK_ATTEMPT = `UPDATE outbox SET attempt_at = ?, doubt_resent = doubt_resent + doubt_held, doubt_held = 0
  WHERE id = ? AND state = 'pending' AND (attempt_at IS NULL OR attempt_at < ?)`;

interface Row {
  id: number;
  channel: string;
  conversation_id: string;
  reply: string;
  in_reply_to: string | null;
  meta: string;
  received_at: number | null;
  deadline: number | null;
  attempts: number;
  state: OutboxItem['state'];
  next_attempt_at: number;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: number | null;
}

function toItem(r: Row): OutboxItem {
  return {
    id: r.id,
    channel: r.channel,
    conversationId: r.conversation_id,
    reply: JSON.parse(r.reply) as OutboundReply,
    ...(r.in_reply_to !== null ? { inReplyTo: r.in_reply_to } : {}),
    meta: JSON.parse(r.meta) as Record<string, unknown>,
    ...(r.received_at !== null ? { receivedAt: new Date(r.received_at) } : {}),
    ...(r.deadline !== null ? { deadline: new Date(r.deadline) } : {}),
    attempts: r.attempts,
    state: r.state,
    nextAttemptAt: new Date(r.next_attempt_at),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.provider_message_id !== null ? { providerMessageId: r.provider_message_id } : {}),
    ...(r.sent_at !== null ? { sentAt: new Date(r.sent_at) } : {}),
  };
}

/** The durable outbox of every channel. */
export class Outbox implements OutboxStore {
  /** The inbound ledger whose messages this outbox answers. */
  readonly inbox: Inbox;

  constructor(readonly sql: SqliteDatabase) {
    this.inbox = new Inbox(sql);
    // Prepared now: the first send's record must not pay for compiling it (sends are spaced by a limiter).
    prepared(sql.db, MARK_ATTEMPT);
  }

  /** Stores replies as pending, in one transaction; they are due at once. */
  enqueue(items: NewOutboxItem[], now: Date): OutboxItem[] {
    return this.sql.tx(() => items.map((it) => this.insert(it, now, null)).filter((x): x is OutboxItem => x !== undefined));
  }

  /**
   * Like `enqueue`, but idempotent per source: item i is keyed `<sourceKey>#<i>`, so queueing the
   * replies of one inbound message twice (normal path and crash recovery) stores them once.
   * Marks the inbound message queued in the ledger in the same transaction.
   */
  enqueueFor(source: { channel: string; messageId: string }, items: NewOutboxItem[], now: Date): OutboxItem[] {
    const key = `${source.channel}\u0000${source.messageId}`;
    return this.sql.tx(() => {
      const out = items.map((it, i) => this.insert(it, now, `${key}#${i}`)).filter((x): x is OutboxItem => x !== undefined);
      this.inbox.markQueued(source.channel, source.messageId);
      return out;
    });
  }

  private insert(it: NewOutboxItem, now: Date, sourceKey: string | null): OutboxItem | undefined {
    const r = this.sql.db
      .prepare(`INSERT INTO outbox (channel, conversation_id, reply, in_reply_to, meta, received_at, deadline, state, next_attempt_at, created_at, source_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (source_key) DO NOTHING`)
      .run(
        it.channel,
        it.conversationId,
        JSON.stringify(it.reply),
        it.inReplyTo ?? null,
        JSON.stringify(it.meta ?? {}),
        it.receivedAt?.getTime() ?? null,
        it.deadline?.getTime() ?? null,
        now.getTime(),
        now.getTime(),
        sourceKey,
      );
    return r.changes === 1 ? this.get(Number(r.lastInsertRowid)) : undefined;
  }

  /** Pending items of a channel due at `now`, earliest first-response deadline first (no deadline last), then by id. */
  due(channel: string, now: Date, limit: number): OutboxItem[] {
    const rows = this.sql.db
      .prepare(`SELECT * FROM outbox WHERE channel = ? AND state = 'pending' AND next_attempt_at <= ?
        ORDER BY deadline IS NULL, deadline, id LIMIT ?`)
      .all(channel, now.getTime(), limit) as Row[];
    return rows.map(toItem);
  }

  /**
   * Takes the item for a send, recorded before the provider call (durable: a crash leaves it in
   * doubt); false when it is not pending or another send of it started (after `staleBefore` when given).
   */
  markAttempt(id: number, at: Date, staleBefore?: Date): boolean {
    return prepared(this.sql.db, MARK_ATTEMPT).run(at.getTime(), id, staleBefore?.getTime() ?? Number.MIN_SAFE_INTEGER).changes === 1;
  }

  /** Records that the provider accepted the item (counts as an attempt). */
  markSent(id: number, at: Date, providerMessageId?: string): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, provider_message_id = ?, last_error = NULL, attempt_at = NULL WHERE id = ? AND state = 'pending'`,
    ).run(at.getTime(), providerMessageId ?? null, id);
  }

  /** Records a failed attempt that will be retried at `nextAttemptAt`. */
  markRetry(id: number, error: string, nextAttemptAt: Date): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, attempt_at = NULL WHERE id = ? AND state = 'pending'`,
    ).run(error.slice(0, 500), nextAttemptAt.getTime(), id);
  }

  /** Records a permanent failure; the item is kept (state `failed`), never deleted. */
  markFailed(id: number, error: string): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, attempt_at = NULL WHERE id = ? AND state = 'pending'`,
    ).run(error.slice(0, 500), id);
  }

  /** Pending items of a channel whose send started (before `attemptedBefore`) and never finished (a crash). */
  inDoubt(channel: string, attemptedBefore?: Date): OutboxItem[] {
    return (
      prepared(this.sql.db, `SELECT * FROM outbox WHERE channel = ? AND attempt_at < ? AND state = 'pending' ORDER BY id`).all(
        channel,
        attemptedBefore?.getTime() ?? Number.MAX_SAFE_INTEGER,
      ) as Row[]
    ).map(toItem);
  }

  /** An in-doubt send the provider confirmed it received: marked sent, not sent again. */
  confirmInDoubt(id: number, at: Date, providerMessageId?: string): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, provider_message_id = ?, attempt_at = NULL, doubt_confirmed = doubt_confirmed + 1 WHERE id = ? AND state = 'pending'`,
    ).run(at.getTime(), providerMessageId ?? null, id);
  }

  /** An in-doubt send the provider cannot confirm: it goes out once more (a possible duplicate, counted). */
  resendInDoubt(id: number): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET attempts = attempts + 1, attempt_at = NULL, doubt_resent = doubt_resent + 1, last_error = 'in doubt after a restart: resent' WHERE id = ? AND state = 'pending'`,
    ).run(id);
  }

  /**
   * An in-doubt send the provider may still confirm (a delivery-status callback): it waits until
   * `until` before going out once more (counted then), unless `confirmByProvider` comes first.
   */
  holdInDoubt(id: number, until: Date): void {
    prepared(
      this.sql.db,
      `UPDATE outbox SET attempts = attempts + 1, attempt_at = NULL, doubt_held = 1, next_attempt_at = ?, last_error = 'in doubt after a restart: waiting for the provider' WHERE id = ? AND state = 'pending'`,
    ).run(until.getTime(), id);
  }

  /**
   * The provider reports it received the item (a status callback naming it): a pending item that is
   * held in doubt or being sent is marked sent. Returns the item when this changed it.
   */
  confirmByProvider(id: number, at: Date, providerMessageId?: string): OutboxItem | undefined {
    const r = prepared(
      this.sql.db,
      `UPDATE outbox SET state = 'sent', sent_at = ?, provider_message_id = COALESCE(?, provider_message_id), last_error = NULL,
        attempt_at = NULL, doubt_confirmed = doubt_confirmed + doubt_held, doubt_held = 0 WHERE id = ? AND state = 'pending' AND (doubt_held = 1 OR attempt_at IS NOT NULL)`,
    ).run(at.getTime(), providerMessageId ?? null, id);
    return r.changes === 1 ? this.get(id) : undefined;
  }

  /** Per channel: in-doubt sends resent (possible duplicates) and confirmed by the provider (for the metrics). */
  doubtCounts(): Array<{ channel: string; resent: number; confirmed: number }> {
    return prepared(
      this.sql.db,
      `SELECT channel, SUM(doubt_resent) AS resent, SUM(doubt_confirmed) AS confirmed FROM outbox
        WHERE doubt_resent > 0 OR doubt_confirmed > 0 GROUP BY channel`,
    ).all() as Array<{ channel: string; resent: number; confirmed: number }>;
  }

  /** One item by id. */
  get(id: number): OutboxItem | undefined {
    const r = this.sql.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toItem(r) : undefined;
  }

  /** A channel's items (optionally in one state), oldest first. */
  list(channel: string, state?: OutboxItem['state']): OutboxItem[] {
    const rows = state
      ? (this.sql.db.prepare('SELECT * FROM outbox WHERE channel = ? AND state = ? ORDER BY id').all(channel, state) as Row[])
      : (this.sql.db.prepare('SELECT * FROM outbox WHERE channel = ? ORDER BY id').all(channel) as Row[]);
    return rows.map(toItem);
  }
}
