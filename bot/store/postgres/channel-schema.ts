/**
 * The started channels' PostgreSQL schema: each adapter declares its modules in its definition
 * (`defineChannel(options, create, sqlite, postgres)`), read here without knowing any channel by name,
 * and applied with `migratePostgresModules` after the core's migrations.
 */
import type pg from 'pg';
import type { TawasulConfig } from '../../../config/schema.js';
import { loadChannelDefinition, startedChannels } from '../schema.js';
import { migratePostgres } from './migrate.js';
import { migratePostgresModules, type PostgresModule } from './module-migrate.js';

/** The PostgreSQL modules of the started channels' adapters (each module once). */
export async function postgresChannelModules(config: TawasulConfig, only?: readonly string[]): Promise<PostgresModule[]> {
  const modules: PostgresModule[] = [];
  const seen = new Set<string>();
  for (const ch of startedChannels(config, only)) {
    for (const m of (await loadChannelDefinition(ch.type, ch.id)).postgres) {
      if (!seen.has(m.module)) modules.push(m);
      seen.add(m.module);
    }
  }
  return modules;
}

/** Applies the started channels' PostgreSQL modules; returns `module/name` of the migrations applied. */
export async function migrateChannelsPostgres(pool: pg.Pool, config: TawasulConfig, only?: readonly string[]): Promise<string[]> {
  return migratePostgresModules(pool, await postgresChannelModules(config, only));
}

/** The core's migrations, then the started channels' (as `migrateSchema` does on SQLite); returns the names applied. */
export async function migratePostgresSchema(pool: pg.Pool, config: TawasulConfig, only?: readonly string[]): Promise<string[]> {
  const core = await migratePostgres(pool);
  return [...core.applied, ...(await migrateChannelsPostgres(pool, config, only))];
}
