/** The console API's answers as the screens read them (bot/console/openapi.yaml, produced by bot/console/*-router.ts). */

/** A text in both languages. */
export interface Bilingual {
  ar: string;
  en: string;
}

/** The `error` object of an error answer, with the extra fields some reasons carry. */
export interface ErrorBody {
  reason?: string;
  message?: string;
  field?: string;
  /** held_by_other: who holds the chat and since when. */
  holder?: string | null;
  since?: string | null;
  /** resident_left: the resident's last message. */
  lastMessageAt?: string;
  /** locked: when sign-in is possible again. */
  lockedUntil?: string;
}

/** A chat as lists show it (openapi Chat). */
export interface Chat {
  id: number;
  channel: string;
  label: string;
  language: string;
  owner: 'bot' | 'queue' | 'agent';
  agentId: string | null;
  queuedAt: string | null;
  firstResponseDueAt: string | null;
  lastMessageAt: string;
  lastSeq: number;
  residentLeft: boolean;
}

/** A transcript line (openapi Message). */
export interface Message {
  seq: number;
  direction: 'in' | 'out';
  author: string;
  kind: string | null;
  text: string;
  at: string;
}

/** A request's status. */
export type RequestStatus = 'filed' | 'in_progress' | 'on_hold' | 'closed' | 'rejected';

/** A request as lists show it, personal data masked (openapi RequestSummary). */
export interface RequestSummary {
  reference: string;
  serviceId: string;
  department: string;
  status: RequestStatus;
  channel: string;
  filedAt: string;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
  applicant: { name: string; civilId: string; phone: string };
}

/** GET /conversations/{id}. */
export interface ChatDetail {
  conversation: Chat;
  messages: Message[];
  notes: Array<{ id: number; author: string; text: string; at: string }>;
  related: { requests: RequestSummary[]; conversations: Chat[] };
}

/** A canned reply (GET /canned-replies). */
export interface CannedReply {
  id: string;
  title: Bilingual;
  text: Bilingual;
}

/** A file attached to a request. */
export interface Attachment {
  kind: string;
  fileName?: string;
  ref: string;
}

/** One entry of a request's history. */
export interface RequestEvent {
  at: string;
  actor: string;
  type: string;
  status?: RequestStatus;
  note?: string;
}

/** An SLA timer of a request (first response, escalation levels). */
export interface SlaTimer {
  kind: string;
  level: number;
  role: string;
  dueAt: string;
  fireAt: string;
  firedAt: string | null;
}

/** GET /requests/{reference}: the full record and its SLA clock. */
export interface RequestDetail {
  request: {
    reference: string;
    serviceId: string;
    department: string;
    status: RequestStatus;
    channel: string;
    description: string;
    filedAt: string;
    dueAt: string;
    assignee?: string;
    applicant: { name: string; civilId: string; phone: string; email?: string; address?: string };
    location?: { latitude: number; longitude: number };
    attachments: Attachment[];
    history: RequestEvent[];
  };
  sla: { dueAt: string; workingDaysLeft: number; overdue: boolean; escalationLevel: number; timers: SlaTimer[] };
}

/** A system notification (escalation). */
export interface SystemNotification {
  id: number;
  reference: string | null;
  title: string;
  createdAt: string;
  readAt: string | null;
}

/** Request counts of one group of the SLA report. */
export interface RequestMetrics {
  key: string;
  overdue: number;
  closedLate: number;
  escalated: number;
  onTimeRate: number | null;
}

/** First-response counts of one group of the SLA report. */
export interface FirstResponseMetrics {
  key: string;
  account?: string;
  metRate: number | null;
}

/** GET /sla/report (the figures of `tawasul sla-report`). */
export interface SlaReport {
  requests: { byService: RequestMetrics[]; byDepartment: RequestMetrics[]; byPeriod: RequestMetrics[] };
  firstResponse: { byChannel: FirstResponseMetrics[] };
}

/** GET /sla/live: the live queue. */
export interface LiveQueue {
  waiting: number;
  held: number;
  openRequests: number;
  overdueRequests: number;
}

/** A holiday of the calendar. */
export interface Holiday {
  id: string;
  name: Bilingual;
  from: string;
  to: string;
  status: 'seed' | 'confirmed' | 'cancelled';
}

/** A change of the calendar and what it recomputed. */
export interface CalendarChange {
  id: number;
  at: string;
  summary: string;
  requestsRecomputed: number;
}

/** An account as admins see it. */
export interface AccountRow {
  username: string;
  displayName: string;
  role: 'agent' | 'department' | 'supervisor' | 'admin';
  departments: string[];
  disabled: boolean;
}

/** An entry of the audit trail. */
export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  subject: string;
}

/** A role with its escalation contacts (GET /config/roles). */
export interface RoleContact {
  id: string;
  name: Bilingual;
  department: string | null;
  email: string | null;
  phone: string | null;
}

/** A live event of the stream (bot/console/live.ts); each carries the id it was stored with. */
export type LiveEvent =
  | { type: 'ready'; id: number; data: { lastEventId: number } }
  | { type: 'conversation'; id: number; data: Chat & { reason?: string } }
  | { type: 'request'; id: number; data: { reference: string; serviceId: string; status: RequestStatus; reason?: string } }
  | { type: 'notification'; id: number; data: { id: number; reference: string | null; title: string; createdAt: string } };
