/**
 * Opens the PostgreSQL path: one pool from TAWASUL_DATABASE_URL, the core's migrations applied, then
 * the stores on that pool: requests, the SLA's stores (with the notifications), and the turn's stores
 * (inbound ledger, outbox, conversation state, conversations/transcript/audit) with their end-of-turn
 * transactions. The console and the channel adapters build theirs on the same pool. With `cipher`
 * (TAWASUL_DATA_KEY) requests' personal fields are sealed, and the SLA opens them to notify.
 */
import type pg from 'pg';
import type { Transactions, TurnTx } from '../../engine/turn-tx.js';
import type { SlaStore } from '../sla-store.js';
import { createPool, databaseUrl, type PoolOptions } from './database.js';
import { migratePostgres } from './migrate.js';
import { PostgresRequestStore, type PostgresRequestStoreOptions } from './request-store.js';
import { PostgresSlaStore } from './sla-store.js';
import { PostgresTransactions, postgresTurnStores } from './turn-transactions.js';

/** The stores on one PostgreSQL database. */
export interface PostgresStores {
  pool: pg.Pool;
  /** Requests (`encrypted` says whether personal fields are sealed; `lookups` the residents' look-up limits). */
  requests: PostgresRequestStore;
  /** The SLA's read model, schedule, holidays, figures and first responses. */
  sla: SlaStore;
  /** The turn's stores on the pool (reads, and writes outside a turn). */
  turn: TurnTx;
  /** The end-of-turn transactions (the engine's group commit, delivery's notices). */
  transactions: Transactions;
  /** Migrations this start applied. */
  applied: string[];
  close(): Promise<void>;
}

/** Options of `openPostgresStores`: the pool's, and the request store's (reference prefix, time zone, cipher, look-up limits). */
export interface PostgresStoresOptions extends PoolOptions, PostgresRequestStoreOptions {}

/** Connects, migrates and builds the stores; the pool is closed again when migrating fails or sealed data has no key. */
export async function openPostgresStores(url: string = databaseUrl(), options: PostgresStoresOptions = {}): Promise<PostgresStores> {
  const pool = createPool(url, options);
  let applied: string[];
  let requests: PostgresRequestStore;
  try {
    ({ applied } = await migratePostgres(pool));
    requests = await PostgresRequestStore.open(pool, options);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    pool,
    requests,
    sla: new PostgresSlaStore(pool, { cipher: options.cipher }),
    turn: postgresTurnStores(pool),
    transactions: new PostgresTransactions(pool),
    applied,
    close: () => pool.end(),
  };
}
