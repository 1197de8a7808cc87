/** The configuration overlay's shared copy on PostgreSQL (table `config_overlay`, migration 0009). */
import type pg from 'pg';
import type { OverlayCopy } from '../../config/shared-overlay.js';

/** One named overlay (default `local`, the data directory's config.local.yaml) in PostgreSQL. */
export class PostgresOverlayCopy implements OverlayCopy {
  constructor(
    private readonly pool: pg.Pool,
    private readonly name = 'local',
  ) {}

  async read(): Promise<string | undefined> {
    const r = await this.pool.query<{ content: string }>('SELECT content FROM config_overlay WHERE name = $1', [this.name]);
    return r.rows[0]?.content;
  }

  async write(content: string, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO config_overlay (name, content, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
      [this.name, content, at],
    );
  }
}
