/**
 * The reliability suite's child process: the whole of Tawasul (web chat and WhatsApp Cloud) on a
 * data directory, listening on a loopback port printed as `{"port":N}`, replying to the parent's fake
 * Graph API. The parent kills it with SIGKILL and starts it again on the same directory.
 * Environment: REL_DATA_DIR, REL_GRAPH_URL, REL_SLOW_MS (work per classification, widening the window
 * in which a turn is in flight), REL_FILE_MS (work after a request is filed, before the turn ends),
 * REL_HOLD_MS (how long a WhatsApp send cut off by a kill waits for Meta's status webhook).
 * The cluster test adds: REL_APP_ENV (JSON merged into the app's environment: TAWASUL_DATABASE_URL,
 * TAWASUL_REDIS_URL, tokens), REL_CONFIG_PATCH (JSON merged over the configuration patch below) and
 * REL_CLOCK_OFFSET_MS (the app's clock runs that far from the wall clock; the parent moves it with an
 * IPC message `{ clockOffsetMs }`, answered `{ clockOffsetMs }` once applied).
 */
import type { AddressInfo } from 'node:net';
import { createTawasul } from '../../bot/app.js';
import { mergeConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import type { Classifier } from '../../bot/nlu/types.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { WA_ENV } from '../channels/helpers/whatsapp-cloud-harness.js';

const slowMs = Number(process.env.REL_SLOW_MS ?? 0);
const fileMs = Number(process.env.REL_FILE_MS ?? 0);
const work = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const classifier: Classifier = {
  async classify(text, lang) {
    if (slowMs > 0) await work(slowMs);
    return stubClassifier.classify(text, lang);
  },
};

let clockOffsetMs = Number(process.env.REL_CLOCK_OFFSET_MS ?? 0);
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
if (process.send) {
  process.on('message', (m: { clockOffsetMs?: number }) => {
    if (typeof m?.clockOffsetMs !== 'number') return;
    clockOffsetMs = m.clockOffsetMs;
    process.send!({ clockOffsetMs });
  });
}
const json = (name: string): Record<string, unknown> => JSON.parse(process.env[name] ?? '{}') as Record<string, unknown>;

const app = await createTawasul({
  dataDir: process.env.REL_DATA_DIR!,
  logger: silentLogger,
  classifier,
  clock,
  channels: ['webchat', 'whatsapp'],
  env: { ...WA_ENV, TAWASUL_AGENT_TOKENS: 'agent:reliability-agent-token-0123456789', ...(json('REL_APP_ENV') as Record<string, string>) },
  configPatch: mergeConfig(
    {
      channels: [
        {
          id: 'whatsapp',
          options: {
            graphBaseUrl: process.env.REL_GRAPH_URL,
            perRecipientMinTimeMs: 0,
            messagesPerSecond: 1000,
            maxConcurrent: 4,
            retry: { baseMs: 50, maxMs: 500, maxAttempts: 20 },
            inDoubtHoldMs: Number(process.env.REL_HOLD_MS ?? 0),
          },
        },
      ],
    },
    json('REL_CONFIG_PATCH'),
  ) as Record<string, unknown>,
});
if (fileMs > 0) {
  // Work between filing and the end of the turn (the window in which a crash used to file twice).
  // Staggered (fileMs × 1 … 2.75 in eight steps): turns ending together share one group commit and are
  // answered together, so a kill between answers needs turns that end at different times.
  const requests = app.engine.deps.requests;
  const create = requests.create.bind(requests);
  let filings = 0;
  requests.create = async (input) => {
    const rec = await create(input);
    // Told to the harness, which may kill the process now, inside this window (ServerProcess.filed).
    process.stdout.write('{"filed":true}\n');
    await work(fileMs * (1 + (filings++ % 8) / 4));
    return rec;
  };
}
const server = await app.listen(0);
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
