/**
 * Copies an embedded SQLite database into an empty PostgreSQL one (`tawasul import-sqlite`): every
 * SQLite table with a PostgreSQL counterpart of the same name, the columns both sides have, in one
 * PostgreSQL transaction. Values are converted by the PostgreSQL column's type (ms → timestamptz,
 * 0/1 → boolean, JSON text → jsonb, source keys → their UTF-8 bytes); ids are kept and the identity
 * sequences set past them. Requests' personal fields sealed on SQLite are copied as they are (the
 * PostgreSQL store opens them with the same key); with a key, plain ones (written before the key was
 * set) are sealed on the way. Tables and columns without a counterpart are reported, never dropped silently.
 */
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import { type FieldCipher, isSealed } from '../../security/field-cipher.js';
import { SEALED_COLUMNS } from '../request-row.js';
import type { SqliteDatabase } from '../sqlite-database.js';
import { withTransaction } from './database.js';

/** What an import copied and what it left behind. */
export interface ImportReport {
  /** Tables copied, in the order they were, with their row counts. */
  copied: Array<{ table: string; rows: number }>;
  /** SQLite tables without a PostgreSQL counterpart, with their row counts (not carried over). */
  notCarried: Array<{ table: string; rows: number }>;
  /** `table.column` of SQLite columns whose PostgreSQL table has no such column (not carried over). */
  columnsNotCarried: string[];
  /** Personal values sealed on SQLite, copied as they are. */
  sealedCopied: number;
  /** Personal values plain on SQLite and sealed with the key on the way. */
  sealedNow: number;
  /** Personal values written in clear (no key set). */
  clear: number;
}

/** Refused: the target holds data already, or sealed values were sealed with a key other than the one given. */
export class ImportRefusedError extends StoreError {
  override name = 'ImportRefusedError';
}

interface PgColumn {
  name: string;
  type: string;
  identity: boolean;
}

/** SQLite bookkeeping tables, never copied nor reported. */
const BOOKKEEPING = /^(sqlite_|kysely_migration)/;
/** Parameters per INSERT at most (PostgreSQL allows 65,535). */
const MAX_PARAMS = 30_000;
const SEALED = new Set<string>(SEALED_COLUMNS);

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The PostgreSQL value of a SQLite value for a column of type `type`. */
function convert(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'timestamp with time zone':
      return new Date(Number(v));
    case 'boolean':
      return Number(v) !== 0;
    case 'bytea':
      return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
    case 'text':
    case 'jsonb':
      return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    default:
      return v;
  }
}

async function pgTables(client: pg.PoolClient): Promise<Map<string, PgColumn[]>> {
  const r = await client.query<{ table_name: string; column_name: string; data_type: string; is_identity: string }>(
    `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, PgColumn[]>();
  for (const c of r.rows) {
    if (BOOKKEEPING.test(c.table_name)) continue;
    const cols = tables.get(c.table_name) ?? [];
    cols.push({ name: c.column_name, type: c.data_type, identity: c.is_identity === 'YES' });
    tables.set(c.table_name, cols);
  }
  return tables;
}

/** Refuses a target that holds requests or conversations already. */
async function assertEmpty(client: pg.PoolClient): Promise<void> {
  const r = await client.query<{ requests: string; conversations: string }>(
    'SELECT (SELECT COUNT(*) FROM requests) AS requests, (SELECT COUNT(*) FROM conversations) AS conversations',
  );
  const { requests, conversations } = r.rows[0] ?? { requests: '0', conversations: '0' };
  if (Number(requests) > 0 || Number(conversations) > 0) {
    throw new ImportRefusedError(
      `the PostgreSQL database holds ${requests} request(s) and ${conversations} conversation(s) already: import into an empty database`,
    );
  }
}

/**
 * Copies `sqlite` into the migrated PostgreSQL database on `pool`, in one transaction (nothing is
 * written when any step fails). With `cipher`, plain personal fields are sealed and sealed ones must be
 * of its keys (current or old); without, every value is copied as it is.
 */
export async function importSqlite(sqlite: SqliteDatabase, pool: pg.Pool, cipher?: FieldCipher): Promise<ImportReport> {
  const report: ImportReport = { copied: [], notCarried: [], columnsNotCarried: [], sealedCopied: 0, sealedNow: 0, clear: 0 };
  const db = sqlite.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").pluck().all() as string[]).filter(
    (t) => !BOOKKEEPING.test(t),
  );
  const hasSequence = Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get());
  const seqOf = (t: string): number => (hasSequence ? Number(db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(t) ?? 0) : 0);
  await withTransaction(pool, async (client) => {
    await assertEmpty(client);
    const target = await pgTables(client);
    for (const table of tables) {
      const pgCols = target.get(table);
      if (!pgCols) {
        report.notCarried.push({
          table,
          rows: Number(
            db
              .prepare(`SELECT COUNT(*) FROM ${quote(table)}`)
              .pluck()
              .get(),
          ),
        });
        continue;
      }
      const sqliteCols = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
      const byName = new Map(pgCols.map((c) => [c.name, c]));
      const cols = sqliteCols.filter((c) => byName.has(c)).map((c) => byName.get(c)!);
      for (const c of sqliteCols) if (!byName.has(c)) report.columnsNotCarried.push(`${table}.${c}`);
      report.copied.push({ table, rows: await copyTable(client, sqlite, table, cols, cipher, report) });
      for (const c of cols.filter((c) => c.identity)) {
        const max = Number(
          db
            .prepare(`SELECT COALESCE(MAX(${quote(c.name)}), 0) FROM ${quote(table)}`)
            .pluck()
            .get(),
        );
        const last = Math.max(max, seqOf(table));
        if (last > 0) await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3)', [quote(table), c.name, last]);
      }
    }
  });
  return report;
}

/** Copies the rows of one table (in INSERTs of at most MAX_PARAMS parameters); returns how many rows it holds. */
async function copyTable(
  client: pg.PoolClient,
  sqlite: SqliteDatabase,
  table: string,
  cols: PgColumn[],
  cipher: FieldCipher | undefined,
  report: ImportReport,
): Promise<number> {
  if (cols.length === 0)
    return Number(
      sqlite.db
        .prepare(`SELECT COUNT(*) FROM ${quote(table)}`)
        .pluck()
        .get(),
    );
  const perInsert = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
  const head = `INSERT INTO ${quote(table)} (${cols.map((c) => quote(c.name)).join(', ')})${cols.some((c) => c.identity) ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES `;
  const flush = async (rows: unknown[][]): Promise<void> => {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const tuples = rows.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
    try {
      await client.query(head + tuples.join(', '), params);
    } catch (err) {
      throw new StoreError(`copying ${table}: ${(err as Error).message}`, { cause: err });
    }
  };
  const value = (row: Record<string, unknown>, c: PgColumn): unknown => {
    let v = row[c.name];
    if (table === 'requests' && SEALED.has(c.name) && typeof v === 'string') {
      if (cipher && !cipher.canOpen(v)) {
        throw new ImportRefusedError(
          `requests.${c.name} is sealed with a key that is neither TAWASUL_DATA_KEY nor TAWASUL_DATA_KEY_OLD: set the key the data directory was written with`,
        );
      }
      if (isSealed(v)) report.sealedCopied++;
      else if (cipher) {
        v = cipher.seal(c.name, v);
        report.sealedNow++;
      } else report.clear++;
    }
    return convert(c.type, v);
  };
  // One pass over the table (the data directory is locked: nothing else uses this connection meanwhile), one INSERT per batch.
  const select = sqlite.db.prepare(`SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`);
  let batch: unknown[][] = [];
  let rows = 0;
  for (const row of select.iterate() as IterableIterator<Record<string, unknown>>) {
    rows++;
    batch.push(cols.map((c) => value(row, c)));
    if (batch.length < perInsert) continue;
    await flush(batch);
    batch = [];
  }
  await flush(batch);
  return rows;
}
