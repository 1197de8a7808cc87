/**
 * Console accounts on PostgreSQL (table `console_accounts` of console-migrations.ts): the rules of
 * AccountStoreBase over a pool. A failed sign-in is counted by one conditional UPDATE, so two
 * instances counting at once both land, and no sign-in passes a lock another instance just set.
 */
import type pg from 'pg';
import { type Account, type AccountInsert, AccountStoreBase, FAILURE_COUNT_SQL, LOCKOUT, type Role } from '../../console/accounts.js';
import type { Clock } from '../../engine/context.js';

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  departments: string[];
  password_hash: string;
  disabled: boolean;
  locked_until: Date | null;
  created_at: Date;
}

const toAccount = (r: Row): Account => ({
  id: Number(r.id),
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  departments: r.departments,
  disabled: r.disabled,
  createdAt: r.created_at,
  ...(r.locked_until ? { lockedUntil: r.locked_until } : {}),
});

const FAILURE = FAILURE_COUNT_SQL('$4', '$3::timestamptz');

/** Accounts on PostgreSQL (pool from `createPool`, schema from `migratePostgres`). */
export class PostgresAccountStore extends AccountStoreBase {
  constructor(
    private readonly pool: pg.Pool,
    clock: Clock,
    knownDepartments?: ReadonlySet<string>,
  ) {
    super(clock, knownDepartments);
  }

  private async row(where: 'id' | 'username', value: number | string): Promise<Row | undefined> {
    return (await this.pool.query<Row>(`SELECT * FROM console_accounts WHERE ${where} = $1`, [value])).rows[0];
  }

  async get(id: number): Promise<Account | undefined> {
    const r = await this.row('id', id);
    return r && toAccount(r);
  }

  async byUsername(username: string): Promise<Account | undefined> {
    const r = await this.row('username', username.trim().toLowerCase());
    return r && toAccount(r);
  }

  async list(): Promise<Account[]> {
    return (await this.pool.query<Row>('SELECT * FROM console_accounts ORDER BY username')).rows.map(toAccount);
  }

  async count(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM console_accounts')).rows[0]!.n;
  }

  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    return (await this.pool.query('UPDATE console_accounts SET disabled = $1 WHERE username = $2', [disabled, username.trim().toLowerCase()])).rowCount === 1;
  }

  protected async insert(a: AccountInsert): Promise<Account | undefined> {
    const r = await this.pool.query<Row>(
      `INSERT INTO console_accounts (username, display_name, role, departments, password_hash, created_at, password_changed_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6) ON CONFLICT (username) DO NOTHING RETURNING *`,
      [a.username, a.displayName, a.role, JSON.stringify(a.departments), a.hash, a.at],
    );
    return r.rows[0] && toAccount(r.rows[0]);
  }

  protected async secret(username: string): Promise<{ account: Account; hash: string } | undefined> {
    const r = await this.row('username', username);
    return r && { account: toAccount(r), hash: r.password_hash };
  }

  protected async writePassword(username: string, hash: string, at: Date): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE console_accounts SET password_hash = $1, failed_count = 0, locked_until = NULL, password_changed_at = $2 WHERE username = $3',
      [hash, at, username],
    );
    return r.rowCount === 1;
  }

  protected async countFailure(id: number, now: Date, lockUntil: Date): Promise<{ lockedUntil?: Date } | undefined> {
    const r = await this.pool.query<{ locked_until: Date | null }>(
      `UPDATE console_accounts SET failed_count = ${FAILURE.failed}, locked_until = ${FAILURE.locked}
       WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING locked_until`,
      [id, now, lockUntil, LOCKOUT.failures],
    );
    const row = r.rows[0];
    return row && (row.locked_until ? { lockedUntil: row.locked_until } : {});
  }

  protected async clearFailures(id: number, now: Date): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE console_accounts SET failed_count = 0, locked_until = NULL WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)',
      [id, now],
    );
    return r.rowCount === 1;
  }
}
