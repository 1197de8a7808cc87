/**
 * The web chat's access secrets (migration module `webchat`). Creating a conversation issues a
 * random secret; only its SHA-256 is stored, and every read or post presents the secret in an
 * `Authorization: Bearer` header, compared in constant time. SQLite here; PostgreSQL in postgres-store.ts.
 */
import crypto, { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Awaitable } from '../../bot/delivery/types.js';
import { type Migration, prepared, type SqliteDatabase } from '../../bot/store/sqlite-database.js';

/** Schema of the `webchat` module. */
export const webchatMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE webchat_access (
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      secret_hash BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (channel, conversation_id)
    );`,
  },
];

/** Node's one-shot digest (20.12 and later): no Hash object per call, as every message pays one. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

/** The stored form of a secret. */
export const secretHash = (secret: string): Buffer => (oneShot ? oneShot('sha256', secret, 'buffer') : createHash('sha256').update(secret, 'utf8').digest());
/** Compared against when a conversation is unknown, so that both refusals take the same work. */
const DUMMY = secretHash('no such conversation');

/** A new random secret (shown once, to the creator). */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** True when `secret` hashes to `stored` (constant time; false when nothing is stored). */
export function secretMatches(secret: string, stored: Buffer | undefined): boolean {
  const ok = timingSafeEqual(secretHash(secret), stored ?? DUMMY);
  return ok && stored !== undefined;
}

/** The conversation secrets of one web chat channel instance. Methods may answer with a promise; callers await. */
export interface WebchatAccessStore {
  /**
   * Opens a conversation: runs `create` (the conversation's own record) and records a new secret for
   * it, as one unit where the database allows it; returns the secret. A stored secret proves its conversation.
   */
  open(conversationId: string, at: Date, create: () => Awaitable<void>): Promise<string>;
  /** True when `secret` is the one issued for the conversation (by any instance). */
  verify(conversationId: string, secret: string): Awaitable<boolean>;
}

/** The secrets on SQLite (table `webchat_access`): the conversation and its secret in one transaction. */
export class SqliteWebchatAccess implements WebchatAccessStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  open(conversationId: string, at: Date, create: () => Awaitable<void>): Promise<string> {
    return this.sql.txAsync(async () => {
      await create();
      const secret = newSecret();
      prepared(this.sql.db, 'INSERT INTO webchat_access (channel, conversation_id, secret_hash, created_at) VALUES (?, ?, ?, ?)').run(
        this.channel,
        conversationId,
        secretHash(secret),
        at.getTime(),
      );
      return secret;
    });
  }

  verify(conversationId: string, secret: string): boolean {
    const row = prepared(this.sql.db, 'SELECT secret_hash FROM webchat_access WHERE channel = ? AND conversation_id = ?').get(this.channel, conversationId) as
      | { secret_hash: Buffer }
      | undefined;
    return secretMatches(secret, row?.secret_hash);
  }
}

/**
 * Remembers, per conversation, the hash of the secret last verified, so that a conversation's next
 * messages skip the row read (at most `max` conversations, the oldest forgotten first). Sound because
 * a secret is never changed or removed once issued (`open` is the only write, on every store): a
 * remembered hash is the stored one on every instance. Revoking or rotating secrets would have to
 * drop this cache. Refusals are not remembered (a conversation opened on another instance is found).
 */
export class VerifiedSecrets implements WebchatAccessStore {
  private readonly known = new Map<string, Buffer>();

  constructor(
    private readonly store: WebchatAccessStore,
    private readonly max = 10_000,
  ) {}

  open(conversationId: string, at: Date, create: () => Awaitable<void>): Promise<string> {
    return this.store.open(conversationId, at, create);
  }

  verify(conversationId: string, secret: string): Awaitable<boolean> {
    const hash = this.known.get(conversationId);
    if (hash) return timingSafeEqual(secretHash(secret), hash);
    const ok = this.store.verify(conversationId, secret);
    return ok instanceof Promise ? ok.then((v) => this.remember(conversationId, secret, v)) : this.remember(conversationId, secret, ok);
  }

  private remember(conversationId: string, secret: string, ok: boolean): boolean {
    if (!ok) return false;
    if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
    this.known.set(conversationId, secretHash(secret));
    return true;
  }
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_\-.~+/]{16,200}=*)$/.exec(header ?? '');
  return m?.[1];
}
