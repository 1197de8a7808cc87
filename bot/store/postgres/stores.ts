/**
 * Opens the PostgreSQL path: one pool from TAWASUL_DATABASE_URL, the migrations applied once (here,
 * and nowhere else), then the stores on that pool: requests, the SLA's stores, and the turn's stores
 * (inbound ledger, outbox, conversation state, conversations/transcript/audit) with their end-of-turn
 * transactions. The channels' own stores are still SQLite (see docs/deploy.md).
 */
import type pg from 'pg';
import type { Transactions, TurnTx } from '../../engine/turn-tx.js';
import type { SlaStore } from '../sla-store.js';
import type { RequestStore } from '../types.js';
import { createPool, databaseUrl, type PoolOptions } from './database.js';
import { migratePostgres } from './migrate.js';
import { PostgresRequestStore } from './request-store.js';
import { PostgresSlaStore } from './sla-store.js';
import { PostgresTransactions, postgresTurnStores } from './turn-transactions.js';

/** The stores on one PostgreSQL database. */
export interface PostgresStores {
  pool: pg.Pool;
  requests: RequestStore;
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

/** Options of `openPostgresStores`. */
export interface PostgresStoresOptions extends PoolOptions {
  /** Reference prefix (default BUR). */
  referencePrefix?: string;
  /** Time zone of the reference year (default Asia/Muscat). */
  timeZone?: string;
}

/** Connects, migrates and builds the stores; the pool is closed again when migrating fails. */
export async function openPostgresStores(url: string = databaseUrl(), options: PostgresStoresOptions = {}): Promise<PostgresStores> {
  const pool = createPool(url, options);
  let applied: string[];
  try {
    ({ applied } = await migratePostgres(pool));
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    pool,
    requests: new PostgresRequestStore(pool, options.referencePrefix, options.timeZone),
    sla: new PostgresSlaStore(pool),
    turn: postgresTurnStores(pool),
    transactions: new PostgresTransactions(pool),
    applied,
    close: () => pool.end(),
  };
}
