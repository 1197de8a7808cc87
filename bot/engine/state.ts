import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import type { FieldId } from '../../config/schema.js';
import type { Attachment, GeoPoint, Intent, Language } from '../core/types.js';
import type { Awaitable } from '../delivery/types.js';
import { type ConversationRecord, type ConversationRow, conversationFromRow } from '../store/conversation-store.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';

/** An intake dialogue in progress. */
export interface Dialogue {
  /** Null while the resident is choosing the service. */
  serviceId: string | null;
  values: Partial<Record<FieldId, string>>;
  location?: GeoPoint;
  attachments: Attachment[];
  /** The field being asked, `confirm` at the summary, `service` while choosing. */
  awaiting: FieldId | 'confirm' | 'service';
  /** Set while correcting one field from the summary. */
  editing?: boolean;
  startedAt: number;
}

/** A status look-up in progress. */
export interface StatusLookup {
  reference?: string;
  failures: number;
  /** Failures reset after this instant (ms). */
  windowStart: number;
}

/** What the bot remembers of a conversation between messages (a row of `conversation_state`). */
export interface ConversationState {
  language?: Language;
  dialogue?: Dialogue;
  status?: StatusLookup;
  lastIntent?: Intent;
  /** A numbered question asked because the classifier was unsure: the original message and the choices. */
  clarification?: { text: string; choices: Array<{ intent: Intent; service: string | null }> };
  /** Last time the resident was told they are queued for an agent (ms). */
  handoffNoticeAt?: number;
  updatedAt: number;
}

/** Conversation state by conversation key, asynchronous (a keyv/Redis store for uses that need no transaction). */
export interface StateStore {
  get(key: string): Promise<ConversationState | undefined>;
  set(key: string, state: ConversationState, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The state store a turn uses: `save` runs in the end-of-turn transaction (through the turn's
 * `TurnTx`), so that the state commits with the transcript, inbox and outbox or not at all. A crash
 * between filing and the end of the turn therefore replays the turn on the state it started from.
 * SQLite (`SqlStateStore`) answers synchronously, PostgreSQL with promises; callers await.
 */
export interface TurnStateStore {
  /** The state of a conversation, or undefined (none, or expired at `now`). */
  load(key: string, now: Date): Awaitable<ConversationState | undefined>;
  /** What a turn starts from, in one read: the conversation (undefined before its first message) and its state as `load` gives it. */
  loadTurn(key: string, now: Date): Awaitable<TurnStart>;
  /** Writes the state; call inside the end-of-turn transaction. */
  save(key: string, state: ConversationState, expiresAt: Date): Awaitable<void>;
}

/** The conversation and its state, as a turn finds them. */
export interface TurnStart {
  conversation: ConversationRecord | undefined;
  state: ConversationState | undefined;
}

export const stateMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE conversation_state (
      key TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX conversation_state_expiry ON conversation_state (expires_at);`,
  },
];

/** The row `loadTurn` reads: the conversation's columns (null when there is none) and the state's. */
type TurnRow = { [K in keyof ConversationRow]: ConversationRow[K] | null } & { turn_state: string | null; turn_state_expires: number | null };

/** A stored state, or undefined once it has expired at `now`. */
const liveState = (json: string, expiresAt: number, now: Date): ConversationState | undefined =>
  expiresAt <= now.getTime() ? undefined : (JSON.parse(json) as ConversationState);

/** Saves between two purges of expired rows. */
const PURGE_EVERY = 1000;

/** The conversation state as a row of `tawasul.sqlite` (table `conversation_state`). */
export class SqlStateStore implements TurnStateStore, StateStore {
  private saves = 0;

  constructor(private readonly sql: SqliteDatabase) {}

  load(key: string, now: Date): ConversationState | undefined {
    const row = prepared(this.sql.db, 'SELECT state, expires_at FROM conversation_state WHERE key = ?').get(key) as
      | { state: string; expires_at: number }
      | undefined;
    return row && liveState(row.state, row.expires_at, now);
  }

  loadTurn(key: string, now: Date): TurnStart {
    const row = prepared(
      this.sql.db,
      `SELECT c.*, s.state AS turn_state, s.expires_at AS turn_state_expires FROM (SELECT ? AS k) AS q
        LEFT JOIN conversations c ON c.key = q.k LEFT JOIN conversation_state s ON s.key = q.k`,
    ).get(key) as TurnRow;
    return {
      conversation: row.key === null ? undefined : conversationFromRow(row as ConversationRow),
      state: row.turn_state === null ? undefined : liveState(row.turn_state, row.turn_state_expires!, now),
    };
  }

  save(key: string, state: ConversationState, expiresAt: Date): void {
    prepared(
      this.sql.db,
      `INSERT INTO conversation_state (key, state, expires_at) VALUES (?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
    ).run(key, JSON.stringify(state), expiresAt.getTime());
    if (++this.saves % PURGE_EVERY === 0) {
      prepared(this.sql.db, 'DELETE FROM conversation_state WHERE expires_at <= ?').run(state.updatedAt);
    }
  }

  async get(key: string): Promise<ConversationState | undefined> {
    return this.load(key, new Date());
  }

  async set(key: string, state: ConversationState, ttlMs?: number): Promise<void> {
    this.save(key, state, new Date(ttlMs === undefined ? 8.64e15 : Date.now() + ttlMs));
  }

  async delete(key: string): Promise<void> {
    prepared(this.sql.db, 'DELETE FROM conversation_state WHERE key = ?').run(key);
  }

  /** The database is closed by its owner. */
  async close(): Promise<void> {}
}

/** Conversations whose state is kept in memory in front of the store. */
const CACHE_ENTRIES = 10_000;

/**
 * A StateStore over any keyv instance (memory, Redis), with a write-through memory cache in front of
 * it, for uses that need no transaction. The engine's turns use `SqlStateStore`.
 */
export class KeyvStateStore implements StateStore {
  private readonly cache = new Map<string, { state: ConversationState; expires: number }>();

  constructor(private readonly keyv: Keyv<ConversationState>) {}

  async get(key: string): Promise<ConversationState | undefined> {
    const hit = this.cache.get(key);
    // A copy: callers change the state in place and must not change the cached one on failure.
    if (hit && hit.expires > Date.now()) return structuredClone(hit.state);
    const state = (await this.keyv.get(key)) ?? undefined;
    if (state) this.remember(key, state, Infinity);
    return state;
  }

  async set(key: string, state: ConversationState, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, state, ttlMs);
    this.remember(key, structuredClone(state), ttlMs === undefined ? Infinity : Date.now() + ttlMs);
  }

  private remember(key: string, state: ConversationState, expires: number): void {
    this.cache.delete(key);
    this.cache.set(key, { state, expires });
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
  }

  async delete(key: string): Promise<void> {
    this.cache.delete(key);
    await this.keyv.delete(key);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** State kept in memory through keyv (non-transactional uses, tests). */
export function createMemoryStateStore(): StateStore {
  return new KeyvStateStore(new Keyv<ConversationState>());
}

/**
 * Carries the states of the former keyv file (`data/state.sqlite`, before the state moved into the
 * turn's database) over once: rows not expired and not yet present are copied, then the file is
 * renamed `state.sqlite.imported`. Returns how many were copied (0 when there is no such file).
 */
export function importKeyvStateFile(sql: SqliteDatabase, file: string, now: Date): number {
  if (!existsSync(file)) return 0;
  const old = new Database(file, { readonly: true, fileMustExist: true });
  let n = 0;
  try {
    const rows = old.prepare(`SELECT key, value FROM keyv WHERE key LIKE 'conversation:%'`).all() as Array<{ key: string; value: string }>;
    const insert = prepared(sql.db, 'INSERT INTO conversation_state (key, state, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING');
    sql.tx(() => {
      for (const r of rows) {
        const v = JSON.parse(r.value) as { value?: ConversationState; expires?: number | null };
        const expires = v.expires ?? 8.64e15;
        if (!v.value || expires <= now.getTime()) continue;
        n += insert.run(r.key.slice('conversation:'.length), JSON.stringify(v.value), expires).changes;
      }
    });
  } finally {
    old.close();
  }
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, `${file}.imported${suffix}`);
  return n;
}
