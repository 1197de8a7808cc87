/** The X adapter's cursors on PostgreSQL: the schema it declares (module `x`) and the XCursors on it. */
import type pg from 'pg';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import type { XCursors, XStream } from './store.js';

/** The PostgreSQL schema of the `x` module. */
export const xPostgresMigrations: PostgresModule[] = [
  sqlModule('x', {
    '0001-cursors': `
      CREATE TABLE x_cursors (
        channel TEXT NOT NULL,
        stream TEXT NOT NULL CHECK (stream IN ('mentions','dms')),
        since_id TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, stream)
      );
    `,
  }),
];

/** The cursors on PostgreSQL (table `x_cursors`): every instance reads the same position. */
export class PostgresXCursors implements XCursors {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  private async row(stream: XStream): Promise<{ since_id: string; updated_at: Date } | undefined> {
    return (await this.pool.query('SELECT since_id, updated_at FROM x_cursors WHERE channel = $1 AND stream = $2', [this.channel, stream])).rows[0];
  }

  async cursor(stream: XStream): Promise<string | undefined> {
    return (await this.row(stream))?.since_id;
  }

  async cursorUpdatedAt(stream: XStream): Promise<number | undefined> {
    return (await this.row(stream))?.updated_at.getTime();
  }

  async advance(stream: XStream, id: string, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO x_cursors (channel, stream, since_id, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, stream) DO UPDATE SET since_id = excluded.since_id, updated_at = excluded.updated_at`,
      [this.channel, stream, id, now],
    );
  }
}
