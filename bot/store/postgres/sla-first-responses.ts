/** First-response deadlines and reply times on PostgreSQL (table `sla_first_responses`, migration 0003-sla). */
import type { FirstResponseStore } from '../sla-store.js';
import type { Queryable } from './database.js';
import { at } from './sla-requests.js';

/** First-response deadlines and reply times on PostgreSQL. */
export class PostgresFirstResponses implements FirstResponseStore {
  constructor(private readonly q: Queryable) {}

  async record(r: Parameters<FirstResponseStore['record']>[0]): Promise<void> {
    await this.q.query(
      `INSERT INTO sla_first_responses (channel, conversation_id, message_id, received_at, deadline_at, responded_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (channel, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
      [
        r.channel,
        r.conversationId,
        r.messageId ?? null,
        at(r.receivedAt),
        at(r.deadlineAt),
        r.respondedAt === undefined ? null : at(r.respondedAt),
        r.respondedAt === undefined ? null : 'engine',
      ],
    );
  }

  async awaitProvider(channel: string, messageId: string): Promise<void> {
    await this.q.query(`UPDATE sla_first_responses SET responded_at = NULL, source = 'outbox' WHERE channel = $1 AND message_id = $2 AND source = 'engine'`, [
      channel,
      messageId,
    ]);
  }

  async responded(channel: string, conversationId: string, messageId: string | undefined, when: number): Promise<number> {
    // The reply to one message never stands in for another's (a reply still queued is not a response).
    // By conversation: the messages still waiting for a provider; a reply given in the response itself ('engine') keeps its time.
    const r = messageId
      ? await this.q.query(
          `UPDATE sla_first_responses SET responded_at = $1, source = 'provider' WHERE channel = $2 AND message_id = $3 AND source IS DISTINCT FROM 'provider'`,
          [at(when), channel, messageId],
        )
      : await this.q.query(
          `UPDATE sla_first_responses SET responded_at = $1, source = 'provider'
           WHERE channel = $2 AND conversation_id = $3 AND received_at <= $1 AND (source IS NULL OR source = 'outbox')`,
          [at(when), channel, conversationId],
        );
    return r.rowCount ?? 0;
  }
}
