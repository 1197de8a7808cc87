/** The console's read model on SQLite (bot/console/queries.ts). */
import { type ConsoleQueries, OPEN_STATUSES, type RequestFilter, requestWhere } from '../../console/queries.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';

/** The console's reads on one SQLite database. */
export class SqliteConsoleQueries implements ConsoleQueries {
  constructor(private readonly sql: SqliteDatabase) {}

  async lastSeq(key: string): Promise<number> {
    return prepared(this.sql.db, 'SELECT COALESCE(MAX(seq), 0) FROM transcript WHERE key = ?').pluck().get(key) as number;
  }

  async escalationLevel(requestId: number): Promise<number> {
    return (
      (prepared(this.sql.db, "SELECT COALESCE(MAX(level), 0) FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND fired_at IS NOT NULL")
        .pluck()
        .get(requestId) as number) ?? 0
    );
  }

  async requests(filter: RequestFilter, now: Date, page: { limit: number; offset: number }): Promise<{ total: number; references: string[] }> {
    const args: unknown[] = [];
    const clause = requestWhere(
      filter,
      now,
      (v) => {
        args.push(v);
        return '?';
      },
      (d) => d.getTime(),
    );
    const total = prepared(this.sql.db, `SELECT COUNT(*) FROM requests ${clause}`)
      .pluck()
      .get(...args) as number;
    const references = prepared(this.sql.db, `SELECT reference FROM requests ${clause} ORDER BY filed_at ASC, id ASC LIMIT ? OFFSET ?`)
      .pluck()
      .all(...args, page.limit, page.offset) as string[];
    return { total, references };
  }

  async conversationRequests(key: string, limit: number): Promise<Array<{ reference: string; phone: string }>> {
    return prepared(this.sql.db, 'SELECT reference, phone FROM requests WHERE conversation_key = ? ORDER BY id DESC LIMIT ?').all(key, limit) as Array<{
      reference: string;
      phone: string;
    }>;
  }

  async referencesByPhone(phoneKey: string, limit: number): Promise<string[]> {
    return prepared(this.sql.db, "SELECT reference FROM requests WHERE substr(replace(replace(phone, '+', ''), ' ', ''), -8) = ? ORDER BY id DESC LIMIT ?")
      .pluck()
      .all(phoneKey, limit) as string[];
  }

  async openRequests(now: Date): Promise<{ open: number; overdue: number }> {
    const count = (where: string, ...args: unknown[]): number =>
      prepared(this.sql.db, `SELECT COUNT(*) FROM requests WHERE status IN ${OPEN_STATUSES}${where}`)
        .pluck()
        .get(...args) as number;
    return { open: count(''), overdue: count(' AND due_at < ?', now.getTime()) };
  }
}
