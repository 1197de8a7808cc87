/** First-response deadlines and reply times on SQLite (table `sla_first_responses`). */
import type { FirstResponseStore } from '../sla-store.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';

/** The first-response records on SQLite. */
export class SqliteFirstResponses implements FirstResponseStore {
  constructor(private readonly sql: SqliteDatabase) {}

  async record(r: Parameters<FirstResponseStore['record']>[0]): Promise<void> {
    prepared(
      this.sql.db,
      `INSERT INTO sla_first_responses (channel, conversation_id, message_id, received_at, deadline_at, responded_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (channel, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
    ).run(r.channel, r.conversationId, r.messageId ?? null, r.receivedAt, r.deadlineAt, r.respondedAt ?? null, r.respondedAt === undefined ? null : 'engine');
  }

  async awaitProvider(channel: string, messageId: string): Promise<void> {
    prepared(
      this.sql.db,
      `UPDATE sla_first_responses SET responded_at = NULL, source = 'outbox' WHERE channel = ? AND message_id = ? AND source = 'engine'`,
    ).run(channel, messageId);
  }

  async responded(channel: string, conversationId: string, messageId: string | undefined, at: number): Promise<number> {
    if (messageId) {
      // The reply to one message never stands in for another's (a reply still queued is not a response).
      return prepared(
        this.sql.db,
        `UPDATE sla_first_responses SET responded_at = ?, source = 'provider' WHERE channel = ? AND message_id = ? AND (source IS NULL OR source <> 'provider')`,
      ).run(at, channel, messageId).changes;
    }
    // Messages of the conversation still waiting for a provider (no reply yet, or one in an outbox);
    // a reply given in the response itself ('engine') keeps its time. Index sla_first_responses_pending.
    return prepared(
      this.sql.db,
      `UPDATE sla_first_responses SET responded_at = ?, source = 'provider'
        WHERE channel = ? AND conversation_id = ? AND received_at <= ? AND (source IS NULL OR source = 'outbox')`,
    ).run(at, channel, conversationId, at).changes;
  }
}
