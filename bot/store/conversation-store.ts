/**
 * Who holds each conversation (the bot, the call-centre queue or an agent), its transcript and the
 * audit trail: one small interface per role (`Conversations`, `Transcript`, `AuditTrail`), their
 * union `ConversationStore`, and the SQLite implementation. Kept in SQL beside the requests because
 * agents query it (waiting chats, history). PostgreSQL: `postgres/turn-conversations.ts`.
 */

import { StoreError } from '../core/errors.js';
import type { Language, ReplyKind } from '../core/types.js';
import type { Awaitable } from '../delivery/types.js';
import { type Migration, prepared, type SqliteDatabase } from './sqlite-database.js';

/** Who answers a conversation. */
export type Owner = 'bot' | 'queue' | 'agent';

/** A conversation's handoff state. */
export interface ConversationRecord {
  key: string;
  channel: string;
  conversationId: string;
  owner: Owner;
  agentId?: string;
  language: Language;
  queuedAt?: Date;
  takenAt?: Date;
  lastMessageAt: Date;
}

/** One line of a transcript. */
export interface TranscriptEntry {
  seq: number;
  key: string;
  direction: 'in' | 'out';
  author: string;
  text: string;
  kind?: ReplyKind;
  at: Date;
}

/** Who holds each conversation. Methods may answer with a promise; callers await. */
export interface Conversations {
  /** The conversation, created as bot-held on first sight; `language` is kept when not given. */
  touch(key: string, channel: string, conversationId: string, language: Language | undefined, at: Date): Awaitable<void>;
  /** A message of an existing conversation: its time, and its language (kept when not given). */
  noteMessage(key: string, language: Language | undefined, at: Date): Awaitable<void>;
  /** Records the language a conversation is held in. */
  setLanguage(key: string, language: Language): Awaitable<void>;
  /** A conversation by key. */
  get(key: string): Awaitable<ConversationRecord | undefined>;
  /** Puts a bot-held conversation in the call-centre queue (no-op if queued or with an agent). */
  enqueue(key: string, at: Date): Awaitable<ConversationRecord>;
  /** Takes a queued conversation back to the bot; false when it was not queued. */
  dequeue(key: string): Awaitable<boolean>;
  /** Conversations waiting for an agent, oldest first. */
  waiting(limit?: number): Awaitable<ConversationRecord[]>;
  /** Conversations held by agents (one agent, or all), earliest taken first. */
  held(agentId?: string): Awaitable<ConversationRecord[]>;
  /** An agent takes a conversation over (atomic: two agents cannot both take it). */
  take(key: string, agentId: string, at: Date): Awaitable<ConversationRecord | undefined>;
  /** Gives the conversation back to the bot; only the holding agent may. */
  release(key: string, agentId: string): Awaitable<ConversationRecord | undefined>;
}

/** The transcripts of conversations. */
export interface Transcript {
  /** Appends a line; returns its sequence number (increasing per store). */
  append(entry: Omit<TranscriptEntry, 'seq'>): Awaitable<number>;
  /** Appends lines in order (a turn's message and replies), in one write; sequence numbers as `append` gives them. */
  appendAll(entries: ReadonlyArray<Omit<TranscriptEntry, 'seq'>>): Awaitable<void>;
  /** Lines of a conversation after `afterSeq`, in order. */
  transcript(key: string, afterSeq?: number, limit?: number): Awaitable<TranscriptEntry[]>;
}

/** The personal-data access trail. */
export interface AuditTrail {
  /** Records who looked at or changed what. */
  audit(actor: string, action: string, subject: string, at: Date): Awaitable<void>;
  /** The trail, newest first. */
  auditTrail(limit?: number): Awaitable<Array<{ at: Date; actor: string; action: string; subject: string }>>;
}

/** Conversations, transcripts and the audit trail of one database. */
export interface ConversationStore extends Conversations, Transcript, AuditTrail {}

export const conversationMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE conversations (
      key TEXT PRIMARY KEY,
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      owner TEXT NOT NULL CHECK (owner IN ('bot','queue','agent')),
      agent_id TEXT,
      language TEXT NOT NULL,
      queued_at INTEGER,
      taken_at INTEGER,
      last_message_at INTEGER NOT NULL
    );
    CREATE INDEX conversations_owner ON conversations (owner, queued_at);
    CREATE TABLE transcript (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL,
      direction TEXT NOT NULL,
      author TEXT NOT NULL,
      text TEXT NOT NULL,
      kind TEXT,
      at INTEGER NOT NULL
    );
    CREATE INDEX transcript_key ON transcript (key, seq);
    CREATE TABLE audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT NOT NULL
    );`,
  },
];

/** A row of `conversations` as SQLite returns it. */
export interface ConversationRow {
  key: string;
  channel: string;
  conversation_id: string;
  owner: Owner;
  agent_id: string | null;
  language: Language;
  queued_at: number | null;
  taken_at: number | null;
  last_message_at: number;
}

/** A conversation from its SQLite row. */
export const conversationFromRow = (r: ConversationRow): ConversationRecord => ({
  key: r.key,
  channel: r.channel,
  conversationId: r.conversation_id,
  owner: r.owner,
  language: r.language,
  lastMessageAt: new Date(r.last_message_at),
  ...(r.agent_id ? { agentId: r.agent_id } : {}),
  ...(r.queued_at ? { queuedAt: new Date(r.queued_at) } : {}),
  ...(r.taken_at ? { takenAt: new Date(r.taken_at) } : {}),
});

/** Transcript lines written by one statement at most (one prepared statement per count up to it). */
const APPEND_ROWS = 8;

/** The INSERT of n transcript lines at index n (SQLite numbers them in the order of VALUES), built once. */
const INSERT_LINES = Array.from(
  { length: APPEND_ROWS + 1 },
  (_, rows) => `INSERT INTO transcript (key, direction, author, text, kind, at) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
);

/** Handoff state, transcripts and the audit trail, on SQLite (synchronous). */
export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly sql: SqliteDatabase) {}

  /** The conversation, created as bot-held on first sight; `language` is kept when not given. */
  touch(key: string, channel: string, conversationId: string, language: Language | undefined, at: Date): void {
    prepared(
      this.sql.db,
      `INSERT INTO conversations (key, channel, conversation_id, owner, language, last_message_at) VALUES (?, ?, ?, 'bot', ?, ?)
        ON CONFLICT(key) DO UPDATE SET last_message_at = MAX(last_message_at, excluded.last_message_at),
        language = CASE WHEN ? IS NULL THEN language ELSE excluded.language END`,
    ).run(key, channel, conversationId, language ?? 'ar', at.getTime(), language ?? null);
  }

  /** A message of an existing conversation: its time, and the language it is now held in (kept when not given). */
  noteMessage(key: string, language: Language | undefined, at: Date): void {
    prepared(this.sql.db, 'UPDATE conversations SET last_message_at = MAX(last_message_at, ?), language = COALESCE(?, language) WHERE key = ?').run(
      at.getTime(),
      language ?? null,
      key,
    );
  }

  /** Records the language a conversation is held in. */
  setLanguage(key: string, language: Language): void {
    prepared(this.sql.db, 'UPDATE conversations SET language = ? WHERE key = ?').run(language, key);
  }

  /** A conversation by key. */
  get(key: string): ConversationRecord | undefined {
    const r = prepared(this.sql.db, 'SELECT * FROM conversations WHERE key = ?').get(key) as ConversationRow | undefined;
    return r && conversationFromRow(r);
  }

  /** Puts a bot-held conversation in the call-centre queue (no-op if already queued or with an agent). */
  enqueue(key: string, at: Date): ConversationRecord {
    prepared(this.sql.db, `UPDATE conversations SET owner = 'queue', queued_at = ? WHERE key = ? AND owner = 'bot'`).run(at.getTime(), key);
    const c = this.get(key);
    if (!c) throw new StoreError(`unknown conversation ${key}`);
    return c;
  }

  /** Takes a conversation out of the queue, back to the bot (the resident asked for the menu). */
  dequeue(key: string): boolean {
    return prepared(this.sql.db, `UPDATE conversations SET owner = 'bot', queued_at = NULL WHERE key = ? AND owner = 'queue'`).run(key).changes === 1;
  }

  /** Conversations waiting for an agent, oldest first. */
  waiting(limit = 100): ConversationRecord[] {
    return (prepared(this.sql.db, `SELECT * FROM conversations WHERE owner = 'queue' ORDER BY queued_at LIMIT ?`).all(limit) as ConversationRow[]).map(
      conversationFromRow,
    );
  }

  /** Conversations currently held by agents (one agent, or all). */
  held(agentId?: string): ConversationRecord[] {
    const rows = agentId
      ? prepared(this.sql.db, `SELECT * FROM conversations WHERE owner = 'agent' AND agent_id = ? ORDER BY taken_at`).all(agentId)
      : prepared(this.sql.db, `SELECT * FROM conversations WHERE owner = 'agent' ORDER BY taken_at`).all();
    return (rows as ConversationRow[]).map(conversationFromRow);
  }

  /** An agent takes a conversation over; atomic, so two agents cannot take the same chat. */
  take(key: string, agentId: string, at: Date): ConversationRecord | undefined {
    const r = prepared(
      this.sql.db,
      `UPDATE conversations SET owner = 'agent', agent_id = ?, taken_at = ? WHERE key = ? AND (owner != 'agent' OR agent_id = ?)`,
    ).run(agentId, at.getTime(), key, agentId);
    return r.changes === 1 ? this.get(key) : undefined;
  }

  /** Gives the conversation back to the bot; only the holding agent may. */
  release(key: string, agentId: string): ConversationRecord | undefined {
    const r = prepared(
      this.sql.db,
      `UPDATE conversations SET owner = 'bot', agent_id = NULL, queued_at = NULL, taken_at = NULL WHERE key = ? AND owner = 'agent' AND agent_id = ?`,
    ).run(key, agentId);
    return r.changes === 1 ? this.get(key) : undefined;
  }

  /** Appends a transcript line; returns its sequence number. */
  append(entry: Omit<TranscriptEntry, 'seq'>): number {
    const r = prepared(this.sql.db, 'INSERT INTO transcript (key, direction, author, text, kind, at) VALUES (?, ?, ?, ?, ?, ?)').run(
      entry.key,
      entry.direction,
      entry.author,
      entry.text,
      entry.kind ?? null,
      entry.at.getTime(),
    );
    return Number(r.lastInsertRowid);
  }

  /** Appends lines in order, up to APPEND_ROWS per statement. */
  appendAll(entries: ReadonlyArray<Omit<TranscriptEntry, 'seq'>>): void {
    for (let from = 0; from < entries.length; from += APPEND_ROWS) {
      const rows = Math.min(APPEND_ROWS, entries.length - from);
      const args: Array<string | number | null> = [];
      for (let i = from; i < from + rows; i++) {
        const e = entries[i]!;
        args.push(e.key, e.direction, e.author, e.text, e.kind ?? null, e.at.getTime());
      }
      prepared(this.sql.db, INSERT_LINES[rows]!).run(args);
    }
  }

  /** Transcript lines of a conversation after `afterSeq`. */
  transcript(key: string, afterSeq = 0, limit = 200): TranscriptEntry[] {
    const rows = prepared(this.sql.db, 'SELECT * FROM transcript WHERE key = ? AND seq > ? ORDER BY seq LIMIT ?').all(key, afterSeq, limit) as Array<{
      seq: number;
      key: string;
      direction: 'in' | 'out';
      author: string;
      text: string;
      kind: ReplyKind | null;
      at: number;
    }>;
    return rows.map((r) => ({
      seq: r.seq,
      key: r.key,
      direction: r.direction,
      author: r.author,
      text: r.text,
      at: new Date(r.at),
      ...(r.kind ? { kind: r.kind } : {}),
    }));
  }

  /** Records who looked at or changed what (personal-data access trail). */
  audit(actor: string, action: string, subject: string, at: Date): void {
    prepared(this.sql.db, 'INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, ?, ?)').run(at.getTime(), actor, action, subject);
  }

  /** The audit trail, newest first. */
  auditTrail(limit = 100): Array<{ at: Date; actor: string; action: string; subject: string }> {
    return (
      prepared(this.sql.db, 'SELECT at, actor, action, subject FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Array<{
        at: number;
        actor: string;
        action: string;
        subject: string;
      }>
    ).map((r) => ({ ...r, at: new Date(r.at) }));
  }
}
