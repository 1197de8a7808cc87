/**
 * Console sessions: an opaque random token in an HttpOnly cookie (stored only as its SHA-256), a CSRF
 * token per session, idle expiry and an absolute lifetime, both measured with the injected Clock.
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

const hash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Sessions on SQLite (table `console_sessions`); a restart keeps people signed in. */
export class SessionStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  /** Opens a session; returns the cookie token (shown once) and its CSRF token. */
  create(accountId: number): { token: string; csrf: string } {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.clock.now().getTime();
    prepared(this.sql.db, 'INSERT INTO console_sessions (token_hash, account_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(
      hash(token),
      accountId,
      csrf,
      now,
      now,
    );
    return { token, csrf };
  }

  /** The session of a token, refreshed; undefined when unknown or expired (an expired one is deleted). */
  touch(token: string): Session | undefined {
    const h = hash(token);
    const r = prepared(this.sql.db, 'SELECT account_id, csrf, created_at, last_seen_at FROM console_sessions WHERE token_hash = ?').get(h) as
      | { account_id: number; csrf: string; created_at: number; last_seen_at: number }
      | undefined;
    if (!r) return undefined;
    const now = this.clock.now().getTime();
    if (now - r.last_seen_at > this.limits.idleMinutes * 60_000 || now - r.created_at > this.limits.absoluteHours * 3_600_000) {
      this.destroy(token);
      return undefined;
    }
    prepared(this.sql.db, 'UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?').run(now, h);
    return { accountId: r.account_id, csrf: r.csrf, createdAt: new Date(r.created_at), lastSeenAt: new Date(now) };
  }

  /** Ends a session. */
  destroy(token: string): void {
    prepared(this.sql.db, 'DELETE FROM console_sessions WHERE token_hash = ?').run(hash(token));
  }

  /** Ends every session of an account (disabled, password reset). */
  destroyAll(accountId: number): void {
    prepared(this.sql.db, 'DELETE FROM console_sessions WHERE account_id = ?').run(accountId);
  }
}
