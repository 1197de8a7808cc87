/**
 * Builds a ChannelContext for adapter tests: the real Engine on a SQLite file in a data directory,
 * a deterministic stub classifier (adapter tests test transport, not understanding), a manual
 * clock, and a logger whose JSON lines are kept for "no personal data in logs" checks.
 */

import { join } from 'node:path';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { WorkingCalendar } from '../../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../../bot/config/load.js';
import { createLogger } from '../../../bot/core/logger.js';
import { Templates } from '../../../bot/core/templates.js';
import type { InboundMessage } from '../../../bot/core/types.js';
import { ChannelDelivery } from '../../../bot/delivery/channel-delivery.js';
import { Inbox } from '../../../bot/delivery/inbox.js';
import { Outbox } from '../../../bot/delivery/outbox.js';
import type { Clock } from '../../../bot/engine/context.js';
import { Engine } from '../../../bot/engine/engine.js';
import { SqlStateStore } from '../../../bot/engine/state.js';
import { SqliteTransactions } from '../../../bot/engine/turn-tx.js';
import type { Classifier } from '../../../bot/nlu/types.js';
import { SqliteConversationStore } from '../../../bot/store/conversation-store.js';
import { coreMigrations } from '../../../bot/store/schema.js';
import { SqliteRequestStore } from '../../../bot/store/sqlite-request-store.js';
import type { ChannelContext } from '../../../channels/types.js';
import { channelStoreMigrations, openFromTemplate, schemaTemplate } from '../../helpers/sqlite.js';

/** The core's and every adapter's schema, migrated once per test file. */
const template = await schemaTemplate([...coreMigrations, ...channelStoreMigrations]);

/** Every message is "unknown" (→ the approved Tajawob reply) except greetings; language by script. */
export const stubClassifier: Classifier = {
  async classify(text, fallback) {
    const language = /[\u0600-\u06FF]/.test(text) ? 'ar' : /[a-z]/i.test(text) ? 'en' : (fallback ?? 'ar');
    const greeting = /^(hi|hello|السلام عليكم|مرحبا)(?=$|[\s!.,،؟?])/i.test(text.trim());
    return { language, intent: greeting ? 'greeting' : 'unknown', service: null, confidence: 1 };
  },
};

/** A ChannelContext plus what tests inspect. */
export interface ChannelTestContext {
  ctx: ChannelContext;
  /** Messages that reached `engine.handle`, in order. */
  received: InboundMessage[];
  /** JSON log lines written so far (shared across restarts when passed in). */
  logs: string[];
  /** Closes the SQLite file. */
  close(): Promise<void>;
}

/** Options of `channelContext`. */
export interface ChannelContextOptions {
  channelId: string;
  dataDir: string;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  /** Merged over the configuration files (for example a channel's hours). */
  configPatch?: Record<string, unknown>;
  /** Log lines collect here (default: a new array). */
  logs?: string[];
  /** The PostgreSQL pool the adapter keeps its own state on (the core stays on the SQLite file). */
  postgres?: pg.Pool;
}

/** Builds the context of one channel instance on a data directory. */
export function channelContext(opts: ChannelContextOptions): ChannelTestContext {
  const logs = opts.logs ?? [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  const config = loadConfig(opts.configPatch ? { patch: opts.configPatch } : {});
  const channel = config.channels.find((c) => c.id === opts.channelId);
  if (!channel) throw new Error(`no channel "${opts.channelId}" in config`);
  const sql = openFromTemplate(template, join(opts.dataDir, 'tawasul.sqlite'));
  const state = new SqlStateStore(sql);
  const conversations = new SqliteConversationStore(sql);
  const inbox = new Inbox(sql);
  const outbox = new Outbox(sql);
  const transactions = new SqliteTransactions(sql, { inbox, state, conversations, outbox });
  const engine = new Engine({
    deps: {
      config,
      templates: new Templates(),
      calendar: new WorkingCalendar(config.calendar),
      classifier: stubClassifier,
      requests: new SqliteRequestStore(sql),
      conversations,
      clock: opts.clock,
      logger,
    },
    state,
    inbox,
    transactions,
  });
  const received: InboundMessage[] = [];
  const handle = engine.handle.bind(engine);
  engine.handle = async (msg, turn) => {
    received.push(msg);
    return handle(msg, turn);
  };
  const ctx: ChannelContext = {
    channel,
    config,
    engine,
    logger,
    clock: opts.clock,
    sql,
    delivery: new ChannelDelivery({ outbox, transactions }),
    dataDir: opts.dataDir,
    env: opts.env ?? {},
    ...(opts.postgres ? { postgres: opts.postgres } : {}),
  };
  return {
    ctx,
    received,
    logs,
    async close() {
      sql.close();
    },
  };
}
