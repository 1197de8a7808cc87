/**
 * Console accounts: call-centre agents, department heads (scoped to departments), supervisors and
 * admins, stored in SQLite with scrypt password hashes (node:crypto), with a lockout after repeated
 * failed sign-ins. Time comes from the injected Clock.
 */
import { randomBytes, type ScryptOptions, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { InputError } from '../core/errors.js';
import type { Clock } from '../engine/context.js';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';

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
/** Shortest password accepted. */
export const MIN_PASSWORD = 10;

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

interface Row {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  departments: string;
  password_hash: string;
  disabled: number;
  failed_count: number;
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

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const scrypt = (password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key))));

/** Hashes a password: `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 128 * SCRYPT.N * SCRYPT.r * 2 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches the stored hash (constant-time comparison). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n),
    R = Number(r),
    P = Number(p);
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: 128 * N * R * 2 });
  return timingSafeEqual(got, expected);
}

// Compared against when the username is unknown, so that both answers take the same time.
let dummyHash: Promise<string> | undefined;

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

/** Accounts on SQLite (table `console_accounts`). */
export class AccountStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly clock: Clock,
    private readonly knownDepartments?: ReadonlySet<string>,
  ) {}

  /** Validates and stores a new account; throws InputError naming the field. */
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
    if (this.byUsername(username)) throw new InputError(`username: "${username}" already exists`, 409, 'username_taken');
    const now = this.clock.now().getTime();
    const hash = await hashPassword(a.password);
    const r = prepared(
      this.sql.db,
      `INSERT INTO console_accounts (username, display_name, role, departments, password_hash, created_at, password_changed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(username, (a.displayName ?? username).trim().slice(0, 100) || username, a.role, JSON.stringify(departments), hash, now, now);
    return this.get(Number(r.lastInsertRowid))!;
  }

  /** An account by id. */
  get(id: number): Account | undefined {
    const r = prepared(this.sql.db, 'SELECT * FROM console_accounts WHERE id = ?').get(id) as Row | undefined;
    return r && toAccount(r);
  }

  /** An account by username. */
  byUsername(username: string): Account | undefined {
    const r = prepared(this.sql.db, 'SELECT * FROM console_accounts WHERE username = ?').get(username.trim().toLowerCase()) as Row | undefined;
    return r && toAccount(r);
  }

  /** Every account, by username. */
  list(): Account[] {
    return (prepared(this.sql.db, 'SELECT * FROM console_accounts ORDER BY username').all() as Row[]).map(toAccount);
  }

  /** Number of accounts (a fresh install has none). */
  count(): number {
    return prepared(this.sql.db, 'SELECT COUNT(*) FROM console_accounts').pluck().get() as number;
  }

  /** Disables (or re-enables) an account; false when unknown. */
  setDisabled(username: string, disabled: boolean): boolean {
    return (
      prepared(this.sql.db, 'UPDATE console_accounts SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username.trim().toLowerCase()).changes === 1
    );
  }

  /** Sets a new password and lifts a lockout; false when unknown. */
  async resetPassword(username: string, password: string): Promise<boolean> {
    checkPassword(password);
    const hash = await hashPassword(password);
    return (
      prepared(
        this.sql.db,
        'UPDATE console_accounts SET password_hash = ?, failed_count = 0, locked_until = NULL, password_changed_at = ? WHERE username = ?',
      ).run(hash, this.clock.now().getTime(), username.trim().toLowerCase()).changes === 1
    );
  }

  /** Checks a password; counts failures and locks the account after LOCKOUT.failures in a row. */
  async signIn(username: string, password: string): Promise<SignInResult> {
    const row = prepared(this.sql.db, 'SELECT * FROM console_accounts WHERE username = ?').get(username.trim().toLowerCase()) as Row | undefined;
    if (!row) {
      dummyHash ??= hashPassword('not-a-password-of-anyone');
      await verifyPassword(password, await dummyHash);
      return { ok: false, reason: 'bad_credentials' };
    }
    const now = this.clock.now().getTime();
    if (row.locked_until && row.locked_until > now) return { ok: false, reason: 'locked', lockedUntil: new Date(row.locked_until) };
    const good = await verifyPassword(password, row.password_hash);
    if (!good) {
      const failures = (row.locked_until && row.locked_until <= now ? 0 : row.failed_count) + 1;
      const lock = failures >= LOCKOUT.failures ? now + LOCKOUT.minutes * 60_000 : null;
      prepared(this.sql.db, 'UPDATE console_accounts SET failed_count = ?, locked_until = ? WHERE id = ?').run(lock ? 0 : failures, lock, row.id);
      return lock ? { ok: false, reason: 'locked', lockedUntil: new Date(lock) } : { ok: false, reason: 'bad_credentials' };
    }
    if (row.disabled) return { ok: false, reason: 'disabled' };
    prepared(this.sql.db, 'UPDATE console_accounts SET failed_count = 0, locked_until = NULL WHERE id = ?').run(row.id);
    return { ok: true, account: toAccount({ ...row, failed_count: 0, locked_until: null }) };
  }
}

function checkPassword(p: string): void {
  if (typeof p !== 'string' || [...p].length < MIN_PASSWORD || p.length > 200)
    throw new InputError(`password: at least ${MIN_PASSWORD} characters`, 400, 'weak_password');
}
