/**
 * Limits on residents' status look-ups (reference + phone) across conversations, kept in the
 * database so that they hold across restarts, conversations and instances: failed look-ups are
 * counted per reference, per phone and per client address in fixed windows; reaching a limit locks
 * that subject until the window ends. Subjects are stored as keyed hashes, never in the clear.
 * `LookupLimiterBase` holds the rules over two primitives (read a window, count a failure with one
 * atomic upsert); SQLite here, PostgreSQL in bot/store/postgres/lookup-limiter.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Migration, prepared, type SqliteDatabase } from '../store/sqlite-database.js';
import type { FieldCipher } from './field-cipher.js';
import { limitKey } from './http-guard.js';

/** What a look-up is about; absent parts are not counted. */
export interface LookupSubjects {
  reference?: string;
  phone?: string;
  /** The client's network address (web chat: the HTTP peer, behind a loopback proxy the forwarded one). */
  client?: string;
}

/** Failures allowed per subject and window. */
export interface LookupLimitSettings {
  windowMs: number;
  perReference: number;
  perPhone: number;
  perClient: number;
}

/** Defaults: per hour, 5 wrong phones for one reference, 5 wrong references for one phone, 10 failures per address. */
export const DEFAULT_LOOKUP_LIMITS: LookupLimitSettings = { windowMs: 60 * 60 * 1000, perReference: 5, perPhone: 5, perClient: 10 };

/** The role the status handler uses (every implementation passes test/security/lookup-limiter-contract.ts). */
export interface LookupLimiter {
  /** The instant the lock ends when any subject is locked, else undefined. */
  lockedUntil(subjects: LookupSubjects, now: Date): Promise<Date | undefined>;
  /** Counts a failed look-up against every subject; resolves to the lock it reached, if any. */
  recordFailure(subjects: LookupSubjects, now: Date): Promise<Date | undefined>;
}

/** What is counted about. */
export type LookupScope = 'reference' | 'phone' | 'client';
/** A subject's window as stored. */
export interface LookupWindow {
  windowStart: Date;
  failures: number;
}

/** Schema of this module (applied by bot/store/sqlite/migrate.ts). */
export const lookupLimitMigrations: Migration[] = [
  {
    version: 1,
    up: `
  CREATE TABLE security_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE security_lookup_failures (
    scope TEXT NOT NULL, subject TEXT NOT NULL, window_start INTEGER NOT NULL, failures INTEGER NOT NULL,
    PRIMARY KEY (scope, subject));
  CREATE INDEX security_lookup_failures_window ON security_lookup_failures (window_start);`,
  },
];

/** Writes between two prunings of expired windows (per instance). */
const PRUNE_EVERY = 100;

/** The rules of LookupLimiter over storage primitives (one subclass per database). */
export abstract class LookupLimiterBase implements LookupLimiter {
  private hasher: Promise<(scope: LookupScope, value: string) => string> | undefined;
  private writes = 0;

  constructor(
    private readonly cipher: FieldCipher | undefined,
    readonly limits: LookupLimitSettings = DEFAULT_LOOKUP_LIMITS,
  ) {}

  /** The installation's random salt (created by the first instance that asks). */
  protected abstract salt(): Promise<string>;
  /** The stored window of a subject. */
  protected abstract read(scope: LookupScope, subject: string): Promise<LookupWindow | undefined>;
  /**
   * Counts one failure for each subject atomically (an upsert): a window that started at or before
   * `expired` restarts at `now` with one failure. Returns each subject's window after counting, by scope.
   */
  protected abstract count(subjects: Array<[LookupScope, string]>, now: Date, expired: Date): Promise<Map<LookupScope, LookupWindow>>;
  /** Deletes the windows that started at or before `expired`. */
  protected abstract prune(expired: Date): Promise<void>;

  /** Salt of a new installation. */
  protected static newSalt(): string {
    return randomBytes(32).toString('hex');
  }

  private async subjects(s: LookupSubjects): Promise<Array<[LookupScope, string, number]>> {
    this.hasher ??= this.cipher
      ? Promise.resolve((scope: LookupScope, value: string) => this.cipher!.lookupHash(`lookup:${scope}`, value))
      : // Without a data key: a random per-installation salt (keeps hashes from matching other installations).
        this.salt().then((salt) => (scope: LookupScope, value: string) => createHash('sha256').update(`${salt}\0${scope}\0${value}`).digest('hex'));
    const hash = await this.hasher;
    const out: Array<[LookupScope, string, number]> = [];
    if (s.reference) out.push(['reference', hash('reference', s.reference.toUpperCase()), this.limits.perReference]);
    if (s.phone) out.push(['phone', hash('phone', s.phone.replace(/\D/g, '').slice(-8)), this.limits.perPhone]);
    if (s.client) out.push(['client', hash('client', limitKey(s.client)), this.limits.perClient]);
    return out;
  }

  private lockOf(w: LookupWindow | undefined, max: number, now: Date): number | undefined {
    const start = w?.windowStart.getTime();
    return w && start !== undefined && now.getTime() - start < this.limits.windowMs && w.failures >= max ? start + this.limits.windowMs : undefined;
  }

  async lockedUntil(s: LookupSubjects, now: Date): Promise<Date | undefined> {
    let until: number | undefined;
    for (const [scope, subject, max] of await this.subjects(s)) {
      const lock = this.lockOf(await this.read(scope, subject), max, now);
      if (lock !== undefined) until = Math.max(until ?? 0, lock);
    }
    return until === undefined ? undefined : new Date(until);
  }

  async recordFailure(s: LookupSubjects, now: Date): Promise<Date | undefined> {
    const subjects = await this.subjects(s);
    const expired = new Date(now.getTime() - this.limits.windowMs);
    const windows = await this.count(
      subjects.map(([scope, subject]) => [scope, subject]),
      now,
      expired,
    );
    // Expired windows are pruned now and then, so guessed references do not pile up.
    if (++this.writes % PRUNE_EVERY === 0) await this.prune(expired);
    let until: number | undefined;
    for (const [scope, , max] of subjects) {
      const lock = this.lockOf(windows.get(scope), max, now);
      if (lock !== undefined) until = Math.max(until ?? 0, lock);
    }
    return until === undefined ? undefined : new Date(until);
  }
}

/** The limiter on the SQLite database. */
export class SqlLookupLimiter extends LookupLimiterBase {
  constructor(
    private readonly sql: SqliteDatabase,
    cipher?: FieldCipher,
    limits: LookupLimitSettings = DEFAULT_LOOKUP_LIMITS,
  ) {
    super(cipher, limits);
  }

  protected async salt(): Promise<string> {
    return this.sql.tx(() => {
      const row = this.sql.db.prepare("SELECT value FROM security_settings WHERE name = 'lookup-salt'").pluck().get() as string | undefined;
      if (row) return row;
      const v = LookupLimiterBase.newSalt();
      this.sql.db.prepare("INSERT INTO security_settings (name, value) VALUES ('lookup-salt', ?)").run(v);
      return v;
    });
  }

  protected async read(scope: LookupScope, subject: string): Promise<LookupWindow | undefined> {
    const r = prepared(this.sql.db, 'SELECT window_start, failures FROM security_lookup_failures WHERE scope = ? AND subject = ?').get(scope, subject) as
      | { window_start: number; failures: number }
      | undefined;
    return r && { windowStart: new Date(r.window_start), failures: r.failures };
  }

  protected async count(subjects: Array<[LookupScope, string]>, now: Date, expired: Date): Promise<Map<LookupScope, LookupWindow>> {
    const upsert = prepared(
      this.sql.db,
      `INSERT INTO security_lookup_failures (scope, subject, window_start, failures) VALUES (?, ?, ?, 1)
      ON CONFLICT (scope, subject) DO UPDATE SET
        failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END,
        window_start = CASE WHEN window_start <= ? THEN excluded.window_start ELSE window_start END
      RETURNING window_start, failures`,
    );
    return this.sql.tx(() => {
      const out = new Map<LookupScope, LookupWindow>();
      for (const [scope, subject] of subjects) {
        const r = upsert.get(scope, subject, now.getTime(), expired.getTime(), expired.getTime()) as { window_start: number; failures: number };
        out.set(scope, { windowStart: new Date(r.window_start), failures: r.failures });
      }
      return out;
    });
  }

  protected async prune(expired: Date): Promise<void> {
    prepared(this.sql.db, 'DELETE FROM security_lookup_failures WHERE window_start <= ?').run(expired.getTime());
  }
}
