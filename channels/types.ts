/**
 * The channel-adapter role. An adapter converts its provider's payloads into InboundMessages, hands
 * them to the engine, and delivers the engine's OutboundReplies back through the provider. Adapters
 * are listed in `channels/registry.ts`; the core never branches on a channel's name.
 */
import type { Router } from 'express';
import type pg from 'pg';
import type { z } from 'zod';
import type { Logger } from '../bot/core/logger.js';
import type { OutboundReply } from '../bot/core/types.js';
import type { ChannelDelivery } from '../bot/delivery/channel-delivery.js';
import type { Clock } from '../bot/engine/context.js';
import type { Engine } from '../bot/engine/engine.js';
import type { DirectRoute } from '../bot/http/server.js';
import type { Scale } from '../bot/scale/scale.js';
import type { PostgresModule } from '../bot/store/postgres/module-migrate.js';
import type { ModuleMigrations } from '../bot/store/sqlite/migrate.js';
import type { SqliteDatabase } from '../bot/store/sqlite-database.js';
import type { ChannelConfig, TawasulConfig } from '../config/schema.js';

/** What an adapter receives when it is created. */
export interface ChannelContext {
  /** This channel instance's configuration (hours, first-response target, id). */
  channel: ChannelConfig;
  config: TawasulConfig;
  engine: Engine;
  logger: Logger;
  clock: Clock;
  /** The SQLite database (cursors, outbox, inbox live here). */
  sql: SqliteDatabase;
  /** The PostgreSQL pool when TAWASUL_DATABASE_URL is set: an adapter keeps on it the state it declared a PostgreSQL schema for. */
  postgres?: pg.Pool;
  /** Delivery shared by every channel: an adapter opens its lane with `delivery.lane(ctx, spec)`. */
  delivery: ChannelDelivery;
  /** The data directory (sessions, attachments). */
  dataDir: string;
  /** Environment, for credentials (never read credentials from files in the repository). */
  env: NodeJS.ProcessEnv;
  /** Provider quotas and leases shared by instances (Redis), default in process (bot/scale/scale.ts). */
  scale?: Scale;
}

/** A running channel adapter. */
export interface ChannelAdapter {
  /** Channel instance id (from config). */
  readonly id: string;
  /** Mounts the adapter's HTTP routes (webhooks, web chat API) under `/channels/<id>` or its own paths. */
  routes?(router: Router): void;
  /** Hot routes (also mounted by `routes`) served ahead of the router stack, behind the same guards (bot/http/server.ts). */
  directRoutes?: readonly DirectRoute[];
  /** Starts polling, sockets or workers. */
  start?(): Promise<void>;
  /** Stops them, finishing in-flight work. */
  stop?(): Promise<void>;
  /** Delivers replies that did not answer an inbound message (agent messages, hand-back notes). */
  send(conversationId: string, replies: OutboundReply[]): Promise<void>;
}

/** How to build an adapter of one type: the schema of its `options` and a factory. */
export interface ChannelDefinition<S extends z.ZodType = z.ZodType> {
  /** Schema of the channel's `options` in config/channels.yaml. */
  options: S;
  create(ctx: ChannelContext, options: z.infer<S>): ChannelAdapter;
  /** The schema of the adapter's own tables, applied at start with the core's (bot/store/schema.ts). */
  migrations: readonly ModuleMigrations[];
  /** The same tables' PostgreSQL schema, applied when TAWASUL_DATABASE_URL is set (bot/store/postgres/channel-schema.ts). */
  postgres: readonly PostgresModule[];
}

/** Declares a channel definition with its options type inferred. */
export function defineChannel<S extends z.ZodType>(
  options: S,
  create: (ctx: ChannelContext, options: z.infer<S>) => ChannelAdapter,
  migrations: readonly ModuleMigrations[] = [],
  postgres: readonly PostgresModule[] = [],
): ChannelDefinition<S> {
  return { options, create, migrations, postgres };
}
