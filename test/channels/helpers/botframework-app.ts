/**
 * Tawasul (createTawasul: registry, config options, routes, start/stop) with only the Bot Framework
 * channel, on loopback, with the deterministic stub classifier of channel-context.ts (these tests
 * exercise transport, not understanding). Activities are POSTed over real HTTP to `/api/messages`;
 * replies go to a FakeConnector given as the activities' `serviceUrl`.
 */
import type { AddressInfo } from 'node:net';
import { createTawasul, type Tawasul } from '../../../bot/app.js';
import { silentLogger } from '../../../bot/core/logger.js';
import type { Clock } from '../../../bot/engine/context.js';
import type { BotFrameworkAdapter } from '../../../channels/botframework/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { stubClassifier } from './channel-context.js';

/** Test defaults: fast polling and back-off, no per-conversation spacing unless a test asks. */
export const FAST_OPTIONS = {
  pollMs: 25,
  sendTimeoutMs: 1000,
  limits: { maxConcurrent: 4, minTimeMs: 0, perConversationMinTimeMs: 0 },
  retry: { baseMs: 20, maxMs: 100, maxAttempts: 3 },
};

/** A running instance. */
export interface BotFrameworkApp {
  app: Tawasul;
  adapter: BotFrameworkAdapter;
  base: string;
  dataDir: string;
  /** POSTs an activity (JSON) to the messaging endpoint. */
  post(activity: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Stops this instance; the data directory stays. */
  stop(): Promise<void>;
  /** Removes the data directory (after `stop`). */
  cleanup(): void;
}

/** Options of `startBotFramework`. */
export interface StartOptions {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  options?: Record<string, unknown>;
  clock?: Clock;
}

/** Starts Tawasul with the `botframework` channel enabled. */
export async function startBotFramework(opts: StartOptions = {}): Promise<BotFrameworkApp> {
  const t = opts.dataDir ? { dir: opts.dataDir, cleanup: () => undefined } : tempDir('tawasul-bf-');
  const app = await createTawasul({
    dataDir: t.dir,
    logger: silentLogger,
    classifier: stubClassifier,
    channels: ['botframework'],
    env: { TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef', ...opts.env },
    configPatch: { channels: [{ id: 'botframework', enabled: true, options: { ...FAST_OPTIONS, ...opts.options } }] },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const server = await app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adapter = app.adapters.get('botframework') as BotFrameworkAdapter;
  return {
    app,
    adapter,
    base,
    dataDir: t.dir,
    post: (activity, headers = {}) =>
      fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
      }),
    stop: () => app.close(),
    cleanup: () => t.cleanup(),
  };
}
