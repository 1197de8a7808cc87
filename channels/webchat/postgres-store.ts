/** The web chat's conversation secrets on PostgreSQL: the schema it declares (module `webchat`) and the WebchatAccessStore on it. */
import type pg from 'pg';
import type { Awaitable } from '../../bot/delivery/types.js';
import { type PostgresModule, sqlModule } from '../../bot/store/postgres/module-migrate.js';
import { newSecret, secretHash, secretMatches, type WebchatAccessStore } from './store.js';

/** The PostgreSQL schema of the `webchat` module. */
export const webchatPostgresMigrations: PostgresModule[] = [
  sqlModule('webchat', {
    '0001-access': `
      CREATE TABLE webchat_access (
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        secret_hash BYTEA NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (channel, conversation_id)
      );
    `,
  }),
];

/** The secrets on PostgreSQL (table `webchat_access`): a secret issued by one instance opens the conversation on every other. */
export class PostgresWebchatAccess implements WebchatAccessStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  /**
   * The conversation's record lives in the core's store, not in this pool's transaction: it is
   * written first and the secret after it, so a secret's row still proves its conversation. A failure
   * in between leaves a conversation no one holds a secret for (none was shown): unreachable, harmless.
   */
  async open(conversationId: string, at: Date, create: () => Awaitable<void>): Promise<string> {
    await create();
    const secret = newSecret();
    await this.pool.query('INSERT INTO webchat_access (channel, conversation_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)', [
      this.channel,
      conversationId,
      secretHash(secret),
      at,
    ]);
    return secret;
  }

  async verify(conversationId: string, secret: string): Promise<boolean> {
    const r = await this.pool.query<{ secret_hash: Buffer }>('SELECT secret_hash FROM webchat_access WHERE channel = $1 AND conversation_id = $2', [
      this.channel,
      conversationId,
    ]);
    return secretMatches(secret, r.rows[0]?.secret_hash);
  }
}
