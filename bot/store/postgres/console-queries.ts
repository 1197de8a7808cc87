/** The console's read model on PostgreSQL (bot/console/queries.ts): the same questions of the shared tables. */
import type pg from 'pg';
import { type ConsoleQueries, OPEN_STATUSES, type RequestFilter, requestWhere } from '../../console/queries.js';

/** The console's reads on a PostgreSQL pool. */
export class PostgresConsoleQueries implements ConsoleQueries {
  constructor(private readonly pool: pg.Pool) {}

  private async number(text: string, values: unknown[]): Promise<number> {
    return Number((await this.pool.query<{ n: string | number | null }>(text, values)).rows[0]?.n ?? 0);
  }

  async lastSeq(key: string): Promise<number> {
    return this.number('SELECT COALESCE(MAX(seq), 0) AS n FROM transcript WHERE key = $1', [key]);
  }

  async escalationLevel(requestId: number): Promise<number> {
    return this.number("SELECT COALESCE(MAX(level), 0) AS n FROM sla_timers WHERE request_id = $1 AND kind = 'escalation' AND fired_at IS NOT NULL", [
      requestId,
    ]);
  }

  async requests(filter: RequestFilter, now: Date, page: { limit: number; offset: number }): Promise<{ total: number; references: string[] }> {
    const args: unknown[] = [];
    const clause = requestWhere(
      filter,
      now,
      (v) => {
        args.push(v);
        return `$${args.length}`;
      },
      (d) => d,
    );
    const total = await this.number(`SELECT COUNT(*) AS n FROM requests ${clause}`, args);
    const refs = await this.pool.query<{ reference: string }>(
      `SELECT reference FROM requests ${clause} ORDER BY filed_at ASC, id ASC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
      [...args, page.limit, page.offset],
    );
    return { total, references: refs.rows.map((r) => r.reference) };
  }

  async conversationRequests(key: string, limit: number): Promise<Array<{ reference: string; phone: string }>> {
    return (
      await this.pool.query<{ reference: string; phone: string }>(
        'SELECT reference, phone FROM requests WHERE conversation_key = $1 ORDER BY id DESC LIMIT $2',
        [key, limit],
      )
    ).rows;
  }

  async referencesByPhone(phoneKey: string, limit: number): Promise<string[]> {
    const r = await this.pool.query<{ reference: string }>(
      "SELECT reference FROM requests WHERE right(replace(replace(phone, '+', ''), ' ', ''), 8) = $1 ORDER BY id DESC LIMIT $2",
      [phoneKey, limit],
    );
    return r.rows.map((x) => x.reference);
  }

  async openRequests(now: Date): Promise<{ open: number; overdue: number }> {
    const r = await this.pool.query<{ open: number; overdue: number }>(
      `SELECT COUNT(*)::int AS open, (COUNT(*) FILTER (WHERE due_at < $1))::int AS overdue FROM requests WHERE status IN ${OPEN_STATUSES}`,
      [now],
    );
    return r.rows[0]!;
  }
}
