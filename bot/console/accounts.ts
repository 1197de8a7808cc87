/**
 * Console accounts: call-centre agents, department heads (scoped to departments), supervisors and
 * admins, with scrypt password hashes (./passwords.ts) and a lockout after repeated failed sign-ins.
 * `AccountStore` is the role the console and the CLI use; `AccountStoreBase` holds the rules
 * (validation, sign-in, lockout) over a few storage primitives, which each database implements: SQLite
 * here, PostgreSQL in bot/store/postgres/account-store.ts. Failures are counted by one conditional
 * UPDATE, so instances sharing the database never lose a failure. Time comes from the injected Clock.
 */
import { InputError } from '../core/errors.js';
import type { Clock } from '../engine/context.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';

export { hashPassword, MIN_PASSWORD, verifyPassword } from './passwords.js';

/** What an account may do in the console. */
export const ROLES = ['agent', 'department', 'supervisor', 'admin'] as const;
/** One of ROLES. */
export type Role = (typeof ROLES)[number];

/** A console account (never with its hash). */
export interface Account {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Departments of config/services.yaml a `department` account is scoped to. */
  departments: string[];
  disabled: boolean;
  createdAt: Date;
  lockedUntil?: Date;
}

/** Failed sign-ins in a row before the account is locked, and for how long. */
export const LOCKOUT = { failures: 5, minutes: 15 } as const;

/** What `add` takes. */
export interface NewAccount {
  username: string;
  displayName?: string;
  role: Role;
  departments?: string[];
  password: string;
}

/** The outcome of a sign-in attempt. */
export type SignInResult = { ok: true; account: Account } | { ok: false; reason: 'bad_credentials' | 'locked' | 'disabled'; lockedUntil?: Date };

/** The accounts, as the console and the CLI use them (every implementation passes test/console/account-store-contract.ts). */
export interface AccountStore {
  /** Validates and stores a new account; throws InputError naming the field. */
  add(a: NewAccount): Promise<Account>;
  /** An account by id. */
  get(id: number): Promise<Account | undefined>;
  /** An account by username. */
  byUsername(username: string): Promise<Account | undefined>;
  /** Every account, by username. */
  list(): Promise<Account[]>;
  /** Number of accounts (a fresh install has none). */
  count(): Promise<number>;
  /** Disables (or re-enables) an account; false when unknown. */
  setDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** Sets a new password and lifts a lockout; false when unknown. */
  resetPassword(username: string, password: string): Promise<boolean>;
  /** Checks a password; counts failures and locks the account after LOCKOUT.failures in a row. */
  signIn(username: string, password: string): Promise<SignInResult>;
}

/** A new account's row as the primitives store it. */
export interface AccountInsert {
  username: string;
  displayName: string;
  role: Role;
  departments: string[];
  hash: string;
  at: Date;
}

/** The rules of AccountStore over storage primitives (one subclass per database). */
export abstract class AccountStoreBase implements AccountStore {
  // Compared against when the username is unknown, so that both answers take the same time.
  private static dummyHash: Promise<string> | undefined;

  constructor(
    protected readonly clock: Clock,
    private readonly knownDepartments?: ReadonlySet<string>,
  ) {}

  abstract get(id: number): Promise<Account | undefined>;
  abstract byUsername(username: string): Promise<Account | undefined>;
  abstract list(): Promise<Account[]>;
  abstract count(): Promise<number>;
  abstract setDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** Inserts an account; undefined when the username is taken. */
  protected abstract insert(a: AccountInsert): Promise<Account | undefined>;
  /** An account with its password hash. */
  protected abstract secret(username: string): Promise<{ account: Account; hash: string } | undefined>;
  /** Stores a new hash and lifts a lockout; false when unknown. */
  protected abstract writePassword(username: string, hash: string, at: Date): Promise<boolean>;
  /**
   * Counts one failure, in one statement, unless the account is locked at `now` (then undefined):
   * the count restarts after an ended lock; reaching LOCKOUT.failures sets the lock to `lockUntil`.
   * Resolves to the lock it set, if any.
   */
  protected abstract countFailure(id: number, now: Date, lockUntil: Date): Promise<{ lockedUntil?: Date } | undefined>;
  /** Clears the failures unless the account is locked at `now` (then false). */
  protected abstract clearFailures(id: number, now: Date): Promise<boolean>;

  async add(a: NewAccount): Promise<Account> {
    const username = a.username.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]{1,39}$/.test(username)) throw new InputError('username: 2-40 letters, digits, ".", "_" or "-"', 400, 'invalid_username');
    if (!(ROLES as readonly string[]).includes(a.role)) throw new InputError(`role: one of ${ROLES.join(', ')}`, 400, 'invalid_role');
    const departments = [...new Set(a.departments ?? [])];
    if (a.role === 'department' && departments.length === 0)
      throw new InputError('departments: a department account needs at least one department', 400, 'invalid_departments');
    if (a.role !== 'department' && departments.length > 0)
      throw new InputError('departments: only department accounts are scoped to departments', 400, 'invalid_departments');
    const unknown = departments.find((d) => this.knownDepartments && !this.knownDepartments.has(d));
    if (unknown) throw new InputError(`departments: unknown department "${unknown}" (see config/services.yaml)`, 400, 'invalid_departments');
    checkPassword(a.password);
    const taken = (): InputError => new InputError(`username: "${username}" already exists`, 409, 'username_taken');
    if (await this.byUsername(username)) throw taken();
    const displayName = (a.displayName ?? username).trim().slice(0, 100) || username;
    const added = await this.insert({ username, displayName, role: a.role, departments, hash: await hashPassword(a.password), at: this.clock.now() });
    if (!added) throw taken();
    return added;
  }

  async resetPassword(username: string, password: string): Promise<boolean> {
    checkPassword(password);
    return this.writePassword(username.trim().toLowerCase(), await hashPassword(password), this.clock.now());
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    const found = await this.secret(username.trim().toLowerCase());
    if (!found) {
      AccountStoreBase.dummyHash ??= hashPassword('not-a-password-of-anyone');
      await verifyPassword(password, await AccountStoreBase.dummyHash);
      return { ok: false, reason: 'bad_credentials' };
    }
    const { account } = found;
    const locked = async (): Promise<SignInResult> => {
      const until = (await this.get(account.id))?.lockedUntil;
      return { ok: false, reason: 'locked', ...(until ? { lockedUntil: until } : {}) };
    };
    const now = this.clock.now();
    if (account.lockedUntil && account.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: account.lockedUntil };
    if (!(await verifyPassword(password, found.hash))) {
      const counted = await this.countFailure(account.id, now, new Date(now.getTime() + LOCKOUT.minutes * 60_000));
      if (!counted) return locked(); // another sign-in locked it meanwhile
      return counted.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: counted.lockedUntil } : { ok: false, reason: 'bad_credentials' };
    }
    if (account.disabled) return { ok: false, reason: 'disabled' };
    if (!(await this.clearFailures(account.id, now))) return locked();
    const { lockedUntil: _, ...unlocked } = account;
    return { ok: true, account: unlocked };
  }
}

/** Schema of this module (applied by bot/store/sqlite/migrate.ts). */
export const consoleAccountMigrations: Migration[] = [
  {
    version: 1,
    up: `
  CREATE TABLE console_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent','department','supervisor','admin')),
    departments TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
  );`,
  },
];

/**
 * The failure count after one more failure, and the lock it sets: shared by both databases' UPDATE
 * (`:max` the threshold, `:lock` the lock's end). A lock still in the row has ended (the WHERE keeps
 * locked rows out), so the count restarts.
 */
export const FAILURE_COUNT_SQL = (max: string, lock: string): { failed: string; locked: string } => {
  const next = '((CASE WHEN locked_until IS NULL THEN failed_count ELSE 0 END) + 1)';
  return { failed: `CASE WHEN ${next} >= ${max} THEN 0 ELSE ${next} END`, locked: `CASE WHEN ${next} >= ${max} THEN ${lock} ELSE NULL END` };
};

interface Row {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  departments: string;
  password_hash: string;
  disabled: number;
  locked_until: number | null;
  created_at: number;
}

const toAccount = (r: Row): Account => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  departments: JSON.parse(r.departments) as string[],
  disabled: r.disabled === 1,
  createdAt: new Date(r.created_at),
  ...(r.locked_until ? { lockedUntil: new Date(r.locked_until) } : {}),
});

const SQLITE_FAILURE = FAILURE_COUNT_SQL('@max', '@lock');

/** Accounts on SQLite (table `console_accounts`). */
export class SqliteAccountStore extends AccountStoreBase {
  constructor(
    private readonly sql: SqliteDatabase,
    clock: Clock,
    knownDepartments?: ReadonlySet<string>,
  ) {
    super(clock, knownDepartments);
  }

  private row(where: 'id' | 'username', value: number | string): Row | undefined {
    return prepared(this.sql.db, `SELECT * FROM console_accounts WHERE ${where} = ?`).get(value) as Row | undefined;
  }

  async get(id: number): Promise<Account | undefined> {
    const r = this.row('id', id);
    return r && toAccount(r);
  }

  async byUsername(username: string): Promise<Account | undefined> {
    const r = this.row('username', username.trim().toLowerCase());
    return r && toAccount(r);
  }

  async list(): Promise<Account[]> {
    return (prepared(this.sql.db, 'SELECT * FROM console_accounts ORDER BY username').all() as Row[]).map(toAccount);
  }

  async count(): Promise<number> {
    return prepared(this.sql.db, 'SELECT COUNT(*) FROM console_accounts').pluck().get() as number;
  }

  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    return (
      prepared(this.sql.db, 'UPDATE console_accounts SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username.trim().toLowerCase()).changes === 1
    );
  }

  protected async insert(a: AccountInsert): Promise<Account | undefined> {
    const r = prepared(
      this.sql.db,
      `INSERT INTO console_accounts (username, display_name, role, departments, password_hash, created_at, password_changed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING *`,
    ).get(a.username, a.displayName, a.role, JSON.stringify(a.departments), a.hash, a.at.getTime(), a.at.getTime()) as Row | undefined;
    return r && toAccount(r);
  }

  protected async secret(username: string): Promise<{ account: Account; hash: string } | undefined> {
    const r = this.row('username', username);
    return r && { account: toAccount(r), hash: r.password_hash };
  }

  protected async writePassword(username: string, hash: string, at: Date): Promise<boolean> {
    return (
      prepared(
        this.sql.db,
        'UPDATE console_accounts SET password_hash = ?, failed_count = 0, locked_until = NULL, password_changed_at = ? WHERE username = ?',
      ).run(hash, at.getTime(), username).changes === 1
    );
  }

  protected async countFailure(id: number, now: Date, lockUntil: Date): Promise<{ lockedUntil?: Date } | undefined> {
    const r = prepared(
      this.sql.db,
      `UPDATE console_accounts SET failed_count = ${SQLITE_FAILURE.failed}, locked_until = ${SQLITE_FAILURE.locked}
      WHERE id = @id AND (locked_until IS NULL OR locked_until <= @now) RETURNING locked_until`,
    ).get({ id, now: now.getTime(), lock: lockUntil.getTime(), max: LOCKOUT.failures }) as { locked_until: number | null } | undefined;
    return r && (r.locked_until ? { lockedUntil: new Date(r.locked_until) } : {});
  }

  protected async clearFailures(id: number, now: Date): Promise<boolean> {
    return (
      prepared(
        this.sql.db,
        'UPDATE console_accounts SET failed_count = 0, locked_until = NULL WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)',
      ).run(id, now.getTime()).changes === 1
    );
  }
}
