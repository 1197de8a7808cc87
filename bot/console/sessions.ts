/**
 * Console sessions: an opaque random token in an HttpOnly cookie (stored only as its SHA-256), a CSRF
 * token per session, idle expiry and an absolute lifetime, both measured with the injected Clock.
 * `SessionStore` is the role the console uses; SQLite here, PostgreSQL in
 * bot/store/postgres/session-store.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../engine/context.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';

/** Session lifetimes. */
export interface SessionLimits {
  idleMinutes: number;
  absoluteHours: number;
}

/** Default lifetimes: 30 minutes idle, 12 hours at most. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: 30, absoluteHours: 12 };

/** A live session. */
export interface Session {
  accountId: number;
  csrf: string;
  createdAt: Date;
  lastSeenAt: Date;
}

/** The sessions, as the console uses them (every implementation passes test/console/session-store-contract.ts). */
export interface SessionStore {
  readonly limits: SessionLimits;
  /** Opens a session; returns the cookie token (shown once) and its CSRF token. */
  create(accountId: number): Promise<{ token: string; csrf: string }>;
  /** The session of a token, refreshed; undefined when unknown or expired (an expired one is deleted). */
  touch(token: string): Promise<Session | undefined>;
  /** Ends a session. */
  destroy(token: string): Promise<void>;
  /** Ends every session of an account (disabled, password reset). */
  destroyAll(accountId: number): Promise<void>;
}

/** The stored form of a token (its SHA-256), and fresh tokens. */
export const sessionToken = {
  hash: (token: string): string => createHash('sha256').update(token).digest('base64url'),
  fresh: (): { token: string; csrf: string } => ({ token: randomBytes(32).toString('base64url'), csrf: randomBytes(24).toString('base64url') }),
};

/** The oldest last-seen and creation instants a session may have at `now` to be alive. */
export function sessionBounds(limits: SessionLimits, now: Date): { seenAfter: Date; createdAfter: Date } {
  return { seenAfter: new Date(now.getTime() - limits.idleMinutes * 60_000), createdAfter: new Date(now.getTime() - limits.absoluteHours * 3_600_000) };
}

/** Schema of this module (applied by bot/store/sqlite/migrate.ts). */
export const consoleSessionMigrations: Migration[] = [
  {
    version: 1,
    up: `
  CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES console_accounts(id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX console_sessions_account ON console_sessions (account_id);`,
  },
];

/** Sessions on SQLite (table `console_sessions`); a restart keeps people signed in. */
export class SqliteSessionStore implements SessionStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  async create(accountId: number): Promise<{ token: string; csrf: string }> {
    const fresh = sessionToken.fresh();
    const now = this.clock.now().getTime();
    prepared(this.sql.db, 'INSERT INTO console_sessions (token_hash, account_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(
      sessionToken.hash(fresh.token),
      accountId,
      fresh.csrf,
      now,
      now,
    );
    return fresh;
  }

  async touch(token: string): Promise<Session | undefined> {
    const h = sessionToken.hash(token);
    const now = this.clock.now();
    const { seenAfter, createdAfter } = sessionBounds(this.limits, now);
    const r = prepared(
      this.sql.db,
      `UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at >= ? AND created_at >= ?
      RETURNING account_id, csrf, created_at`,
    ).get(now.getTime(), h, seenAfter.getTime(), createdAfter.getTime()) as { account_id: number; csrf: string; created_at: number } | undefined;
    if (!r) {
      await this.destroy(token);
      return undefined;
    }
    return { accountId: r.account_id, csrf: r.csrf, createdAt: new Date(r.created_at), lastSeenAt: now };
  }

  async destroy(token: string): Promise<void> {
    prepared(this.sql.db, 'DELETE FROM console_sessions WHERE token_hash = ?').run(sessionToken.hash(token));
  }

  async destroyAll(accountId: number): Promise<void> {
    prepared(this.sql.db, 'DELETE FROM console_sessions WHERE account_id = ?').run(accountId);
  }
}
