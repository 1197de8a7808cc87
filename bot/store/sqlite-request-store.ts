import { StoreError } from '../core/errors.js';
import { type FieldCipher, openField } from '../security/field-cipher.js';
import { SqlLookupLimiter } from '../security/lookup-limits.js';
import { randomReferenceCode } from '../security/reference.js';
import {
  missingKeyError,
  type RequestRow,
  type RequestStoreSecurity,
  type RowReader,
  requestEvent,
  requestFromRow,
  SEALED_ROW_SQL,
  sealedApplicant,
} from './request-row.js';
import { type Migration, prepared, type SqliteDatabase } from './sqlite-database.js';
import type { NewRequest, RequestAction, RequestEvent, RequestQuery, RequestRecord, RequestStatus, RequestStore } from './types.js';

/** Schema of the request store (module `requests`). */
export const requestMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE requests (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      reference TEXT NOT NULL UNIQUE,
      service_id TEXT NOT NULL,
      department TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('filed','in_progress','on_hold','closed','rejected')),
      applicant_name TEXT NOT NULL,
      civil_id TEXT NOT NULL,
      phone TEXT NOT NULL,
      email TEXT,
      address TEXT,
      latitude REAL,
      longitude REAL,
      location_label TEXT,
      party TEXT,
      description TEXT NOT NULL,
      preferred_date TEXT,
      attachments TEXT NOT NULL DEFAULT '[]',
      language TEXT NOT NULL,
      channel TEXT NOT NULL,
      conversation_key TEXT NOT NULL,
      assignee TEXT,
      filed_at INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      last_action_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX requests_status_due ON requests (status, due_at);
    CREATE INDEX requests_service ON requests (service_id, filed_at);
    CREATE INDEX requests_filed ON requests (filed_at);
    CREATE TABLE request_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      request_id INTEGER NOT NULL REFERENCES requests(id),
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      type TEXT NOT NULL,
      status TEXT,
      note TEXT
    );
    CREATE INDEX request_events_request ON request_events (request_id, id);`,
  },
  {
    // Listing by status newest first (the agent API) read every closed request of the year and sorted them.
    version: 2,
    up: 'CREATE INDEX requests_status_filed ON requests (status, filed_at);',
  },
];

/** The idempotency key of filing (its own module, so that it stacks on any version of `requests`). */
export const requestSourceMigrations: Migration[] = [
  {
    version: 1,
    up: `
    ALTER TABLE requests ADD COLUMN source_key TEXT;
    CREATE UNIQUE INDEX requests_source_key ON requests (source_key) WHERE source_key IS NOT NULL;`,
  },
];

type Row = RequestRow<number, number, string>;
interface EventRow {
  at: number;
  actor: string;
  type: RequestEvent['type'];
  status: RequestStatus | null;
  note: string | null;
}

/** Normalizes an Omani phone number to its 8 national digits for comparison. */
export function phoneKey(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length > 8 && digits.startsWith('968') ? digits.slice(-8) : digits.replace(/^00968/, '').slice(-8);
}

const ciphers = new WeakMap<SqliteDatabase, FieldCipher>();

/** The phone and e-mail of a request by row id, decrypted (notification recipients; synchronous). */
export function applicantContact(sql: SqliteDatabase, id: number): { phone?: string; email?: string } | undefined {
  const row = prepared(sql.db, 'SELECT phone, email FROM requests WHERE id = ?').get(id) as { phone: string; email: string | null } | undefined;
  if (!row) return undefined;
  const c = ciphers.get(sql);
  return { phone: openField(c, 'phone', row.phone), ...(row.email ? { email: openField(c, 'email', row.email) } : {}) };
}

/** The request store on SQLite. */
export class SqliteRequestStore implements RequestStore {
  private readonly yearFormat: Intl.DateTimeFormat;
  private readonly cipher: FieldCipher | undefined;
  /** Failed status look-ups per reference, phone and client address (SQL, across conversations). */
  readonly lookups: SqlLookupLimiter;

  constructor(
    private readonly sql: SqliteDatabase,
    private readonly referencePrefix = 'BUR',
    timeZone = 'Asia/Muscat',
    security: RequestStoreSecurity = {},
  ) {
    this.yearFormat = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' });
    this.cipher = security.cipher;
    if (this.cipher) ciphers.set(sql, this.cipher);
    else if (prepared(sql.db, SEALED_ROW_SQL).get()) throw missingKeyError();
    this.lookups = new SqlLookupLimiter(sql, this.cipher, security.lookupLimits);
  }

  /** True when personal fields are written encrypted. */
  get encrypted(): boolean {
    return this.cipher !== undefined;
  }

  /** A random reference (`BUR-2026-7K4Q-9M2X`), unused so far. */
  private nextReference(at: Date): string {
    const year = this.yearFormat.format(at);
    for (;;) {
      const reference = `${this.referencePrefix}-${year}-${randomReferenceCode()}`;
      if (!prepared(this.sql.db, 'SELECT 1 FROM requests WHERE reference = ?').get(reference)) return reference;
    }
  }

  async create(input: NewRequest): Promise<RequestRecord> {
    const id = this.sql.tx(() => {
      // A replayed turn (crash before its end) finds the request it filed instead of filing a second one.
      const filed =
        input.sourceKey === undefined
          ? undefined
          : (prepared(this.sql.db, 'SELECT id FROM requests WHERE source_key = ?').pluck().get(input.sourceKey) as number | undefined);
      if (filed !== undefined) return filed;
      const reference = this.nextReference(input.filedAt);
      const t = input.filedAt.getTime();
      const r = prepared(
        this.sql.db,
        `INSERT INTO requests (reference, service_id, department, status, applicant_name, civil_id, phone, email, address,
          latitude, longitude, location_label, party, description, preferred_date, attachments, language, channel, conversation_key,
          filed_at, due_at, last_action_at, updated_at, source_key)
          VALUES (?, ?, ?, 'filed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        reference,
        input.serviceId,
        input.department,
        ...sealedApplicant(this.cipher, input.applicant),
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
        t,
        input.dueAt.getTime(),
        t,
        t,
        input.sourceKey ?? null,
      );
      this.insertEvent(Number(r.lastInsertRowid), { at: input.filedAt, actor: `channel:${input.channel}`, type: 'status', status: 'filed' });
      return Number(r.lastInsertRowid);
    });
    return this.byId(id)!;
  }

  private insertEvent(requestId: number, e: RequestEvent): void {
    prepared(this.sql.db, 'INSERT INTO request_events (request_id, at, actor, type, status, note) VALUES (?, ?, ?, ?, ?, ?)').run(
      requestId,
      e.at.getTime(),
      e.actor,
      e.type,
      e.status ?? null,
      e.note ?? null,
    );
  }

  private byId(id: number): RequestRecord | undefined {
    const row = prepared(this.sql.db, 'SELECT * FROM requests WHERE id = ?').get(id) as Row | undefined;
    return row && this.toRecord(row);
  }

  private toRecord(row: Row): RequestRecord {
    const events = prepared(this.sql.db, 'SELECT at, actor, type, status, note FROM request_events WHERE request_id = ? ORDER BY id').all(row.id) as EventRow[];
    return requestFromRow(
      row,
      this.reader,
      events.map((e) => requestEvent(new Date(e.at), e.actor, e.type, e.status, e.note)),
    );
  }

  private readonly reader: RowReader<number, number, string> = {
    id: (v) => v,
    time: (v) => new Date(v),
    attachments: (v) => JSON.parse(v) as RequestRecord['attachments'],
    personal: (column, v) => openField(this.cipher, column, v),
  };

  async get(reference: string): Promise<RequestRecord | undefined> {
    const row = prepared(this.sql.db, 'SELECT * FROM requests WHERE reference = ?').get(reference.toUpperCase()) as Row | undefined;
    return row && this.toRecord(row);
  }

  async findForApplicant(reference: string, phone: string): Promise<RequestRecord | undefined> {
    const rec = await this.get(reference);
    if (!rec) return undefined;
    const a = phoneKey(rec.applicant.phone);
    return a.length === 8 && a === phoneKey(phone) ? rec : undefined;
  }

  async act(reference: string, action: RequestAction): Promise<RequestRecord> {
    const id = this.sql.tx(() => {
      const row = prepared(this.sql.db, 'SELECT id FROM requests WHERE reference = ?').get(reference.toUpperCase()) as { id: number } | undefined;
      if (!row) throw new StoreError(`unknown request ${reference}`);
      const t = action.at.getTime();
      if (action.status) {
        prepared(this.sql.db, 'UPDATE requests SET status = ? WHERE id = ?').run(action.status, row.id);
        this.insertEvent(row.id, { at: action.at, actor: action.actor, type: 'status', status: action.status, ...(action.note ? { note: action.note } : {}) });
      }
      if (action.assignee !== undefined) {
        prepared(this.sql.db, 'UPDATE requests SET assignee = ? WHERE id = ?').run(action.assignee, row.id);
        this.insertEvent(row.id, { at: action.at, actor: action.actor, type: 'assignment', note: action.assignee });
      }
      if (action.note && !action.status) this.insertEvent(row.id, { at: action.at, actor: action.actor, type: 'note', note: action.note });
      prepared(this.sql.db, 'UPDATE requests SET last_action_at = MAX(last_action_at, ?), updated_at = ? WHERE id = ?').run(t, t, row.id);
      return row.id;
    });
    return this.byId(id)!;
  }

  async setDue(reference: string, dueAt: Date, actor: string, note: string, at: Date = new Date()): Promise<RequestRecord> {
    const id = this.sql.tx(() => {
      const row = prepared(this.sql.db, 'SELECT id FROM requests WHERE reference = ?').get(reference.toUpperCase()) as { id: number } | undefined;
      if (!row) throw new StoreError(`unknown request ${reference}`);
      prepared(this.sql.db, 'UPDATE requests SET due_at = ? WHERE id = ?').run(dueAt.getTime(), row.id);
      this.insertEvent(row.id, { at, actor, type: 'due_recomputed', note });
      return row.id;
    });
    return this.byId(id)!;
  }

  private where(q: RequestQuery): { sql: string; args: unknown[] } {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (q.status?.length) {
      parts.push(`status IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    if (q.serviceId) {
      parts.push('service_id = ?');
      args.push(q.serviceId);
    }
    if (q.department) {
      parts.push('department = ?');
      args.push(q.department);
    }
    if (q.filedFrom) {
      parts.push('filed_at >= ?');
      args.push(q.filedFrom.getTime());
    }
    if (q.filedTo) {
      parts.push('filed_at < ?');
      args.push(q.filedTo.getTime());
    }
    if (q.dueBefore) {
      parts.push('due_at < ?');
      args.push(q.dueBefore.getTime());
    }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
  }

  async list(query: RequestQuery = {}): Promise<RequestRecord[]> {
    const w = this.where(query);
    const rows = prepared(this.sql.db, `SELECT * FROM requests ${w.sql} ORDER BY filed_at DESC, id DESC LIMIT ? OFFSET ?`).all(
      ...w.args,
      Math.min(query.limit ?? 100, 1000),
      query.offset ?? 0,
    ) as Row[];
    return rows.map((r) => this.toRecord(r));
  }

  async count(query: RequestQuery = {}): Promise<number> {
    const w = this.where(query);
    return prepared(this.sql.db, `SELECT COUNT(*) FROM requests ${w.sql}`)
      .pluck()
      .get(...w.args) as number;
  }
}
