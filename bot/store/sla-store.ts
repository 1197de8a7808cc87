/**
 * The SLA side's view of the data, behind interfaces: the requests as the SLA reads them (a read
 * model, no personal data), its schedule and state, the holiday overrides, and the figures of reports
 * and metrics. Every method is asynchronous; `tx` hands its callback the stores bound to one
 * transaction, so that the SLA engine can group them (a claim, the system notification and the
 * e-mails/SMS it enqueues commit together, on either database). Implementations: bot/store/sqlite/sla-*.ts (whose promises settle without I/O, so
 * they may run inside `SqliteDatabase.txAsync`) and bot/store/postgres/sla-*.ts.
 */
import type { Language } from '../core/types.js';
import type { NotificationQueue, NotifyStore } from '../notify/store.js';
import type { SystemNotificationSink, SystemNotifications } from '../notify/system.js';
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
  facts(requestId: number): Promise<RequestFacts | undefined>;
  /** The facts of a request by its reference (any case). */
  factsByReference(reference: string): Promise<RequestFacts | undefined>;
  /** Open requests with an id above `afterId`, in id order. */
  openFacts(afterId: number, limit: number): Promise<RequestFacts[]>;
  /** The id of the latest event (0 when none). */
  lastEventId(): Promise<number>;
  /** Events after `afterId`, in id order. */
  eventsAfter(afterId: number, limit: number): Promise<RequestEventFact[]>;
  /** The status a request had before event `beforeEventId`. */
  previousStatus(requestId: number, beforeEventId: number): Promise<RequestStatus | undefined>;
  /** Open requests filed before `filedBefore` and due at or after `dueFrom`. */
  openDueFrom(dueFrom: number, filedBefore: number): Promise<DueFact[]>;
  /** The applicant's phone and e-mail (decrypted), for notifications. */
  contact(requestId: number): Promise<{ phone?: string; email?: string } | undefined>;
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
  rows(requestId: number): Promise<TimerRow[]>;
  /** Unfired rows with `fireAt <= now`, earliest first. */
  due(now: number, limit: number): Promise<TimerRow[]>;
  /** When an escalation level of a request fired (null: pending, undefined: no row). */
  firedAt(requestId: number, level: number): Promise<number | null | undefined>;
  /** The highest escalation level fired for a request (null: none). */
  lastFiredLevel(requestId: number): Promise<number | null>;
  /** Removes a request's pending escalation rows, except `keepLevel` when given. */
  dropPendingEscalations(requestId: number, keepLevel?: number): Promise<void>;
  /** Inserts or rewrites a pending row (a fired row is left as it is). */
  upsert(row: Omit<TimerRow, 'firedAt'>): Promise<void>;
  /** Removes every pending row of a request. */
  cancel(requestId: number): Promise<void>;
  /** Marks a row fired; true only for the one caller that claimed it. */
  claim(key: TimerKey, now: number): Promise<boolean>;
  /** Requests with a pending row firing at or after `fireFrom` whose clock started before `baseBefore`. */
  pendingRequests(fireFrom: number, baseBefore: number): Promise<number[]>;
  /** A value of the engine's state. */
  state(key: string): Promise<string | undefined>;
  /** Sets a value of the engine's state. */
  setState(key: string, value: string): Promise<void>;
  /** The message staff left for the resident with the action at `at`. */
  residentMessage(requestId: number, at: number): Promise<string | undefined>;
  /** The latest such message of a request. */
  latestResidentMessage(requestId: number): Promise<string | undefined>;
  /** Keeps a message for the resident with the action at `at`. */
  saveResidentMessage(requestId: number, at: number, text: string): Promise<void>;
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
  overrides(): Promise<HolidayOverrideRecord[]>;
  /** One override in force. */
  override(id: number): Promise<HolidayOverrideRecord | undefined>;
  /** Stores an override. */
  addOverride(o: Omit<HolidayOverrideRecord, 'id'>): Promise<number>;
  /** Withdraws an override. */
  removeOverride(id: number, actor: string, at: number): Promise<void>;
  /** Records a change (its dates and figures come later); returns its id. */
  addChange(at: number, actor: string, summary: string): Promise<number>;
  /** Sets the changed dates of a change. */
  setChangeDates(id: number, dates: string[]): Promise<void>;
  /** Marks a change recomputed. */
  finishChange(id: number, requestsRecomputed: number, timersRecomputed: number, at: number): Promise<void>;
  /** A change. */
  change(id: number): Promise<CalendarChangeRecord | undefined>;
  /** Changes newest first. */
  changes(limit: number): Promise<CalendarChangeRecord[]>;
  /** Ids of changes whose recomputation did not finish, oldest first. */
  unfinishedChanges(): Promise<number[]>;
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
  requestsFiled(from: number, to: number): AsyncIterable<ReportRequestFact>;
  /** First responses received in [from, to). */
  responses(from: number, to: number): AsyncIterable<ResponseFact>;
  /** Escalations fired for requests filed in [from, to), by level and role. */
  escalationsFired(from: number, to: number): Promise<Array<{ level: number; role: string; count: number }>>;
  /** All escalations fired, by level and role. */
  escalationsFiredTotal(): Promise<Array<{ level: number; role: string; n: number }>>;
  /** Pending schedule rows by kind. */
  scheduled(): Promise<Array<{ kind: string; n: number }>>;
  /** Requests not closed by service and department: before their due date (open) and past it. */
  openRequests(now: number): Promise<Array<{ service: string; department: string; open: number; overdue: number }>>;
  /** First-response outcomes of messages received since `since`, by channel. */
  firstResponseOutcomes(now: number, since: number): Promise<Array<{ channel: string; met: number; missed: number; pending: number }>>;
  /** Notifications by channel and status. */
  notifications(): Promise<Array<{ channel: string; status: string; n: number }>>;
}

/** First-response deadlines and reply times of inbound messages. */
export interface FirstResponseStore {
  /** Records a message's deadline (and the bot's reply time, if any); nothing when its id is known already. */
  record(r: { channel: string; conversationId: string; messageId?: string; receivedAt: number; deadlineAt: number; respondedAt?: number }): Promise<void>;
  /** The bot's reply to a message waits in an outbox: its reply time is cleared until the provider accepts it. */
  awaitProvider(channel: string, messageId: string): Promise<void>;
  /**
   * The provider accepted a reply at `at`: to `messageId`, or (without) to every message of the
   * conversation received up to `at` with no provider-confirmed reply yet. Returns how many changed.
   */
  responded(channel: string, conversationId: string, messageId: string | undefined, at: number): Promise<number>;
}

/** The SLA's stores bound to one transaction (or to the database, outside one). */
export interface SlaStoreTx {
  requests: SlaRequestReadModel;
  timers: SlaTimerStore;
  holidays: HolidayStore;
  /** The notification outbox's queue: an escalation's e-mails/SMS commit with its claim. */
  notices: NotificationQueue;
  /** The system notifications: an escalation's console notice commits with its claim. */
  system: SystemNotificationSink;
}

/** The SLA's stores on one database, and its transactions. */
export interface SlaStore extends SlaStoreTx {
  /** The notification outbox's rows (delivery, listing) on the same database. */
  notices: NotifyStore;
  /** The system notifications (the consoles' lists) on the same database. */
  system: SystemNotifications;
  figures: SlaFigures;
  firstResponses: FirstResponseStore;
  /**
   * Runs `fn` in one write transaction with the stores bound to it: COMMIT when it resolves,
   * ROLLBACK when it throws. On SQLite they are the same objects (see `SqliteDatabase.txAsync` for
   * what the callback may await); on PostgreSQL they run on the transaction's connection.
   */
  tx<T>(fn: (s: SlaStoreTx) => Promise<T>): Promise<T>;
}
