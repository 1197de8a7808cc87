/** The channel stores' contracts on SQLite: two connections to one file stand for two instances. */
import { join } from 'node:path';
import { coreMigrations } from '../../bot/store/schema.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { SqliteReferenceStore } from '../../channels/botframework/store.js';
import { SqliteEmailStore } from '../../channels/email/store.js';
import { SqliteWebchatAccess } from '../../channels/webchat/store.js';
import { SqliteServiceWindow } from '../../channels/whatsapp-cloud/store.js';
import { SqliteXStore } from '../../channels/x/store.js';
import { channelStoreMigrations, openFromTemplate, schemaTemplate } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { emailStoreContract } from './email-store-contract.js';
import { referenceStoreContract } from './reference-store-contract.js';
import { serviceWindowContract } from './service-window-contract.js';
import { type StorePair, storePair } from './store-pair.js';
import { webchatAccessContract } from './webchat-access-contract.js';
import { xStoreContract } from './x-store-contract.js';

const template = await schemaTemplate([...coreMigrations, ...channelStoreMigrations]);

/** Two connections to one fresh file, each store built on its own connection. */
function sqlitePair<S>(build: (sql: SqliteDatabase, channel: string) => S): Promise<StorePair<S>> {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  const [one, two] = [openFromTemplate(template, file), openFromTemplate(template, file)];
  return Promise.resolve(
    storePair(
      (c) => build(one, c),
      (c) => build(two, c),
      async () => {
        one.close();
        two.close();
        t.cleanup();
      },
    ),
  );
}

webchatAccessContract('sqlite', () => sqlitePair((sql, c) => new SqliteWebchatAccess(sql, c)));
xStoreContract('sqlite', () => sqlitePair((sql, c) => new SqliteXStore(sql, c)));
emailStoreContract('sqlite', () => sqlitePair((sql, c) => new SqliteEmailStore(sql, c)));
serviceWindowContract('sqlite', (hours) => sqlitePair((sql, c) => new SqliteServiceWindow(sql, c, hours)));
referenceStoreContract('sqlite', () => sqlitePair((sql, c) => new SqliteReferenceStore(sql, c)));
