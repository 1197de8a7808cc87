/**
 * The schema of a data directory, in one place: the core's modules in the order they apply, then
 * each started channel adapter's (from its definition, never by name), applied once at start by
 * `migrateSchema` (`tawasul start`, `tawasul migrate`). A new module is one line here; a new version
 * is one entry in the module's own array.
 */

import { channelRegistry } from '../../channels/registry.js';
import type { ChannelDefinition } from '../../channels/types.js';
import type { TawasulConfig } from '../../config/schema.js';
import { consoleAccountMigrations } from '../console/accounts.js';
import { consoleSessionMigrations } from '../console/sessions.js';
import { consoleMigrations } from '../console/store.js';
import { ConfigError } from '../core/errors.js';
import { inboxMigrations } from '../delivery/inbox.js';
import { outboxMigrations } from '../delivery/outbox.js';
import { stateMigrations } from '../engine/state.js';
import { notifyMigrations } from '../notify/migrations.js';
import { jobFenceMigrations } from '../scale/job-fence.js';
import { lookupLimitMigrations } from '../security/lookup-limits.js';
import { slaMigrations } from '../sla/migrations.js';
import { conversationMigrations } from './conversation-store.js';
import { type MigrationReport, type ModuleMigrations, migrateSqlite } from './sqlite/migrate.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { requestMigrations, requestSourceMigrations } from './sqlite-request-store.js';

/** The core's modules, in the order they apply (a module may alter an earlier one's tables). */
export const coreMigrations: readonly ModuleMigrations[] = [
  { module: 'requests', migrations: requestMigrations },
  { module: 'security', migrations: lookupLimitMigrations },
  { module: 'requests-source', migrations: requestSourceMigrations },
  { module: 'conversations', migrations: conversationMigrations },
  { module: 'conversation-state', migrations: stateMigrations },
  { module: 'inbox', migrations: inboxMigrations },
  { module: 'outbox', migrations: outboxMigrations },
  { module: 'notify', migrations: notifyMigrations },
  { module: 'sla', migrations: slaMigrations },
  { module: 'console', migrations: consoleMigrations },
  { module: 'console_accounts', migrations: consoleAccountMigrations },
  { module: 'console_sessions', migrations: consoleSessionMigrations },
  { module: 'job-fences', migrations: jobFenceMigrations },
];

/** The definition of a configured channel's type (a ConfigError naming the field when unknown). */
export async function loadChannelDefinition(type: string, id: string): Promise<ChannelDefinition> {
  const load = (channelRegistry as Record<string, () => Promise<ChannelDefinition>>)[type];
  if (!load) throw new ConfigError(`config/channels.yaml: channels.${id}.type: unknown channel type "${type}"`, 'config/channels.yaml', `channels.${id}.type`);
  return load();
}

/** Ids of the channels a start runs: `only` when given, else every enabled channel. */
export function startedChannels(config: TawasulConfig, only?: readonly string[]): TawasulConfig['channels'] {
  return config.channels.filter((ch) => (only ? only.includes(ch.id) : ch.enabled));
}

/** The core's modules plus those of the started channels' adapters (each type once). */
export async function schemaModules(config: TawasulConfig, only?: readonly string[]): Promise<ModuleMigrations[]> {
  const modules = [...coreMigrations];
  const seen = new Set(modules.map((m) => m.module));
  for (const ch of startedChannels(config, only)) {
    for (const m of (await loadChannelDefinition(ch.type, ch.id)).migrations) {
      if (!seen.has(m.module)) modules.push(m);
      seen.add(m.module);
    }
  }
  return modules;
}

/** Brings a data directory's database to the current schema of the core and the started channels. */
export async function migrateSchema(sql: SqliteDatabase, config: TawasulConfig, only?: readonly string[]): Promise<MigrationReport> {
  return migrateSqlite(sql, await schemaModules(config, only));
}

/** Brings a database to the core's current schema (CLI commands that use no channel adapter). */
export async function migrateCore(sql: SqliteDatabase): Promise<MigrationReport> {
  return migrateSqlite(sql, coreMigrations);
}
