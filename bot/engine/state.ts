import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { FieldId } from '../../config/schema.js';
import type { Attachment, GeoPoint, Intent, Language } from '../core/types.js';

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

/** What the bot remembers of a conversation between messages (kept in keyv). */
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

/** Conversation state by conversation key. */
export interface StateStore {
  get(key: string): Promise<ConversationState | undefined>;
  set(key: string, state: ConversationState, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Conversations whose state is kept in memory in front of the store. */
const CACHE_ENTRIES = 10_000;

/**
 * A StateStore over any keyv instance, with a write-through memory cache in front of it. The cache
 * is sound because one process owns a data directory and the engine serializes each conversation.
 */
export class KeyvStateStore implements StateStore {
  private readonly cache = new Map<string, { state: ConversationState; expires: number }>();

  /** `ready` resolves when the backing store is set up (pragmas applied). */
  constructor(private readonly keyv: Keyv<ConversationState>, private readonly ready: Promise<unknown> = Promise.resolve()) {}

  async get(key: string): Promise<ConversationState | undefined> {
    const hit = this.cache.get(key);
    // A copy: the engine changes the state in place and must not change the cached one on failure.
    if (hit && hit.expires > Date.now()) return structuredClone(hit.state);
    await this.ready;
    const state = (await this.keyv.get(key)) ?? undefined;
    if (state) this.remember(key, state, Infinity);
    return state;
  }

  async set(key: string, state: ConversationState, ttlMs?: number): Promise<void> {
    await this.ready;
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
    await this.ready.catch(() => undefined);
    await this.keyv.disconnect();
  }
}

/** State kept in a SQLite file under the data directory (survives restarts). */
export function createSqliteStateStore(dataDir: string): StateStore {
  mkdirSync(dataDir, { recursive: true });
  const store = new KeyvSqlite({ uri: `sqlite://${join(dataDir, 'state.sqlite')}`, busyTimeout: 5000 });
  // Write-ahead logging without an fsync per write (durable at checkpoints), as for the main database.
  const ready = store.query('PRAGMA journal_mode = WAL').then(() => store.query('PRAGMA synchronous = NORMAL'));
  ready.catch(() => undefined); // a store closed before it was used; get/set would report the error
  return new KeyvStateStore(new Keyv<ConversationState>({ store, namespace: 'conversation' }), ready);
}

/** State kept in memory (tests, `tawasul parse`). */
export function createMemoryStateStore(): StateStore {
  return new KeyvStateStore(new Keyv<ConversationState>());
}
