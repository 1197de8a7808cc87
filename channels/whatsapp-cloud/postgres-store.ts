/** The WhatsApp Cloud adapter's service window on PostgreSQL: the schema it declares (module `whatsapp-cloud`) and the ServiceWindow on it. */
import type pg from 'pg';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import { type ServiceWindow, WINDOW_HOURS } from './store.js';

/** The PostgreSQL schema of the `whatsapp-cloud` module. */
export const whatsappCloudPostgresMigrations: PostgresModule[] = [
  sqlModule('whatsapp-cloud', {
    '0001-window': `
      CREATE TABLE whatsapp_window (
        channel TEXT NOT NULL,
        wa_id TEXT NOT NULL,
        last_inbound_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, wa_id)
      );
    `,
  }),
];

/** The window on PostgreSQL (table `whatsapp_window`): a message received by any instance opens it for every instance's sends. */
export class PostgresServiceWindow implements ServiceWindow {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly hours = WINDOW_HOURS,
  ) {}

  async touch(waId: string, at: Date): Promise<void> {
    // GREATEST in the upsert: two instances recording two messages at once keep the later time, whichever commits last.
    await this.pool.query(
      `INSERT INTO whatsapp_window (channel, wa_id, last_inbound_at) VALUES ($1, $2, $3)
       ON CONFLICT (channel, wa_id) DO UPDATE SET last_inbound_at = GREATEST(whatsapp_window.last_inbound_at, excluded.last_inbound_at)`,
      [this.channel, waId, at],
    );
  }

  async isOpen(waId: string, now: Date): Promise<boolean> {
    const r = await this.pool.query<{ t: Date }>('SELECT last_inbound_at AS t FROM whatsapp_window WHERE channel = $1 AND wa_id = $2', [this.channel, waId]);
    const t = r.rows[0]?.t;
    return t !== undefined && now.getTime() - t.getTime() < this.hours * 3_600_000;
  }

  async close(waId: string): Promise<void> {
    await this.pool.query("UPDATE whatsapp_window SET last_inbound_at = 'epoch' WHERE channel = $1 AND wa_id = $2", [this.channel, waId]);
  }
}
