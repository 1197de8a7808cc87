/**
 * Limits on residents' status look-ups (reference + phone) across conversations, kept in SQL so
 * that they hold across restarts and across web chat conversations: failed look-ups are counted per
 * reference, per phone and per client address in fixed windows; reaching a limit locks that subject
 * until the window ends. Subjects are stored as keyed hashes, never in the clear.
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

/** The role the status handler uses. */
export interface LookupLimiter {
  /** The instant the lock ends when any subject is locked, else undefined. */
  lockedUntil(subjects: LookupSubjects, now: Date): Date | undefined;
  /** Counts a failed look-up against every subject. */
  recordFailure(subjects: LookupSubjects, now: Date): void;
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

type Scope = 'reference' | 'phone' | 'client';

/** The limiter on the SQLite database. */
export class SqlLookupLimiter implements LookupLimiter {
  private readonly hash: (scope: Scope, value: string) => string;
  private writes = 0;

  constructor(
    private readonly sql: SqliteDatabase,
    cipher?: FieldCipher,
    readonly limits: LookupLimitSettings = DEFAULT_LOOKUP_LIMITS,
  ) {
    if (cipher) {
      this.hash = (scope, value) => cipher.lookupHash(`lookup:${scope}`, value);
    } else {
      // Without a data key: a random per-installation salt (keeps hashes from matching other installations).
      const salt = sql.tx(() => {
        const row = sql.db.prepare("SELECT value FROM security_settings WHERE name = 'lookup-salt'").pluck().get() as string | undefined;
        if (row) return row;
        const v = randomBytes(32).toString('hex');
        sql.db.prepare("INSERT INTO security_settings (name, value) VALUES ('lookup-salt', ?)").run(v);
        return v;
      });
      this.hash = (scope, value) => createHash('sha256').update(`${salt}\0${scope}\0${value}`).digest('hex');
    }
  }

  private subjects(s: LookupSubjects): Array<[Scope, string, number]> {
    const out: Array<[Scope, string, number]> = [];
    if (s.reference) out.push(['reference', this.hash('reference', s.reference.toUpperCase()), this.limits.perReference]);
    if (s.phone) out.push(['phone', this.hash('phone', s.phone.replace(/\D/g, '').slice(-8)), this.limits.perPhone]);
    if (s.client) out.push(['client', this.hash('client', limitKey(s.client)), this.limits.perClient]);
    return out;
  }

  lockedUntil(s: LookupSubjects, now: Date): Date | undefined {
    const t = now.getTime();
    let until: number | undefined;
    for (const [scope, subject, max] of this.subjects(s)) {
      const row = prepared(this.sql.db, 'SELECT window_start, failures FROM security_lookup_failures WHERE scope = ? AND subject = ?').get(scope, subject) as
        | { window_start: number; failures: number }
        | undefined;
      if (row && t - row.window_start < this.limits.windowMs && row.failures >= max) {
        until = Math.max(until ?? 0, row.window_start + this.limits.windowMs);
      }
    }
    return until === undefined ? undefined : new Date(until);
  }

  recordFailure(s: LookupSubjects, now: Date): void {
    const t = now.getTime();
    const start = t - this.limits.windowMs;
    const upsert = prepared(
      this.sql.db,
      `INSERT INTO security_lookup_failures (scope, subject, window_start, failures) VALUES (?, ?, ?, 1)
      ON CONFLICT (scope, subject) DO UPDATE SET
        failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END,
        window_start = CASE WHEN window_start <= ? THEN excluded.window_start ELSE window_start END`,
    );
    this.sql.tx(() => {
      for (const [scope, subject] of this.subjects(s)) upsert.run(scope, subject, t, start, start);
      // Expired windows are pruned now and then, so guessed references do not pile up.
      if (++this.writes % 100 === 0) prepared(this.sql.db, 'DELETE FROM security_lookup_failures WHERE window_start <= ?').run(start);
    });
  }
}
