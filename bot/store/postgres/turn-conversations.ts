/**
 * Conversations, transcripts, the audit trail and the conversation state on PostgreSQL: the same
 * contract as the SQLite stores (`bot/store/conversation-store.ts`, `bot/engine/state.ts`). Taking a
 * conversation over is one conditional UPDATE, so two agents on two instances cannot both take it.
 * Transcript sequence numbers come from an identity column: increasing, but a line committed late
 * by a slow transaction may carry a lower number than one already read. Schema: migration `0004-turn`.
 */
import { StoreError } from '../../core/errors.js';
import type { Language, ReplyKind } from '../../core/types.js';
import type { ConversationState, TurnStart, TurnStateStore } from '../../engine/state.js';
import type { ConversationRecord, ConversationStore, Owner, TranscriptEntry } from '../conversation-store.js';
import type { TurnDb } from './turn-db.js';

interface Row {
  key: string;
  channel: string;
  conversation_id: string;
  owner: Owner;
  agent_id: string | null;
  language: Language;
  queued_at: Date | null;
  taken_at: Date | null;
  last_message_at: Date;
}

const toRecord = (r: Row): ConversationRecord => ({
  key: r.key,
  channel: r.channel,
  conversationId: r.conversation_id,
  owner: r.owner,
  language: r.language,
  lastMessageAt: r.last_message_at,
  ...(r.agent_id ? { agentId: r.agent_id } : {}),
  ...(r.queued_at ? { queuedAt: r.queued_at } : {}),
  ...(r.taken_at ? { takenAt: r.taken_at } : {}),
});

/** Handoff state, transcripts and the audit trail (tables `conversations`, `transcript`, `audit`). */
export class PostgresConversationStore implements ConversationStore {
  constructor(private readonly db: TurnDb) {}

  private async one(sql: string, params: unknown[]): Promise<ConversationRecord | undefined> {
    const r = await this.db.query<Row>(sql, params);
    return r.rows[0] && toRecord(r.rows[0]);
  }

  private async many(sql: string, params: unknown[]): Promise<ConversationRecord[]> {
    return (await this.db.query<Row>(sql, params)).rows.map(toRecord);
  }

  async touch(key: string, channel: string, conversationId: string, language: Language | undefined, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO conversations (key, channel, conversation_id, owner, language, last_message_at) VALUES ($1, $2, $3, 'bot', $4, $5)
        ON CONFLICT (key) DO UPDATE SET last_message_at = GREATEST(conversations.last_message_at, excluded.last_message_at),
        language = CASE WHEN $6::text IS NULL THEN conversations.language ELSE excluded.language END`,
      [key, channel, conversationId, language ?? 'ar', at, language ?? null],
    );
  }

  async noteMessage(key: string, language: Language | undefined, at: Date): Promise<void> {
    await this.db.query('UPDATE conversations SET last_message_at = GREATEST(last_message_at, $1), language = COALESCE($2, language) WHERE key = $3', [
      at,
      language ?? null,
      key,
    ]);
  }

  async setLanguage(key: string, language: Language): Promise<void> {
    await this.db.query('UPDATE conversations SET language = $1 WHERE key = $2', [language, key]);
  }

  get(key: string): Promise<ConversationRecord | undefined> {
    return this.one('SELECT * FROM conversations WHERE key = $1', [key]);
  }

  async enqueue(key: string, at: Date): Promise<ConversationRecord> {
    await this.db.query(`UPDATE conversations SET owner = 'queue', queued_at = $1 WHERE key = $2 AND owner = 'bot'`, [at, key]);
    const c = await this.get(key);
    if (!c) throw new StoreError(`unknown conversation ${key}`);
    return c;
  }

  async dequeue(key: string): Promise<boolean> {
    return (await this.db.query(`UPDATE conversations SET owner = 'bot', queued_at = NULL WHERE key = $1 AND owner = 'queue'`, [key])).rowCount === 1;
  }

  waiting(limit = 100): Promise<ConversationRecord[]> {
    return this.many(`SELECT * FROM conversations WHERE owner = 'queue' ORDER BY queued_at LIMIT $1`, [limit]);
  }

  held(agentId?: string): Promise<ConversationRecord[]> {
    return agentId
      ? this.many(`SELECT * FROM conversations WHERE owner = 'agent' AND agent_id = $1 ORDER BY taken_at`, [agentId])
      : this.many(`SELECT * FROM conversations WHERE owner = 'agent' ORDER BY taken_at`, []);
  }

  take(key: string, agentId: string, at: Date): Promise<ConversationRecord | undefined> {
    return this.one(
      `UPDATE conversations SET owner = 'agent', agent_id = $1, taken_at = $2 WHERE key = $3 AND (owner <> 'agent' OR agent_id = $1) RETURNING *`,
      [agentId, at, key],
    );
  }

  release(key: string, agentId: string): Promise<ConversationRecord | undefined> {
    return this.one(
      `UPDATE conversations SET owner = 'bot', agent_id = NULL, queued_at = NULL, taken_at = NULL WHERE key = $1 AND owner = 'agent' AND agent_id = $2 RETURNING *`,
      [key, agentId],
    );
  }

  async append(entry: Omit<TranscriptEntry, 'seq'>): Promise<number> {
    const r = await this.db.query<{ seq: string }>(
      'INSERT INTO transcript (key, direction, author, text, kind, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq',
      [entry.key, entry.direction, entry.author, entry.text, entry.kind ?? null, entry.at],
    );
    return Number(r.rows[0]!.seq);
  }

  async appendAll(entries: ReadonlyArray<Omit<TranscriptEntry, 'seq'>>): Promise<void> {
    if (entries.length === 0) return;
    // One statement; the rows of VALUES take their sequence numbers in order.
    const values = entries.map((_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`).join(', ');
    await this.db.query(
      `INSERT INTO transcript (key, direction, author, text, kind, at) VALUES ${values}`,
      entries.flatMap((e) => [e.key, e.direction, e.author, e.text, e.kind ?? null, e.at]),
    );
  }

  async transcript(key: string, afterSeq = 0, limit = 200): Promise<TranscriptEntry[]> {
    const r = await this.db.query<{ seq: string; key: string; direction: 'in' | 'out'; author: string; text: string; kind: ReplyKind | null; at: Date }>(
      'SELECT * FROM transcript WHERE key = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [key, afterSeq, limit],
    );
    return r.rows.map((x) => ({
      seq: Number(x.seq),
      key: x.key,
      direction: x.direction,
      author: x.author,
      text: x.text,
      at: x.at,
      ...(x.kind ? { kind: x.kind } : {}),
    }));
  }

  async audit(actor: string, action: string, subject: string, at: Date): Promise<void> {
    await this.db.query('INSERT INTO audit (at, actor, action, subject) VALUES ($1, $2, $3, $4)', [at, actor, action, subject]);
  }

  async auditTrail(limit = 100): Promise<Array<{ at: Date; actor: string; action: string; subject: string }>> {
    return (
      await this.db.query<{ at: Date; actor: string; action: string; subject: string }>(
        'SELECT at, actor, action, subject FROM audit ORDER BY id DESC LIMIT $1',
        [limit],
      )
    ).rows;
  }
}

/** Saves between two purges of expired rows (counted per process: a turn's views are made per transaction). */
const PURGE_EVERY = 1000;
let saves = 0;

/** The conversation state (table `conversation_state`). */
export class PostgresStateStore implements TurnStateStore {
  constructor(private readonly db: TurnDb) {}

  async load(key: string, now: Date): Promise<ConversationState | undefined> {
    const r = await this.db.query<{ state: string }>('SELECT state FROM conversation_state WHERE key = $1 AND expires_at > $2', [key, now]);
    return r.rows[0] && (JSON.parse(r.rows[0].state) as ConversationState);
  }

  async loadTurn(key: string, now: Date): Promise<TurnStart> {
    const r = await this.db.query<{ [K in keyof Row]: Row[K] | null } & { turn_state: string | null }>(
      `SELECT c.*, s.state AS turn_state FROM (SELECT $1::text AS k) AS q
        LEFT JOIN conversations c ON c.key = q.k LEFT JOIN conversation_state s ON s.key = q.k AND s.expires_at > $2`,
      [key, now],
    );
    const row = r.rows[0]!;
    return {
      conversation: row.key === null ? undefined : toRecord(row as Row),
      state: row.turn_state === null ? undefined : (JSON.parse(row.turn_state) as ConversationState),
    };
  }

  async save(key: string, state: ConversationState, expiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation_state (key, state, expires_at) VALUES ($1, $2, $3)
        ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
      [key, JSON.stringify(state), expiresAt],
    );
    if (++saves % PURGE_EVERY === 0) await this.db.query('DELETE FROM conversation_state WHERE expires_at <= $1', [new Date(state.updatedAt)]);
  }
}
