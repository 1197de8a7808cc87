/**
 * The request store on PostgreSQL: the same records, references, history and due dates as the
 * SQLite store. Filing draws a random reference (`randomReferenceCode`, the generator the SQLite
 * store uses) and inserts with `ON CONFLICT DO NOTHING`: when nothing was inserted, either the
 * turn's source key was filed already (by this instance or another, even one whose transaction was
 * still open: PostgreSQL waits for it) and that request is returned, or the reference was taken and
 * another is drawn. Staff actions lock the request row (`FOR UPDATE`) so two agents acting at once
 * both land in the history. The schema comes from `migratePostgres`. With a field cipher
 * (TAWASUL_DATA_KEY) the personal columns are sealed on write and opened on read, as on SQLite
 * (`SEALED_COLUMNS`, one row mapping in request-row.ts); `open` refuses a database holding sealed
 * rows when no key is set. The residents' look-up limits are `lookups` (PostgresLookupLimiter).
 */
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import { type FieldCipher, openField } from '../../security/field-cipher.js';
import { randomReferenceCode } from '../../security/reference.js';
import {
  missingKeyError,
  type RequestRow,
  type RequestStoreSecurity,
  type RowReader,
  requestEvent,
  requestFromRow,
  SEALED_ROW_SQL,
  sealedApplicant,
} from '../request-row.js';
import { phoneKey } from '../sqlite-request-store.js';
import type { NewRequest, RequestAction, RequestEvent, RequestQuery, RequestRecord, RequestStatus, RequestStore } from '../types.js';
import { type Queryable, withTransaction } from './database.js';
import { PostgresLookupLimiter } from './lookup-limiter.js';

type Row = RequestRow<string, Date, RequestRecord['attachments']>;
interface EventRow {
  request_id: string;
  at: Date;
  actor: string;
  type: RequestEvent['type'];
  status: RequestStatus | null;
  note: string | null;
}

/** Reference draws per filing before giving up (a collision is about one in 10^11 per draw). */
const REFERENCE_ATTEMPTS = 8;

/** Options of `PostgresRequestStore.open`. */
export interface PostgresRequestStoreOptions extends RequestStoreSecurity {
  /** Reference prefix (default BUR). */
  referencePrefix?: string;
  /** Time zone of the reference year (default Asia/Muscat). */
  timeZone?: string;
}

/** The request store on PostgreSQL (pool from `createPool`, schema from `migratePostgres`). */
export class PostgresRequestStore implements RequestStore {
  private readonly yearFormat: Intl.DateTimeFormat;
  private readonly cipher: FieldCipher | undefined;
  /** Failed status look-ups per reference, phone and client address (in PostgreSQL, across instances). */
  readonly lookups: PostgresLookupLimiter;
  /** How PostgreSQL's values read (BIGINT ids come back as strings; JSONB attachments already parsed; personal fields opened). */
  private readonly reader: RowReader<string, Date, RequestRecord['attachments']>;

  /** The store on a migrated database; `open` is the checked way in (it refuses sealed data without a key). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly referencePrefix = 'BUR',
    timeZone = 'Asia/Muscat',
    security: RequestStoreSecurity = {},
  ) {
    this.yearFormat = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' });
    this.cipher = security.cipher;
    this.lookups = new PostgresLookupLimiter(pool, this.cipher, security.lookupLimits);
    this.reader = { id: Number, time: (v) => v, attachments: (v) => v, personal: (column, v) => openField(this.cipher, column, v) };
  }

  /** The store, after checking that its data can be read: a ConfigError when sealed rows exist and no key is set. */
  static async open(pool: pg.Pool, options: PostgresRequestStoreOptions = {}): Promise<PostgresRequestStore> {
    if (!options.cipher && (await pool.query(SEALED_ROW_SQL)).rowCount) throw missingKeyError();
    return new PostgresRequestStore(pool, options.referencePrefix, options.timeZone, options);
  }

  /** True when personal fields are written encrypted. */
  get encrypted(): boolean {
    return this.cipher !== undefined;
  }

  /** A random reference (`BUR-2026-7K4Q-9M2X`) for a request filed at `at`; uniqueness is the insert's job. */
  private reference(at: Date): string {
    return `${this.referencePrefix}-${this.yearFormat.format(at)}-${randomReferenceCode()}`;
  }

  async create(input: NewRequest): Promise<RequestRecord> {
    const sourceKey = input.sourceKey === undefined ? null : Buffer.from(input.sourceKey, 'utf8');
    const personal = sealedApplicant(this.cipher, input.applicant);
    return withTransaction(this.pool, async (c) => {
      for (let attempt = 0; attempt < REFERENCE_ATTEMPTS; attempt++) {
        const r = await c.query<{ id: string }>(
          `INSERT INTO requests (reference, service_id, department, status, applicant_name, civil_id, phone, email, address,
            latitude, longitude, location_label, party, description, preferred_date, attachments, language, channel, conversation_key,
            filed_at, due_at, last_action_at, updated_at, source_key)
           VALUES ($1, $2, $3, 'filed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18, $19, $20, $19, $19, $21)
           ON CONFLICT DO NOTHING RETURNING id`,
          [
            this.reference(input.filedAt),
            input.serviceId,
            input.department,
            ...personal,
            input.applicant.address ?? null,
            input.location?.latitude ?? null,
            input.location?.longitude ?? null,
            input.location?.label ?? null,
            input.party ?? null,
            input.description,
            input.preferredDate ?? null,
            JSON.stringify(input.attachments),
            input.language,
            input.channel,
            input.conversationKey,
            input.filedAt,
            input.dueAt,
            sourceKey,
          ],
        );
        const id = r.rows[0]?.id;
        if (id !== undefined) {
          await this.insertEvent(c, id, { at: input.filedAt, actor: `channel:${input.channel}`, type: 'status', status: 'filed' });
          return (await this.byId(c, id))!;
        }
        // Nothing inserted: a replayed turn finds the request it filed; otherwise the reference was taken.
        if (sourceKey) {
          const filed = await c.query<{ id: string }>('SELECT id FROM requests WHERE source_key = $1', [sourceKey]);
          if (filed.rows[0]) return (await this.byId(c, filed.rows[0].id))!;
        }
      }
      throw new StoreError(`no free request reference after ${REFERENCE_ATTEMPTS} draws`);
    });
  }

  private async insertEvent(q: Queryable, requestId: string, e: RequestEvent): Promise<void> {
    await q.query('INSERT INTO request_events (request_id, at, actor, type, status, note) VALUES ($1, $2, $3, $4, $5, $6)', [
      requestId,
      e.at,
      e.actor,
      e.type,
      e.status ?? null,
      e.note ?? null,
    ]);
  }

  private async byId(q: Queryable, id: string): Promise<RequestRecord | undefined> {
    const r = await q.query<Row>('SELECT * FROM requests WHERE id = $1', [id]);
    return (await this.toRecords(q, r.rows))[0];
  }

  /** Records with their histories (one query for the histories of all rows). */
  private async toRecords(q: Queryable, rows: Row[]): Promise<RequestRecord[]> {
    if (rows.length === 0) return [];
    const ev = await q.query<EventRow>(
      'SELECT request_id, at, actor, type, status, note FROM request_events WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, id',
      [rows.map((r) => r.id)],
    );
    const history = new Map<string, RequestEvent[]>();
    for (const e of ev.rows) {
      const list = history.get(e.request_id) ?? [];
      list.push(requestEvent(e.at, e.actor, e.type, e.status, e.note));
      history.set(e.request_id, list);
    }
    return rows.map((row) => requestFromRow(row, this.reader, history.get(row.id) ?? []));
  }

  async get(reference: string): Promise<RequestRecord | undefined> {
    const r = await this.pool.query<Row>('SELECT * FROM requests WHERE reference = $1', [reference.toUpperCase()]);
    return (await this.toRecords(this.pool, r.rows))[0];
  }

  async findForApplicant(reference: string, phone: string): Promise<RequestRecord | undefined> {
    const rec = await this.get(reference);
    if (!rec) return undefined;
    const a = phoneKey(rec.applicant.phone);
    return a.length === 8 && a === phoneKey(phone) ? rec : undefined;
  }

  /** The id of `reference`, its row locked until the transaction ends; StoreError when unknown. */
  private async lock(c: pg.PoolClient, reference: string): Promise<string> {
    const r = await c.query<{ id: string }>('SELECT id FROM requests WHERE reference = $1 FOR UPDATE', [reference.toUpperCase()]);
    if (!r.rows[0]) throw new StoreError(`unknown request ${reference}`);
    return r.rows[0].id;
  }

  async act(reference: string, action: RequestAction): Promise<RequestRecord> {
    return withTransaction(this.pool, async (c) => {
      const id = await this.lock(c, reference);
      if (action.status) {
        await c.query('UPDATE requests SET status = $1 WHERE id = $2', [action.status, id]);
        await this.insertEvent(c, id, {
          at: action.at,
          actor: action.actor,
          type: 'status',
          status: action.status,
          ...(action.note ? { note: action.note } : {}),
        });
      }
      if (action.assignee !== undefined) {
        await c.query('UPDATE requests SET assignee = $1 WHERE id = $2', [action.assignee, id]);
        await this.insertEvent(c, id, { at: action.at, actor: action.actor, type: 'assignment', note: action.assignee });
      }
      if (action.note && !action.status) await this.insertEvent(c, id, { at: action.at, actor: action.actor, type: 'note', note: action.note });
      await c.query('UPDATE requests SET last_action_at = GREATEST(last_action_at, $1), updated_at = $1 WHERE id = $2', [action.at, id]);
      return (await this.byId(c, id))!;
    });
  }

  async setDue(reference: string, dueAt: Date, actor: string, note: string, at: Date = new Date()): Promise<RequestRecord> {
    return withTransaction(this.pool, async (c) => {
      const id = await this.lock(c, reference);
      await c.query('UPDATE requests SET due_at = $1 WHERE id = $2', [dueAt, id]);
      await this.insertEvent(c, id, { at, actor, type: 'due_recomputed', note });
      return (await this.byId(c, id))!;
    });
  }

  private where(q: RequestQuery): { sql: string; args: unknown[] } {
    const parts: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown): string => `$${args.push(v)}`;
    if (q.status?.length) parts.push(`status = ANY(${arg(q.status)}::text[])`);
    if (q.serviceId) parts.push(`service_id = ${arg(q.serviceId)}`);
    if (q.department) parts.push(`department = ${arg(q.department)}`);
    if (q.filedFrom) parts.push(`filed_at >= ${arg(q.filedFrom)}`);
    if (q.filedTo) parts.push(`filed_at < ${arg(q.filedTo)}`);
    if (q.dueBefore) parts.push(`due_at < ${arg(q.dueBefore)}`);
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
  }

  async list(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const w = this.where(query);
    const n = w.args.length;
    const r = await this.pool.query<Row>(`SELECT * FROM requests ${w.sql} ORDER BY filed_at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`, [
      ...w.args,
      Math.min(query.limit ?? 100, 1000),
      query.offset ?? 0,
    ]);
    return this.toRecords(this.pool, r.rows);
  }

  async count(query: RequestQuery = {}): Promise<number> {
    const w = this.where(query);
    const r = await this.pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM requests ${w.sql}`, w.args);
    return r.rows[0]!.n;
  }
}
