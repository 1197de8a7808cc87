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

/** A StateStore over any keyv instance. */
export class KeyvStateStore implements StateStore {
  constructor(private readonly keyv: Keyv<ConversationState>) {}

  async get(key: string): Promise<ConversationState | undefined> {
    return (await this.keyv.get(key)) ?? undefined;
  }

  async set(key: string, state: ConversationState, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, state, ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.keyv.delete(key);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/** State kept in a SQLite file under the data directory (survives restarts). */
export function createSqliteStateStore(dataDir: string): StateStore {
  mkdirSync(dataDir, { recursive: true });
  const store = new KeyvSqlite({ uri: `sqlite://${join(dataDir, 'state.sqlite')}`, busyTimeout: 5000 });
  return new KeyvStateStore(new Keyv<ConversationState>({ store, namespace: 'conversation' }));
}

/** State kept in memory (tests, `tawasul parse`). */
export function createMemoryStateStore(): StateStore {
  return new KeyvStateStore(new Keyv<ConversationState>());
}
