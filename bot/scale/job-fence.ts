/**
 * Fencing for single-reader jobs (the X poller, the IMAP reader). A lease (lease.ts) keeps one
 * instance at a time on a job, but a holder that stalled past its TTL (a long GC pause, a frozen VM)
 * may still write after another instance took over. So each start under a lease takes the job's next
 * epoch from the database (`job_fences`), and every cursor the job writes is written only while its
 * epoch is still the newest: a stale holder's write changes nothing and tells it to stop. The epoch
 * lives in the same database as the cursors, so the check and the write are one statement (on
 * PostgreSQL the epoch row is read `FOR SHARE`, so a take-over and a stale write never interleave).
 */
import type pg from 'pg';
import { StoreError } from '../core/errors.js';
import type { Migration, SqliteDatabase } from '../store/sqlite-database.js';

/** The epoch one start of a job holds. */
export interface Fence {
  name: string;
  epoch: number;
}

/** Hands out a job's epochs. */
export interface JobFences {
  /** The job's next epoch: every write fenced with an older one is refused from now on. */
  next(name: string): Promise<Fence>;
}

/** A fenced write was refused: another instance has taken the job over since this one started it. */
export class FencedOutError extends StoreError {
  override name = 'FencedOutError';
  constructor(readonly job: string) {
    super(`job ${job} was taken over by another instance; this instance's write was refused`);
  }
}

/** Schema of the `job-fences` module (SQLite). */
export const jobFenceMigrations: Migration[] = [{ version: 1, up: 'CREATE TABLE job_fences (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL)' }];

/** The PostgreSQL table of the epochs (core migration '0011-job-fences'). */
export const JOB_FENCES_POSTGRES = 'CREATE TABLE job_fences (name TEXT PRIMARY KEY, epoch BIGINT NOT NULL)';

const NEXT = 'INSERT INTO job_fences (name, epoch) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET epoch = job_fences.epoch + 1 RETURNING epoch';

/** The condition of a fenced write on SQLite (three `?`, see `fenceParams`): true without a fence. */
export const SQLITE_FENCED = '(? IS NULL OR EXISTS (SELECT 1 FROM job_fences WHERE name = ? AND epoch = ?))';

/** The condition of a fenced write on PostgreSQL, its parameters at `$i` and `$i+1` (see `postgresFenceParams`). */
export function postgresFenced(i: number): string {
  return `($${i}::text IS NULL OR EXISTS (SELECT 1 FROM job_fences WHERE name = $${i} AND epoch = $${i + 1} FOR SHARE))`;
}

/** The parameters of `SQLITE_FENCED`. */
export function fenceParams(f: Fence | undefined): [string | null, string | null, number | null] {
  return [f?.name ?? null, f?.name ?? null, f?.epoch ?? null];
}

/** The parameters of `postgresFenced`. */
export function postgresFenceParams(f: Fence | undefined): [string | null, number | null] {
  return [f?.name ?? null, f?.epoch ?? null];
}

/** Throws FencedOutError when a fenced write changed no row. */
export function assertFenced(fence: Fence | undefined, changed: number): void {
  if (fence && changed === 0) throw new FencedOutError(fence.name);
}

/** Epochs on SQLite. */
export class SqliteJobFences implements JobFences {
  constructor(private readonly sql: SqliteDatabase) {}

  async next(name: string): Promise<Fence> {
    const row = this.sql.db.prepare(NEXT.replace('$1', '?')).get(name) as { epoch: number };
    return { name, epoch: row.epoch };
  }
}

/** Epochs on PostgreSQL (the increment waits for a fenced write holding the row `FOR SHARE`). */
export class PostgresJobFences implements JobFences {
  constructor(private readonly pool: pg.Pool) {}

  async next(name: string): Promise<Fence> {
    const r = await this.pool.query<{ epoch: string }>(NEXT, [name]);
    return { name, epoch: Number(r.rows[0]!.epoch) };
  }
}

/** The epochs of an instance, on its database (PostgreSQL when it runs on it). */
export function jobFences(ctx: { sql: SqliteDatabase; postgres?: pg.Pool }): JobFences {
  return ctx.postgres ? new PostgresJobFences(ctx.postgres) : new SqliteJobFences(ctx.sql);
}
