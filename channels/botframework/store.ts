/**
 * Conversation references of the Bot Framework channel, kept in SQL (migration module `botframework`)
 * so that a reply stored in the outbox can still be delivered after a restart: the reference says
 * which `serviceUrl` (Emulator, Azure Bot Service, Teams region) and which conversation to post to.
 * Only routing data is stored: ids, roles, the tenant; display names and AAD object ids are dropped.
 */
import type { ChannelAccount, ConversationAccount, ConversationReference } from 'botbuilder';
import type { Awaitable } from '../../bot/delivery/types.js';
import type { Migration, SqliteDatabase } from '../../bot/store/sqlite-database.js';

/** Schema of the `botframework` module. */
export const botframeworkMigrations: Migration[] = [
  {
    version: 1,
    up: `
    CREATE TABLE botframework_references (
      channel TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      reference TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (channel, conversation_id)
    );`,
  },
];

/** The routing part of a ConversationReference that is stored (no display names). */
export type StoredReference = Pick<ConversationReference, 'channelId' | 'serviceUrl' | 'locale'> & {
  bot: Pick<ChannelAccount, 'id' | 'role'>;
  user?: Pick<ChannelAccount, 'id' | 'role'>;
  conversation: Pick<ConversationAccount, 'id' | 'isGroup' | 'conversationType' | 'tenantId'>;
};

const account = <T extends object>(a: T | undefined, keys: Array<keyof T>): Partial<T> | undefined => {
  if (!a) return undefined;
  const out: Partial<T> = {};
  for (const k of keys) if (a[k] !== undefined && a[k] !== null) out[k] = a[k];
  return out;
};

/** Reduces a full reference to what delivery needs. */
export function minimizeReference(ref: Partial<ConversationReference>): StoredReference {
  if (!ref.serviceUrl || !ref.conversation?.id || !ref.bot?.id || !ref.channelId) throw new RangeError('incomplete conversation reference');
  const user = account(ref.user, ['id', 'role']) as StoredReference['user'];
  return {
    channelId: ref.channelId,
    serviceUrl: ref.serviceUrl,
    ...(ref.locale ? { locale: ref.locale } : {}),
    bot: account(ref.bot, ['id', 'role']) as StoredReference['bot'],
    ...(user?.id ? { user } : {}),
    conversation: account(ref.conversation, ['id', 'isGroup', 'conversationType', 'tenantId']) as StoredReference['conversation'],
  };
}

/** The latest reference of each conversation of one channel instance. Methods may answer with a promise; callers await. */
export interface ReferenceStore {
  /** Records (or refreshes) the reference of a conversation; the latest serviceUrl wins. */
  save(ref: Partial<ConversationReference>, at: Date): Awaitable<StoredReference>;
  /** The stored reference of a conversation, if the bot has heard from it (on any instance). */
  get(conversationId: string): Awaitable<StoredReference | undefined>;
}

/** The references on SQLite (table `botframework_references`); PostgreSQL in postgres-store.ts. */
export class SqliteReferenceStore implements ReferenceStore {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly channel: string,
  ) {}

  save(ref: Partial<ConversationReference>, at: Date): StoredReference {
    const stored = minimizeReference(ref);
    this.sql.db
      .prepare(`INSERT INTO botframework_references (channel, conversation_id, reference, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (channel, conversation_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`)
      .run(this.channel, stored.conversation.id, JSON.stringify(stored), at.getTime());
    return stored;
  }

  get(conversationId: string): StoredReference | undefined {
    const row = this.sql.db
      .prepare('SELECT reference FROM botframework_references WHERE channel = ? AND conversation_id = ?')
      .pluck()
      .get(this.channel, conversationId) as string | undefined;
    return row ? (JSON.parse(row) as StoredReference) : undefined;
  }
}
