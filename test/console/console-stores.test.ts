import { join } from 'node:path';
import { describe } from 'vitest';
import { SqliteConversationStore } from '../../bot/store/conversation-store.js';
import { PostgresConsoleQueries } from '../../bot/store/postgres/console-queries.js';
import { PostgresConsoleStore } from '../../bot/store/postgres/console-store.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { PostgresRequestStore } from '../../bot/store/postgres/request-store.js';
import { PostgresSlaStore } from '../../bot/store/postgres/sla-store.js';
import { postgresTurnStores } from '../../bot/store/postgres/turn-transactions.js';
import { SqliteConsoleQueries } from '../../bot/store/sqlite/console-queries.js';
import { SqliteConsoleStore } from '../../bot/store/sqlite/console-store.js';
import { SqliteSlaStore } from '../../bot/store/sqlite/sla-store.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { consoleStoresContract } from './console-store-contract.js';

consoleStoresContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  const [one, two] = [migratedSqlite(file), migratedSqlite(file)];
  return {
    store: new SqliteConsoleStore(one),
    other: new SqliteConsoleStore(two),
    queries: new SqliteConsoleQueries(one),
    requests: new SqliteRequestStore(one),
    timers: new SqliteSlaStore(one).timers,
    transcript: new SqliteConversationStore(one),
    async close() {
      one.close();
      two.close();
      t.cleanup();
    },
  };
});

describe.skipIf(skipPostgres)('console store and read model on PostgreSQL (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();
  consoleStoresContract('postgres', async () => {
    const { one, two, end } = await poolPair(await pgServer.database(), (p) => migratePostgres(p));
    return {
      store: new PostgresConsoleStore(one),
      other: new PostgresConsoleStore(two),
      queries: new PostgresConsoleQueries(one),
      requests: new PostgresRequestStore(one),
      timers: new PostgresSlaStore(one).timers,
      transcript: postgresTurnStores(one).conversations,
      close: end,
    };
  });
});
