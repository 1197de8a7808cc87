/**
 * The queries that grow with a year of data read an index range, not a scan or a sort of the table.
 * The statements are the ones the stores really prepare (captured while the store method runs), and
 * their plans come from `EXPLAIN QUERY PLAN` on a database without ANALYZE statistics, so the plan
 * does not depend on the planner having seen the data. No timings.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { Inbox } from '../../bot/delivery/inbox.js';
import { SqlStateStore } from '../../bot/engine/state.js';
import { NotificationOutbox } from '../../bot/notify/outbox.js';
import { SlaContext } from '../../bot/sla/context.js';
import { SlaTimers } from '../../bot/sla/timers.js';
import { SqliteConversationStore } from '../../bot/store/conversation-store.js';
import { SqliteNotifyStore } from '../../bot/store/sqlite/notify-outbox.js';
import { SqliteSlaStore } from '../../bot/store/sqlite/sla-store.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

const config = loadConfig();
let t: ReturnType<typeof tempDir>;
let sql: SqliteDatabase;
beforeEach(() => {
  t = tempDir();
  sql = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
});
afterEach(() => {
  vi.restoreAllMocks();
  sql.close();
  t.cleanup();
});

/** Runs `fn` and returns the plan of every statement matching `pattern` that it prepared. */
async function plansOf(db: Database.Database, pattern: RegExp, fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  vi.spyOn(db, 'prepare').mockImplementation(((text: string) => {
    seen.push(text);
    return prepare(text);
  }) as typeof db.prepare);
  await fn();
  vi.restoreAllMocks();
  const texts = seen.filter((s) => pattern.test(s));
  expect(texts.length, `no statement matching ${pattern} was prepared`).toBeGreaterThan(0);
  return texts.map((text) => {
    const params = (text.match(/\?/g) ?? []).length;
    return (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...Array.from({ length: params }, () => 0)) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join(' | ');
  });
}

describe('query plans of what grows', () => {
  it('lists requests by status, newest first, by the (status, filed_at) index', async () => {
    const store = new SqliteRequestStore(sql);
    const [plan] = await plansOf(sql.db, /FROM requests WHERE status IN/, () => store.list({ status: ['closed'] }));
    expect(plan).toMatch(/SEARCH requests USING INDEX requests_status_filed \(status=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('finds a request by reference and its events by request id', async () => {
    const store = new SqliteRequestStore(sql);
    const plans = await plansOf(sql.db, /FROM requests WHERE reference|FROM request_events WHERE request_id/, () => store.get('BUR-2026-00001'));
    expect(plans.join('\n')).toMatch(/SEARCH requests USING INDEX sqlite_autoindex_requests_1 \(reference=\?\)/);
  });

  it("reads a turn's conversation and state by their keys, in one statement", async () => {
    const state = new SqlStateStore(sql);
    const [plan] = await plansOf(sql.db, /LEFT JOIN conversations c/, () => state.loadTurn('webchat:c1', new Date()));
    expect(plan).toMatch(/SEARCH c USING INDEX sqlite_autoindex_conversations_1 \(key=\?\)/);
    expect(plan).toMatch(/SEARCH s USING PRIMARY KEY \(key=\?\)/);
    expect(plan).not.toMatch(/SCAN c|SCAN s/);
  });

  it('reads a transcript by conversation key, and waiting conversations by owner, without sorting', async () => {
    const conversations = new SqliteConversationStore(sql);
    const [transcript] = await plansOf(sql.db, /FROM transcript WHERE key/, () => conversations.transcript('webchat:c1'));
    expect(transcript).toMatch(/SEARCH transcript USING INDEX transcript_key \(key=\? AND seq>\?\)/);
    expect(transcript).not.toMatch(/TEMP B-TREE/);
    const [waiting] = await plansOf(sql.db, /FROM conversations WHERE owner = 'queue'/, () => conversations.waiting());
    expect(waiting).toMatch(/SEARCH conversations USING INDEX conversations_owner \(owner=\?\)/);
    expect(waiting).not.toMatch(/TEMP B-TREE/);
  });

  it('claims an inbound message by its primary key', async () => {
    const inbox = new Inbox(sql);
    inbox.claim('webchat', 'm1', 'webchat:c1', new Date(0), new Date(0));
    const [lookup] = await plansOf(sql.db, /SELECT state, replies FROM inbox/, () => inbox.claim('webchat', 'm1', 'webchat:c1', new Date(0), new Date(0)));
    expect(lookup).toMatch(/SEARCH inbox USING INDEX sqlite_autoindex_inbox_1 \(channel=\? AND message_id=\?\)/);
  });

  it('finds the claims a crash left in progress through the partial index; a message done at once is not in it', async () => {
    const inbox = new Inbox(sql);
    inbox.claim('webchat', 'm1', 'webchat:c1', new Date(0), new Date(0));
    inbox.claimDone('webchat', 'm2', 'webchat:c1', new Date(0), new Date(0), []);
    const [plan] = await plansOf(sql.db, /FROM inbox WHERE state = 'processing'/, () => inbox.stale(new Date(1)));
    expect(plan).toMatch(/SEARCH inbox USING INDEX inbox_processing \(claimed_at<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    expect(inbox.stale(new Date(1)).map((r) => r.messageId)).toEqual(['m1']);
    const indexed = sql.db.prepare(`SELECT COUNT(*) AS n FROM inbox INDEXED BY inbox_processing WHERE state = 'processing'`).get() as { n: number };
    expect(indexed.n).toBe(1);
  });

  it('finds the first responses of a conversation still waiting for a provider through the partial index', async () => {
    const fr = new SqliteSlaStore(sql).firstResponses;
    const [plan] = await plansOf(sql.db, /UPDATE sla_first_responses .* conversation_id/s, () => fr.responded('x', 'c1', undefined, 0));
    expect(plan).toMatch(/SEARCH sla_first_responses USING INDEX sla_first_responses_pending \(channel=\? AND conversation_id=\? AND received_at<\?\)/);
    const [byMessage] = await plansOf(sql.db, /UPDATE sla_first_responses .* message_id/s, () => fr.responded('x', 'c1', 'm1', 0));
    expect(byMessage).toMatch(/SEARCH sla_first_responses USING INDEX sla_first_responses_message \(channel=\? AND message_id=\?\)/);
  });

  it('finds due escalations by the schedule index, in order', async () => {
    const timers = new SlaTimers(new SqliteSlaStore(sql), new SlaContext(config, new WorkingCalendar(config.calendar)));
    const [plan] = await plansOf(sql.db, /FROM sla_timers WHERE fired_at IS NULL AND fire_at/, () => timers.due(0, 500));
    expect(plan).toMatch(/SEARCH sla_timers USING INDEX sla_timers_pending \(fire_at<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('lists the notifications of a request by reference through an index', async () => {
    const outbox = new NotificationOutbox(new SqliteNotifyStore(sql), {
      retry: config.sla.notifications.retry,
      calendar: new WorkingCalendar(config.calendar),
      staffHours: 'official',
      resolve: () => undefined,
      logger: silentLogger,
    });
    const [plan] = await plansOf(sql.db, /FROM outbox WHERE recipient_kind IS NOT NULL AND reference/, () => outbox.list({ reference: 'BUR-2026-00001' }));
    expect(plan).toMatch(/SEARCH outbox USING INDEX notifications_reference \(reference=\?\)/);
  });
});
