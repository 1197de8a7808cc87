/**
 * The request store: where filed requests live, with their status history. SQL behind this
 * interface (SQLite by default); a PostgreSQL implementation must pass the same contract suite
 * (test/store/request-store-contract.ts).
 */
import type { Attachment, GeoPoint, Language } from '../core/types.js';
import type { LookupLimiter } from '../security/lookup-limits.js';

/** Lifecycle of a request. */
export const REQUEST_STATUSES = ['filed', 'in_progress', 'on_hold', 'closed', 'rejected'] as const;
/** One of REQUEST_STATUSES. */
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The applicant, as the SLA requires it; personal data, kept confidential. */
export interface Applicant {
  name: string;
  civilId: string;
  phone: string;
  email?: string;
  address?: string;
}

/** What the intake dialogue hands to the store. */
export interface NewRequest {
  serviceId: string;
  department: string;
  applicant: Applicant;
  description: string;
  location?: GeoPoint;
  party?: string;
  preferredDate?: string;
  attachments: Attachment[];
  language: Language;
  channel: string;
  conversationKey: string;
  filedAt: Date;
  dueAt: Date;
  /** Idempotency key (the inbound message's channel and id): filing again with it returns the first request. */
  sourceKey?: string;
}

/** One entry of the status history (also records notes and assignments: any action). */
export interface RequestEvent {
  at: Date;
  actor: string;
  type: 'status' | 'note' | 'assignment' | 'due_recomputed';
  status?: RequestStatus;
  note?: string;
}

/** A stored request. */
export interface RequestRecord extends NewRequest {
  id: number;
  reference: string;
  status: RequestStatus;
  assignee?: string;
  lastActionAt: Date;
  updatedAt: Date;
  history: RequestEvent[];
}

/** Filters for listing requests (agent console, reports). */
export interface RequestQuery {
  status?: RequestStatus[];
  serviceId?: string;
  department?: string;
  filedFrom?: Date;
  filedTo?: Date;
  dueBefore?: Date;
  limit?: number;
  offset?: number;
}

/** An action by staff on a request; any action stops its escalation clock. */
export interface RequestAction {
  actor: string;
  at: Date;
  status?: RequestStatus;
  note?: string;
  assignee?: string;
}

/** The request store's role. */
export interface RequestStore {
  /** Files a request atomically: reference, record and first history entry, or nothing; once per `sourceKey`. */
  create(input: NewRequest): Promise<RequestRecord>;
  /** A request by its reference. */
  get(reference: string): Promise<RequestRecord | undefined>;
  /** A request by reference only when `phone` matches the applicant's (residents' status look-up). */
  findForApplicant(reference: string, phone: string): Promise<RequestRecord | undefined>;
  /** Records a staff action (status change, note, assignment); throws on an unknown reference. */
  act(reference: string, action: RequestAction): Promise<RequestRecord>;
  /** Sets a new due date (holiday moved) and records why. */
  setDue(reference: string, dueAt: Date, actor: string, note: string, at?: Date): Promise<RequestRecord>;
  /** Lists requests, newest first. */
  list(query?: RequestQuery): Promise<RequestRecord[]>;
  /** Number of requests matching a query. */
  count(query?: RequestQuery): Promise<number>;
  /** Limits on residents' look-ups across conversations (when the store keeps them). */
  readonly lookups?: LookupLimiter;
}

/** Status values that end a request. */
export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['closed', 'rejected']);
