/** The channel stores' contracts on PostgreSQL: two pools on one schema stand for two instances; the schema is what the adapters declare. */
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { importSqlite } from '../../bot/store/postgres/import-sqlite.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { migratePostgresModules, type PostgresModule } from '../../bot/store/postgres/module-migrate.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { PostgresReferenceStore } from '../../channels/botframework/postgres-store.js';
import { SqliteReferenceStore } from '../../channels/botframework/store.js';
import { PostgresEmailStore } from '../../channels/email/postgres-store.js';
import { SqliteEmailStore } from '../../channels/email/store.js';
import { channelRegistry } from '../../channels/registry.js';
import { PostgresWebchatAccess } from '../../channels/webchat/postgres-store.js';
import { SqliteWebchatAccess } from '../../channels/webchat/store.js';
import { PostgresServiceWindow } from '../../channels/whatsapp-cloud/postgres-store.js';
import { SqliteServiceWindow } from '../../channels/whatsapp-cloud/store.js';
import { PostgresXStore } from '../../channels/x/postgres-store.js';
import { SqliteXStore } from '../../channels/x/store.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { channelStoreMigrations, openFromTemplate, schemaTemplate } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { emailStoreContract } from './email-store-contract.js';
import { referenceStoreContract } from './reference-store-contract.js';
import { serviceWindowContract } from './service-window-contract.js';
import { type StorePair, storePair } from './store-pair.js';
import { webchatAccessContract } from './webchat-access-contract.js';
import { xStoreContract } from './x-store-contract.js';

const template = await schemaTemplate([...coreMigrations, ...channelStoreMigrations]);

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

  it('`import-sqlite` carries every channel table over: what the SQLite stores wrote, the PostgreSQL stores read', async () => {
    const t = tempDir();
    const sqlite = openFromTemplate(template, join(t.dir, 'tawasul.sqlite'));
    const T0 = new Date('2026-12-02T06:00:00Z');
    const secret = await new SqliteWebchatAccess(sqlite, 'webchat').open('7d1f0a52-3c1e-4b5e-9a7e-2f1d8c0b6a11', T0, () => undefined);
    const x = new SqliteXStore(sqlite, 'x-gov');
    x.recordPart(41, 0, '1860000000000000101');
    x.touch('u-100', { participantId: '100', username: 'salim', lastTweetId: '1860000000000000001' }, T0);
    const mail = new SqliteEmailStore(sqlite, 'mail');
    const head = { replyTo: 'salim@resident.om', subject: 'حفرة', references: ['root@resident.om'] };
    mail.remember('a1@resident.om', 'm-1', 'in', T0, head);
    mail.remember('a2@resident.om', 'm-1', 'in', T0, head);
    mail.remember('tawasul.5.mail@gov.om', 'm-1', 'out', T0);
    const window = new SqliteServiceWindow(sqlite, 'wa');
    window.touch('96891234567', T0);
    window.touch('96890000000', T0);
    window.close('96890000000');
    const ref = new SqliteReferenceStore(sqlite, 'teams').save(
      { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', bot: { id: 'b', name: 'Tawasul' }, conversation: { id: 'conv-1' } as never },
      T0,
    );

    const modules = await declaredModules();
    const { one, end } = await poolPair(await pgServer.database(), async (p) => {
      await migratePostgres(p);
      await migratePostgresModules(p, modules);
    });
    try {
      const report = await importSqlite(sqlite, one);
      const channelTables = ['webchat_access', 'x_thread_parts', 'x_conversations', 'email_messages', 'whatsapp_window', 'botframework_references'];
      const copied = Object.fromEntries(report.copied.map((c) => [c.table, c.rows]));
      expect(channelTables.map((table) => copied[table])).toEqual([1, 1, 1, 3, 2, 1]);
      expect(report.columnsNotCarried.filter((c) => channelTables.includes(c.split('.')[0]!))).toEqual([]);
      expect(await new PostgresWebchatAccess(one, 'webchat').verify('7d1f0a52-3c1e-4b5e-9a7e-2f1d8c0b6a11', secret)).toBe(true);
      expect(await new PostgresXStore(one, 'x-gov').threadParts(41)).toEqual(new Map([[0, '1860000000000000101']]));
      expect(await new PostgresXStore(one, 'x-gov').conversation('u-100')).toEqual({
        participantId: '100',
        username: 'salim',
        lastTweetId: '1860000000000000001',
      });
      const pgMail = new PostgresEmailStore(one, 'mail');
      expect(await pgMail.conversationOf(['tawasul.5.mail@gov.om'], 'salim@resident.om')).toBe('m-1');
      expect((await pgMail.latestInbound('m-1'))?.messageId).toBe('a2@resident.om');
      expect(await pgMail.remember('a1@resident.om', 'm-1', 'in', T0, head)).toBe(false);
      // Messages remembered after the import come after the copied ones.
      await pgMail.remember('a3@resident.om', 'm-1', 'in', T0, head);
      expect((await pgMail.latestInbound('m-1'))?.messageId).toBe('a3@resident.om');
      const pgWindow = new PostgresServiceWindow(one, 'wa');
      expect(await pgWindow.isOpen('96891234567', new Date(T0.getTime() + 3_600_000))).toBe(true);
      expect(await pgWindow.isOpen('96890000000', new Date(T0.getTime() + 3_600_000))).toBe(false);
      expect(await new PostgresReferenceStore(one, 'teams').get('conv-1')).toEqual(ref);
    } finally {
      await end();
      sqlite.close();
      t.cleanup();
    }
  });
});
