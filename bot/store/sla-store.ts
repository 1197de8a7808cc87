/**
 * The SLA side's view of the data, behind interfaces: the requests as the SLA reads them (a read
 * model, no personal data), its schedule and state, the holiday overrides, and the figures of reports
 * and metrics. Every method is synchronous so that the SLA engine can group them in one `tx` (a claim
 * and the notices it enqueues commit together); implementations: bot/store/sqlite/sla-*.ts.
 */
import type { Language } from '../core/types.js';
import type { RequestStatus } from './types.js';

/** What the SLA engine reads of a request (no personal data besides whether an e-mail exists). */
export interface RequestFacts {
  id: number;
  reference: string;
  serviceId: string;
  department: string;
  status: RequestStatus;
  language: Language;
  channel: string;
  filedAt: number;
  dueAt: number;
  lastActionAt: number;
  hasEmail: number;
}

/** One entry of the requests' event log, as the SLA follows it. */
export interface RequestEventFact {
  id: number;
  requestId: number;
  at: number;
  type: string;
  status: RequestStatus | null;
}

/** An open request whose due date a calendar change may move. */
export interface DueFact {
  id: number;
  reference: string;
  serviceId: string;
  filedAt: number;
  dueAt: number;
}

/** The requests as the SLA reads them. */
export interface SlaRequestReadModel {
  /** The facts of one request. */
  facts(requestId: number): RequestFacts | undefined;
  /** The facts of a request by its reference (any case). */
  factsByReference(reference: string): RequestFacts | undefined;
  /** Open requests with an id above `afterId`, in id order. */
  openFacts(afterId: number, limit: number): RequestFacts[];
  /** The id of the latest event (0 when none). */
  lastEventId(): number;
  /** Events after `afterId`, in id order. */
  eventsAfter(afterId: number, limit: number): RequestEventFact[];
  /** The status a request had before event `beforeEventId`. */
  previousStatus(requestId: number, beforeEventId: number): RequestStatus | undefined;
  /** Open requests filed before `filedBefore` and due at or after `dueFrom`. */
  openDueFrom(dueFrom: number, filedBefore: number): DueFact[];
  /** The applicant's phone and e-mail (decrypted), for notifications. */
  contact(requestId: number): { phone?: string; email?: string } | undefined;
}

/** A row of the SLA schedule. */
export interface TimerRow {
  requestId: number;
  kind: 'escalation' | 'overdue';
  level: number;
  reference: string;
  role: string | null;
  baseAt: number;
  dueAt: number;
  fireAt: number;
  firedAt: number | null;
}

/** The key of a schedule row. */
export type TimerKey = Pick<TimerRow, 'requestId' | 'kind' | 'level'>;

/** The SLA schedule (fired rows stay as the record), the engine's state and residents' messages. */
export interface SlaTimerStore {
  /** All rows of a request, by kind then level. */
  rows(requestId: number): TimerRow[];
  /** Unfired rows with `fireAt <= now`, earliest first. */
  due(now: number, limit: number): TimerRow[];
  /** When an escalation level of a request fired (null: pending, undefined: no row). */
  firedAt(requestId: number, level: number): number | null | undefined;
  /** The highest escalation level fired for a request (null: none). */
  lastFiredLevel(requestId: number): number | null;
  /** Removes a request's pending escalation rows, except `keepLevel` when given. */
  dropPendingEscalations(requestId: number, keepLevel?: number): void;
  /** Inserts or rewrites a pending row (a fired row is left as it is). */
  upsert(row: Omit<TimerRow, 'firedAt'>): void;
  /** Removes every pending row of a request. */
  cancel(requestId: number): void;
  /** Marks a row fired; true only for the one caller that claimed it. */
  claim(key: TimerKey, now: number): boolean;
  /** Requests with a pending row firing at or after `fireFrom` whose clock started before `baseBefore`. */
  pendingRequests(fireFrom: number, baseBefore: number): number[];
  /** A value of the engine's state. */
  state(key: string): string | undefined;
  /** Sets a value of the engine's state. */
  setState(key: string, value: string): void;
  /** The message staff left for the resident with the action at `at`. */
  residentMessage(requestId: number, at: number): string | undefined;
  /** The latest such message of a request. */
  latestResidentMessage(requestId: number): string | undefined;
  /** Keeps a message for the resident with the action at `at`. */
  saveResidentMessage(requestId: number, at: number, text: string): void;
}

/** A stored holiday override. */
export interface HolidayOverrideRecord {
  id: number;
  holidayId: string;
  from: string;
  to: string;
  status: 'confirmed' | 'cancelled';
  name: { ar: string; en: string };
  actor: string;
  at: number;
}

/** A recorded calendar change and its recomputation. */
export interface CalendarChangeRecord {
  id: number;
  at: number;
  actor: string;
  summary: string;
  dates: string[];
  requestsRecomputed: number;
  timersRecomputed: number;
  doneAt: number | null;
}

/** Holiday overrides and the calendar changes they cause. */
export interface HolidayStore {
  /** Overrides in force, in the order they apply. */
  overrides(): HolidayOverrideRecord[];
  /** One override in force. */
  override(id: number): HolidayOverrideRecord | undefined;
  /** Stores an override. */
  addOverride(o: Omit<HolidayOverrideRecord, 'id'>): number;
  /** Withdraws an override. */
  removeOverride(id: number, actor: string, at: number): void;
  /** Records a change (its dates and figures come later); returns its id. */
  addChange(at: number, actor: string, summary: string): number;
  /** Sets the changed dates of a change. */
  setChangeDates(id: number, dates: string[]): void;
  /** Marks a change recomputed. */
  finishChange(id: number, requestsRecomputed: number, timersRecomputed: number, at: number): void;
  /** A change. */
  change(id: number): CalendarChangeRecord | undefined;
  /** Changes newest first. */
  changes(limit: number): CalendarChangeRecord[];
  /** Ids of changes whose recomputation did not finish, oldest first. */
  unfinishedChanges(): number[];
}

/** A request filed in a report's range. */
export interface ReportRequestFact {
  channel: string;
  serviceId: string;
  department: string;
  filedAt: number;
  dueAt: number;
  /** When it was closed or rejected (null while open). */
  closedAt: number | null;
  escalated: number;
}

/** A first response tracked in a report's range. */
export interface ResponseFact {
  channel: string;
  receivedAt: number;
  deadlineAt: number;
  respondedAt: number | null;
}

/** The figures of the SLA report and the metrics. */
export interface SlaFigures {
  /** Requests filed in [from, to). */
  requestsFiled(from: number, to: number): Iterable<ReportRequestFact>;
  /** First responses received in [from, to). */
  responses(from: number, to: number): Iterable<ResponseFact>;
  /** Escalations fired for requests filed in [from, to), by level and role. */
  escalationsFired(from: number, to: number): Array<{ level: number; role: string; count: number }>;
  /** All escalations fired, by level and role. */
  escalationsFiredTotal(): Array<{ level: number; role: string; n: number }>;
  /** Pending schedule rows by kind. */
  scheduled(): Array<{ kind: string; n: number }>;
  /** Requests not closed by service and department: before their due date (open) and past it. */
  openRequests(now: number): Array<{ service: string; department: string; open: number; overdue: number }>;
  /** First-response outcomes of messages received since `since`, by channel. */
  firstResponseOutcomes(now: number, since: number): Array<{ channel: string; met: number; missed: number; pending: number }>;
  /** Notifications by channel and status. */
  notifications(): Array<{ channel: string; status: string; n: number }>;
}

/** The SLA's stores on one database, and its transactions. */
export interface SlaStore {
  requests: SlaRequestReadModel;
  timers: SlaTimerStore;
  holidays: HolidayStore;
  figures: SlaFigures;
  /** Runs `fn` in one write transaction. */
  tx<T>(fn: () => T): T;
}
