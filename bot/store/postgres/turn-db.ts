/**
 * What the turn's PostgreSQL stores run on: the pool (each call on its own, several statements in
 * their own transaction), or the client of a turn's transaction (every call inside it, several
 * statements in the unit's savepoint already).
 */
import pg from 'pg';
import { withTransaction } from './database.js';

/** A pool, or one client inside a transaction. */
export type TurnDb = pg.Pool | pg.PoolClient;

/** Runs `fn` atomically on `db`: its own transaction on a pool, in place on a transaction's client. */
export function atomic<T>(db: TurnDb, fn: (q: pg.PoolClient) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? withTransaction(db, fn) : fn(db);
}

/** A source key (may hold NUL, which TEXT refuses) as stored: its UTF-8 bytes. */
export const keyBytes = (key: string): Buffer => Buffer.from(key, 'utf8');

/** A nullable timestamp read back as a Date. */
export const dateOrUndefined = (v: Date | null): Date | undefined => (v === null ? undefined : v);
