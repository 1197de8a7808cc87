/** The channel stores' contracts on PostgreSQL: two pools on one schema stand for two instances; the schema is what the adapters declare. */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migratePostgresModules, type PostgresModule } from '../../bot/store/postgres/module-migrate.js';
import { PostgresReferenceStore } from '../../channels/botframework/postgres-store.js';
import { PostgresEmailStore } from '../../channels/email/postgres-store.js';
import { channelRegistry } from '../../channels/registry.js';
import { PostgresWebchatAccess } from '../../channels/webchat/postgres-store.js';
import { PostgresServiceWindow } from '../../channels/whatsapp-cloud/postgres-store.js';
import { PostgresXStore } from '../../channels/x/postgres-store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { emailStoreContract } from './email-store-contract.js';
import { referenceStoreContract } from './reference-store-contract.js';
import { serviceWindowContract } from './service-window-contract.js';
import { type StorePair, storePair } from './store-pair.js';
import { webchatAccessContract } from './webchat-access-contract.js';
import { xStoreContract } from './x-store-contract.js';

describe.skipIf(skipPostgres)('channel stores on PostgreSQL (real PostgreSQL on loopback)', () => {
  const pgServer = usePostgres();
  let declared: Promise<PostgresModule[]> | undefined;
  /** Every registered adapter's PostgreSQL modules, as its definition declares them. */
  const declaredModules = (): Promise<PostgresModule[]> =>
    (declared ??= Promise.all(Object.values(channelRegistry).map((load) => load())).then((defs) => defs.flatMap((d) => d.postgres)));

  /** Two pools on a fresh schema migrated with every adapter's declared modules. */
  const pgPair = async <S>(build: (pool: pg.Pool, channel: string) => S): Promise<StorePair<S>> => {
    const modules = await declaredModules();
    const { one, two, end } = await poolPair(await pgServer.database(), (p) => migratePostgresModules(p, modules));
    return storePair(
      (c) => build(one, c),
      (c) => build(two, c),
      end,
    );
  };

  webchatAccessContract('postgres', () => pgPair((pool, c) => new PostgresWebchatAccess(pool, c)));
  xStoreContract('postgres', () => pgPair((pool, c) => new PostgresXStore(pool, c)));
  emailStoreContract('postgres', () => pgPair((pool, c) => new PostgresEmailStore(pool, c)));
  serviceWindowContract('postgres', (hours) => pgPair((pool, c) => new PostgresServiceWindow(pool, c, hours)));
  referenceStoreContract('postgres', () => pgPair((pool, c) => new PostgresReferenceStore(pool, c)));

  it('every adapter with channel tables declares them for PostgreSQL, new migrations appended to its module', async () => {
    const modules = await declaredModules();
    let applied: string[] = [];
    const { end } = await poolPair(await pgServer.database(), async (p) => {
      applied = await migratePostgresModules(p, modules);
    });
    expect(applied.sort()).toEqual([
      'botframework/0001-references',
      'email/0001-cursors',
      'email/0002-messages',
      'webchat/0001-access',
      'whatsapp-cloud/0001-window',
      'x/0001-cursors',
      'x/0002-threads-conversations',
    ]);
    await end();
  });
});
