/**
 * One `requests` row → `RequestRecord` mapping for both SQL stores (SQLite and PostgreSQL); each
 * driver says how its ids, times, attachments and (encrypted) personal fields read.
 */
import { ConfigError } from '../core/errors.js';
import type { Attachment } from '../core/types.js';
import { type FieldCipher, sealField } from '../security/field-cipher.js';
import type { LookupLimitSettings } from '../security/lookup-limits.js';
import type { NewRequest, RequestEvent, RequestRecord, RequestStatus } from './types.js';

/** Personal columns sealed when a data key is set (bot/security/field-cipher.ts), on either database. */
export const SEALED_COLUMNS = ['applicant_name', 'civil_id', 'phone', 'email'] as const;

/** Security settings of a request store: the field cipher (TAWASUL_DATA_KEY) and the look-up limits. */
export interface RequestStoreSecurity {
  cipher?: FieldCipher;
  lookupLimits?: LookupLimitSettings;
}

/** A query that finds a row when the store holds sealed personal data (same SQL on SQLite and PostgreSQL). */
export const SEALED_ROW_SQL = "SELECT 1 FROM requests WHERE civil_id LIKE 'enc1:%' LIMIT 1";

/** The refusal of a store opened without the key while it holds sealed data. */
export function missingKeyError(): ConfigError {
  return new ConfigError(
    'environment: TAWASUL_DATA_KEY: the request store holds encrypted personal data; set the key it was written with',
    'environment',
    'TAWASUL_DATA_KEY',
  );
}

/** The applicant's personal columns as stored (sealed when `cipher` is set), in SEALED_COLUMNS order. */
export function sealedApplicant(cipher: FieldCipher | undefined, a: NewRequest['applicant']): [string, string, string, string | null] {
  return [
    sealField(cipher, 'applicant_name', a.name),
    sealField(cipher, 'civil_id', a.civilId),
    sealField(cipher, 'phone', a.phone),
    sealField(cipher, 'email', a.email ?? null),
  ];
}

/** A `requests` row; `Id`, `Time` and `Files` are whatever the driver returns for those columns. */
export interface RequestRow<Id, Time, Files> {
  id: Id;
  reference: string;
  service_id: string;
  department: string;
  status: RequestStatus;
  applicant_name: string;
  civil_id: string;
  phone: string;
  email: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  location_label: string | null;
  party: string | null;
  description: string;
  preferred_date: string | null;
  attachments: Files;
  language: 'ar' | 'en';
  channel: string;
  conversation_key: string;
  assignee: string | null;
  filed_at: Time;
  due_at: Time;
  last_action_at: Time;
  updated_at: Time;
}

/** Columns that may hold personal data sealed at rest. */
export type PersonalColumn = (typeof SEALED_COLUMNS)[number];

/** How one driver's values read. */
export interface RowReader<Id, Time, Files> {
  id(v: Id): number;
  time(v: Time): Date;
  attachments(v: Files): Attachment[];
  /** Opens a personal field (decrypts it); identity when nothing is sealed. */
  personal?(column: PersonalColumn, v: string): string;
}

/** The record of a row, with its history. */
export function requestFromRow<Id, Time, Files>(row: RequestRow<Id, Time, Files>, read: RowReader<Id, Time, Files>, history: RequestEvent[]): RequestRecord {
  const open = read.personal ?? ((_c: PersonalColumn, v: string) => v);
  return {
    id: read.id(row.id),
    reference: row.reference,
    serviceId: row.service_id,
    department: row.department,
    status: row.status,
    applicant: {
      name: open('applicant_name', row.applicant_name),
      civilId: open('civil_id', row.civil_id),
      phone: open('phone', row.phone),
      ...(row.email ? { email: open('email', row.email) } : {}),
      ...(row.address ? { address: row.address } : {}),
    },
    description: row.description,
    ...(row.latitude !== null && row.longitude !== null
      ? { location: { latitude: row.latitude, longitude: row.longitude, ...(row.location_label ? { label: row.location_label } : {}) } }
      : {}),
    ...(row.party ? { party: row.party } : {}),
    ...(row.preferred_date ? { preferredDate: row.preferred_date } : {}),
    ...(row.assignee ? { assignee: row.assignee } : {}),
    attachments: read.attachments(row.attachments),
    language: row.language,
    channel: row.channel,
    conversationKey: row.conversation_key,
    filedAt: read.time(row.filed_at),
    dueAt: read.time(row.due_at),
    lastActionAt: read.time(row.last_action_at),
    updatedAt: read.time(row.updated_at),
    history,
  };
}

/** One history entry from an event row's columns. */
export function requestEvent(at: Date, actor: string, type: RequestEvent['type'], status: RequestStatus | null, note: string | null): RequestEvent {
  return { at, actor, type, ...(status ? { status } : {}), ...(note ? { note } : {}) };
}
