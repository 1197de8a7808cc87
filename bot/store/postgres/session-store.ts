/** Console sessions on PostgreSQL (table `console_sessions` of console-migrations.ts): the same tokens and lifetimes as on SQLite. */
import type pg from 'pg';
import { DEFAULT_SESSION_LIMITS, type Session, type SessionLimits, type SessionStore, sessionBounds, sessionToken } from '../../console/sessions.js';
import type { Clock } from '../../engine/context.js';

/** Sessions on PostgreSQL; every instance sees every session. */
export class PostgresSessionStore implements SessionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  async create(accountId: number): Promise<{ token: string; csrf: string }> {
    const fresh = sessionToken.fresh();
    await this.pool.query('INSERT INTO console_sessions (token_hash, account_id, csrf, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)', [
      sessionToken.hash(fresh.token),
      accountId,
      fresh.csrf,
      this.clock.now(),
    ]);
    return fresh;
  }

  async touch(token: string): Promise<Session | undefined> {
    const now = this.clock.now();
    const { seenAfter, createdAfter } = sessionBounds(this.limits, now);
    const r = await this.pool.query<{ account_id: string; csrf: string; created_at: Date }>(
      `UPDATE console_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at >= $3 AND created_at >= $4
       RETURNING account_id, csrf, created_at`,
      [now, sessionToken.hash(token), seenAfter, createdAfter],
    );
    const row = r.rows[0];
    if (!row) {
      await this.destroy(token);
      return undefined;
    }
    return { accountId: Number(row.account_id), csrf: row.csrf, createdAt: row.created_at, lastSeenAt: now };
  }

  async destroy(token: string): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE token_hash = $1', [sessionToken.hash(token)]);
  }

  async destroyAll(accountId: number): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE account_id = $1', [accountId]);
  }
}
