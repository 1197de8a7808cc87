/**
 * The residents' look-up limits on PostgreSQL (tables of console-migrations.ts '0006-lookup-limits'):
 * a failure is counted for all its subjects by one `INSERT … ON CONFLICT DO UPDATE … RETURNING`, so
 * instances counting at once never lose a failure and each sees the count its failure reached.
 * `lookupLimiterFor` picks the limiter of an instance the way the stores are picked (`postgres ? PG : SQLite`).
 */
import type pg from 'pg';
import type { FieldCipher } from '../../security/field-cipher.js';
import { DEFAULT_LOOKUP_LIMITS, LookupLimiterBase, type LookupLimitSettings, type LookupScope, type LookupWindow } from '../../security/lookup-limits.js';

/** The limiter on a PostgreSQL pool. */
export class PostgresLookupLimiter extends LookupLimiterBase {
  constructor(
    private readonly pool: pg.Pool,
    cipher?: FieldCipher,
    limits: LookupLimitSettings = DEFAULT_LOOKUP_LIMITS,
  ) {
    super(cipher, limits);
  }

  protected async salt(): Promise<string> {
    // Two statements: the SELECT's snapshot sees the row a concurrent first instance committed.
    await this.pool.query("INSERT INTO security_settings (name, value) VALUES ('lookup-salt', $1) ON CONFLICT (name) DO NOTHING", [
      LookupLimiterBase.newSalt(),
    ]);
    return (await this.pool.query<{ value: string }>("SELECT value FROM security_settings WHERE name = 'lookup-salt'")).rows[0]!.value;
  }

  protected async read(scope: LookupScope, subject: string): Promise<LookupWindow | undefined> {
    const r = await this.pool.query<{ window_start: Date; failures: number }>(
      'SELECT window_start, failures FROM security_lookup_failures WHERE scope = $1 AND subject = $2',
      [scope, subject],
    );
    const row = r.rows[0];
    return row && { windowStart: row.window_start, failures: row.failures };
  }

  protected async count(subjects: Array<[LookupScope, string]>, now: Date, expired: Date): Promise<Map<LookupScope, LookupWindow>> {
    const out = new Map<LookupScope, LookupWindow>();
    if (subjects.length === 0) return out;
    const r = await this.pool.query<{ scope: LookupScope; window_start: Date; failures: number }>(
      `INSERT INTO security_lookup_failures AS f (scope, subject, window_start, failures)
       SELECT scope, subject, $3, 1 FROM unnest($1::text[], $2::text[]) AS s (scope, subject)
       ON CONFLICT (scope, subject) DO UPDATE SET
         failures = CASE WHEN f.window_start <= $4 THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start <= $4 THEN excluded.window_start ELSE f.window_start END
       RETURNING scope, window_start, failures`,
      [subjects.map((s) => s[0]), subjects.map((s) => s[1]), now, expired],
    );
    for (const row of r.rows) out.set(row.scope, { windowStart: row.window_start, failures: row.failures });
    return out;
  }

  protected async prune(expired: Date): Promise<void> {
    await this.pool.query('DELETE FROM security_lookup_failures WHERE window_start <= $1', [expired]);
  }
}
