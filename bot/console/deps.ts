/** What every console module reads, and the summaries the console shows of chats and requests. */
import type { TawasulConfig } from '../../config/schema.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import type { Engine } from '../engine/engine.js';
import type { Sla } from '../sla/attach.js';
import type { ConversationRecord } from '../store/conversation-store.js';
import type { RequestRecord } from '../store/types.js';
import type { AccountStore } from './accounts.js';
import type { LiveHub } from './live.js';
import { maskConversationId, maskDigits, maskName } from './mask.js';
import type { ConsoleQueries } from './queries.js';
import type { SessionStore } from './sessions.js';
import type { ConsoleStore } from './store.js';

/** The console's dependencies. */
export interface ConsoleDeps {
  config: TawasulConfig;
  engine: Engine;
  /** The console's reads of other modules' tables (SQLite or PostgreSQL). */
  queries: ConsoleQueries;
  sla: Sla;
  clock: Clock;
  logger: Logger;
  accounts: AccountStore;
  sessions: SessionStore;
  store: ConsoleStore;
  hub: LiveHub;
}

/** A chat as the inbox lists it (no personal data: the conversation id is masked). */
export async function chatSummary(
  d: Pick<ConsoleDeps, 'store' | 'sla' | 'queries' | 'config' | 'clock'>,
  c: ConversationRecord,
): Promise<Record<string, unknown>> {
  const due = c.queuedAt ? d.sla.firstResponse.deadline(c.channel, c.queuedAt) : undefined;
  const [id, lastSeq] = await Promise.all([d.store.idOf(c.key), d.queries.lastSeq(c.key)]);
  return {
    id,
    channel: c.channel,
    label: maskConversationId(c.conversationId),
    language: c.language,
    owner: c.owner,
    agentId: c.agentId ?? null,
    queuedAt: c.queuedAt?.toISOString() ?? null,
    takenAt: c.takenAt?.toISOString() ?? null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    firstResponseDueAt: due?.toISOString() ?? null,
    lastSeq,
    residentLeft: residentLeft(d, c),
  };
}

/** True when the resident has been silent longer than a dialogue lives (nothing more reaches them). */
export function residentLeft(d: Pick<ConsoleDeps, 'config' | 'clock'>, c: ConversationRecord): boolean {
  return d.clock.now().getTime() - c.lastMessageAt.getTime() > d.config.defaults.dialogueTtlMinutes * 60_000;
}

/** A request as lists show it: civil ID, phone and name masked. */
export function requestSummary(r: RequestRecord, extra: { escalationLevel?: number; now: Date }): Record<string, unknown> {
  return {
    reference: r.reference,
    serviceId: r.serviceId,
    department: r.department,
    status: r.status,
    channel: r.channel,
    language: r.language,
    filedAt: r.filedAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    lastActionAt: r.lastActionAt.toISOString(),
    assignee: r.assignee ?? null,
    overdue: r.status !== 'closed' && r.status !== 'rejected' && r.dueAt.getTime() < extra.now.getTime(),
    escalationLevel: extra.escalationLevel ?? 0,
    applicant: { name: maskName(r.applicant.name), civilId: maskDigits(r.applicant.civilId, 3), phone: maskDigits(r.applicant.phone) },
  };
}
