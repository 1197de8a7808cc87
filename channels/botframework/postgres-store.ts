/** The Bot Framework adapter's conversation references on PostgreSQL: the schema it declares (module `botframework`) and the ReferenceStore on it. */
import type { ConversationReference } from 'botbuilder';
import type pg from 'pg';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import { minimizeReference, type ReferenceStore, type StoredReference } from './store.js';

/** The PostgreSQL schema of the `botframework` module. */
export const botframeworkPostgresMigrations: PostgresModule[] = [
  sqlModule('botframework', {
    '0001-references': `
      CREATE TABLE botframework_references (
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        reference JSONB NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, conversation_id)
      );
    `,
  }),
];

/** The references on PostgreSQL (table `botframework_references`): a conversation heard on one instance can be answered from any. */
export class PostgresReferenceStore implements ReferenceStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  async save(ref: Partial<ConversationReference>, at: Date): Promise<StoredReference> {
    const stored = minimizeReference(ref);
    await this.pool.query(
      `INSERT INTO botframework_references (channel, conversation_id, reference, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, conversation_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`,
      [this.channel, stored.conversation.id, JSON.stringify(stored), at],
    );
    return stored;
  }

  async get(conversationId: string): Promise<StoredReference | undefined> {
    const r = await this.pool.query<{ reference: StoredReference }>(
      'SELECT reference FROM botframework_references WHERE channel = $1 AND conversation_id = $2',
      [this.channel, conversationId],
    );
    return r.rows[0]?.reference;
  }
}
