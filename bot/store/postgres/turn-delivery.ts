/**
 * The inbound ledger and the outbox on PostgreSQL: the same states and contract as the SQLite ones
 * (`bot/delivery/inbox.ts`, `outbox.ts`). Exactly once across instances: a claim is one
 * `INSERT … ON CONFLICT … DO UPDATE … WHERE state = 'accepted'` (a concurrent claimer waits for the
 * first transaction and then finds the row taken); a send is taken by `markAttempt`, a
 * compare-and-set on `attempt_at` that is a lease (an attempt older than `staleBefore` was
 * abandoned by a dead instance). Schema: migration `0004-turn`.
 */
import type { OutboundReply } from '../../core/types.js';
import type { AcceptedInbound, ClaimResult, ClaimState, InboundLedger, NewOutboxItem, OutboxItem, OutboxStore } from '../../delivery/types.js';
import type { Queryable } from './database.js';
import { atomic, dateOrUndefined, keyBytes, type TurnDb } from './turn-db.js';

const replies = (v: string | null): { replies?: OutboundReply[] } => (v ? { replies: JSON.parse(v) as OutboundReply[] } : {});

/** The inbound ledger (table `inbox`). */
export class PostgresInbox implements InboundLedger {
  constructor(private readonly db: TurnDb) {}

  async claim(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, raw?: string): Promise<ClaimResult> {
    const r = await this.db.query(
      `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, raw) VALUES ($1, $2, $3, $4, $5, 'processing', $6)
       ON CONFLICT (channel, message_id) DO UPDATE SET conversation_key = excluded.conversation_key, received_at = excluded.received_at,
         claimed_at = excluded.claimed_at, state = 'processing', raw = COALESCE(inbox.raw, excluded.raw)
       WHERE inbox.state = 'accepted'`,
      [channel, messageId, conversationKey, receivedAt, now, raw ?? null],
    );
    if (r.rowCount === 1) return { claimed: true };
    return this.conflict(channel, messageId);
  }

  async claimDone(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, out: OutboundReply[]): Promise<ClaimResult> {
    const r = await this.db.query(
      `INSERT INTO inbox (channel, message_id, conversation_key, received_at, claimed_at, state, replies) VALUES ($1, $2, $3, $4, $5, 'done', $6)
       ON CONFLICT (channel, message_id) DO UPDATE SET conversation_key = excluded.conversation_key, received_at = excluded.received_at,
         claimed_at = excluded.claimed_at, state = 'done', replies = excluded.replies
       WHERE inbox.state = 'accepted'`,
      [channel, messageId, conversationKey, receivedAt, now, JSON.stringify(out)],
    );
    if (r.rowCount === 1) return { claimed: true };
    return this.conflict(channel, messageId);
  }

  /** What a refused claim found. */
  private async conflict(channel: string, messageId: string): Promise<ClaimResult> {
    const got = await this.get(channel, messageId);
    return { claimed: false, state: got?.state ?? 'processing', ...(got?.replies ? { replies: got.replies } : {}) };
  }

  async get(channel: string, messageId: string): Promise<{ state: ClaimState; replies?: OutboundReply[] } | undefined> {
    const r = await this.db.query<{ state: string; replies: string | null }>('SELECT state, replies FROM inbox WHERE channel = $1 AND message_id = $2', [
      channel,
      messageId,
    ]);
    const row = r.rows[0];
    if (!row || row.state === 'accepted') return undefined;
    return { state: row.state === 'queued' ? 'done' : (row.state as ClaimState), ...replies(row.replies) };
  }

  async complete(channel: string, messageId: string, out: OutboundReply[]): Promise<void> {
    await this.db.query(
      `UPDATE inbox SET state = CASE state WHEN 'queued' THEN 'queued' ELSE 'done' END, replies = $1,
        raw = CASE WHEN accepted_at IS NULL OR state = 'queued' THEN NULL ELSE raw END WHERE channel = $2 AND message_id = $3`,
      [JSON.stringify(out), channel, messageId],
    );
  }

  async release(channel: string, messageId: string): Promise<void> {
    await atomic(this.db, async (q) => {
      await q.query(`DELETE FROM inbox WHERE channel = $1 AND message_id = $2 AND state = 'processing' AND accepted_at IS NULL`, [channel, messageId]);
      await q.query(`UPDATE inbox SET state = 'accepted', claimed_at = NULL WHERE channel = $1 AND message_id = $2 AND state = 'processing'`, [
        channel,
        messageId,
      ]);
    });
  }

  async stale(olderThan: Date): Promise<Array<{ channel: string; messageId: string; raw: string | null }>> {
    const r = await this.db.query<{ channel: string; messageId: string; raw: string | null }>(
      `SELECT channel, message_id AS "messageId", raw FROM inbox WHERE state = 'processing' AND claimed_at < $1 ORDER BY claimed_at`,
      [olderThan],
    );
    return r.rows;
  }

  async accept(channel: string, messageId: string, message: string, meta: Record<string, unknown>, now: Date): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO inbox (channel, message_id, accepted_at, state, raw, meta) VALUES ($1, $2, $3, 'accepted', $4, $5) ON CONFLICT DO NOTHING`,
      [channel, messageId, now, message, JSON.stringify(meta)],
    );
    return r.rowCount === 1;
  }

  async unqueued(channel: string, acceptedBefore: Date): Promise<AcceptedInbound[]> {
    const r = await this.db.query<{ message_id: string; raw: string | null; meta: string | null; accepted_at: Date; state: string; replies: string | null }>(
      `SELECT message_id, raw, meta, accepted_at, state, replies FROM inbox
        WHERE channel = $1 AND accepted_at IS NOT NULL AND accepted_at <= $2 AND state <> 'queued' ORDER BY accepted_at`,
      [channel, acceptedBefore],
    );
    return r.rows.map((row) => ({
      channel,
      messageId: row.message_id,
      message: row.raw ?? '',
      meta: row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {},
      acceptedAt: row.accepted_at,
      state: row.state as AcceptedInbound['state'],
      ...replies(row.replies),
    }));
  }

  async markQueued(channel: string, messageId: string): Promise<void> {
    await this.db.query(`UPDATE inbox SET state = 'queued', raw = NULL WHERE channel = $1 AND message_id = $2`, [channel, messageId]);
  }

  async settle(channel: string, messageId: string): Promise<void> {
    await this.db.query(`UPDATE inbox SET state = 'queued', raw = NULL WHERE channel = $1 AND message_id = $2 AND state IN ('accepted','done')`, [
      channel,
      messageId,
    ]);
  }
}

interface Row {
  id: string;
  channel: string;
  conversation_id: string;
  reply: string;
  in_reply_to: string | null;
  meta: string;
  received_at: Date | null;
  deadline: Date | null;
  attempts: number;
  state: OutboxItem['state'];
  next_attempt_at: Date;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: Date | null;
}

function toItem(r: Row): OutboxItem {
  const receivedAt = dateOrUndefined(r.received_at);
  const deadline = dateOrUndefined(r.deadline);
  const sentAt = dateOrUndefined(r.sent_at);
  return {
    id: Number(r.id),
    channel: r.channel,
    conversationId: r.conversation_id,
    reply: JSON.parse(r.reply) as OutboundReply,
    ...(r.in_reply_to !== null ? { inReplyTo: r.in_reply_to } : {}),
    meta: JSON.parse(r.meta) as Record<string, unknown>,
    ...(receivedAt ? { receivedAt } : {}),
    ...(deadline ? { deadline } : {}),
    attempts: r.attempts,
    state: r.state,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.provider_message_id !== null ? { providerMessageId: r.provider_message_id } : {}),
    ...(sentAt ? { sentAt } : {}),
  };
}

const INSERT = `INSERT INTO outbox (channel, conversation_id, reply, in_reply_to, meta, received_at, deadline, state, next_attempt_at, created_at, source_key)
  VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8, $9) ON CONFLICT (source_key) DO NOTHING RETURNING *`;

/** The durable outbox of every channel (table `outbox`). */
export class PostgresOutbox implements OutboxStore {
  readonly inbox: PostgresInbox;

  constructor(private readonly db: TurnDb) {
    this.inbox = new PostgresInbox(db);
  }

  private async insert(q: Queryable, it: NewOutboxItem, now: Date, sourceKey: string | null): Promise<OutboxItem | undefined> {
    const r = await q.query<Row>(INSERT, [
      it.channel,
      it.conversationId,
      JSON.stringify(it.reply),
      it.inReplyTo ?? null,
      JSON.stringify(it.meta ?? {}),
      it.receivedAt ?? null,
      it.deadline ?? null,
      now,
      sourceKey === null ? null : keyBytes(sourceKey),
    ]);
    return r.rows[0] && toItem(r.rows[0]);
  }

  enqueue(items: NewOutboxItem[], now: Date): Promise<OutboxItem[]> {
    return atomic(this.db, async (q) => {
      const out: OutboxItem[] = [];
      for (const it of items) {
        const item = await this.insert(q, it, now, null);
        if (item) out.push(item);
      }
      return out;
    });
  }

  enqueueFor(source: { channel: string; messageId: string }, items: NewOutboxItem[], now: Date): Promise<OutboxItem[]> {
    const key = `${source.channel}\u0000${source.messageId}`;
    return atomic(this.db, async (q) => {
      const out: OutboxItem[] = [];
      for (const [i, it] of items.entries()) {
        const item = await this.insert(q, it, now, `${key}#${i}`);
        if (item) out.push(item);
      }
      await new PostgresInbox(q).markQueued(source.channel, source.messageId);
      return out;
    });
  }

  async due(channel: string, now: Date, limit: number): Promise<OutboxItem[]> {
    const r = await this.db.query<Row>(
      `SELECT * FROM outbox WHERE channel = $1 AND state = 'pending' AND next_attempt_at <= $2 ORDER BY deadline NULLS LAST, id LIMIT $3`,
      [channel, now, limit],
    );
    return r.rows.map(toItem);
  }

  async markAttempt(id: number, at: Date, staleBefore?: Date): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE outbox SET attempt_at = $1, doubt_resent = doubt_resent + doubt_held, doubt_held = 0
        WHERE id = $2 AND state = 'pending' AND (attempt_at IS NULL OR attempt_at < $3)`,
      [at, id, staleBefore ?? '-infinity'],
    );
    return r.rowCount === 1;
  }

  async markSent(id: number, at: Date, providerMessageId?: string): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = $1, provider_message_id = $2, last_error = NULL, attempt_at = NULL WHERE id = $3 AND state = 'pending'`,
      [at, providerMessageId ?? null, id],
    );
  }

  async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, attempt_at = NULL WHERE id = $3 AND state = 'pending'`,
      [error.slice(0, 500), nextAttemptAt, id],
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db.query(`UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = $1, attempt_at = NULL WHERE id = $2 AND state = 'pending'`, [
      error.slice(0, 500),
      id,
    ]);
  }

  async inDoubt(channel: string, attemptedBefore?: Date): Promise<OutboxItem[]> {
    const r = await this.db.query<Row>(`SELECT * FROM outbox WHERE channel = $1 AND attempt_at < $2 AND state = 'pending' ORDER BY id`, [
      channel,
      attemptedBefore ?? 'infinity',
    ]);
    return r.rows.map(toItem);
  }

  async confirmInDoubt(id: number, at: Date, providerMessageId?: string): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = $1, provider_message_id = $2, attempt_at = NULL, doubt_confirmed = doubt_confirmed + 1
        WHERE id = $3 AND state = 'pending'`,
      [at, providerMessageId ?? null, id],
    );
  }

  async resendInDoubt(id: number): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET attempts = attempts + 1, attempt_at = NULL, doubt_resent = doubt_resent + 1, last_error = 'in doubt after a restart: resent' WHERE id = $1 AND state = 'pending'`,
      [id],
    );
  }

  async holdInDoubt(id: number, until: Date): Promise<void> {
    await this.db.query(
      `UPDATE outbox SET attempts = attempts + 1, attempt_at = NULL, doubt_held = 1, next_attempt_at = $1,
        last_error = 'in doubt after a restart: waiting for the provider' WHERE id = $2 AND state = 'pending'`,
      [until, id],
    );
  }

  async confirmByProvider(id: number, at: Date, providerMessageId?: string): Promise<OutboxItem | undefined> {
    const r = await this.db.query<Row>(
      `UPDATE outbox SET state = 'sent', sent_at = $1, provider_message_id = COALESCE($2, provider_message_id), last_error = NULL,
        attempt_at = NULL, doubt_confirmed = doubt_confirmed + doubt_held, doubt_held = 0
        WHERE id = $3 AND state = 'pending' AND (doubt_held = 1 OR attempt_at IS NOT NULL) RETURNING *`,
      [at, providerMessageId ?? null, id],
    );
    return r.rows[0] && toItem(r.rows[0]);
  }

  async doubtCounts(): Promise<Array<{ channel: string; resent: number; confirmed: number }>> {
    const r = await this.db.query<{ channel: string; resent: string; confirmed: string }>(
      `SELECT channel, SUM(doubt_resent) AS resent, SUM(doubt_confirmed) AS confirmed FROM outbox
        WHERE doubt_resent > 0 OR doubt_confirmed > 0 GROUP BY channel ORDER BY channel`,
    );
    return r.rows.map((x) => ({ channel: x.channel, resent: Number(x.resent), confirmed: Number(x.confirmed) }));
  }

  async get(id: number): Promise<OutboxItem | undefined> {
    const r = await this.db.query<Row>('SELECT * FROM outbox WHERE id = $1', [id]);
    return r.rows[0] && toItem(r.rows[0]);
  }

  async list(channel: string, state?: OutboxItem['state']): Promise<OutboxItem[]> {
    const r = state
      ? await this.db.query<Row>('SELECT * FROM outbox WHERE channel = $1 AND state = $2 ORDER BY id', [channel, state])
      : await this.db.query<Row>('SELECT * FROM outbox WHERE channel = $1 ORDER BY id', [channel]);
    return r.rows.map(toItem);
  }
}
