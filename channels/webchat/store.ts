/**
 * The web chat's access secrets (migration module `webchat`). Creating a conversation issues a
 * random secret; only its SHA-256 is stored, and every read or post presents the secret in an
 * `Authorization: Bearer` header, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

const hash = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
/** Compared against when a conversation is unknown, so that both refusals take the same work. */
const DUMMY = hash('no such conversation');

/** Issues and checks conversation secrets. */
export class WebchatAccess {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  /** Records a new conversation and returns its secret (shown once, to the creator). */
  issue(conversationId: string, at: Date): string {
    const secret = randomBytes(32).toString('base64url');
    prepared(this.sql.db, 'INSERT INTO webchat_access (channel, conversation_id, secret_hash, created_at) VALUES (?, ?, ?, ?)').run(
      this.channel,
      conversationId,
      hash(secret),
      at.getTime(),
    );
    return secret;
  }

  /** True when `secret` is the one issued for the conversation. */
  verify(conversationId: string, secret: string): boolean {
    const row = prepared(this.sql.db, 'SELECT secret_hash FROM webchat_access WHERE channel = ? AND conversation_id = ?').get(this.channel, conversationId) as
      | { secret_hash: Buffer }
      | undefined;
    const ok = timingSafeEqual(hash(secret), row?.secret_hash ?? DUMMY);
    return ok && row !== undefined;
  }
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_\-.~+/]{16,200}=*)$/.exec(header ?? '');
  return m?.[1];
}
