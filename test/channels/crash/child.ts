/**
 * The crash test's child process: the WhatsApp Cloud adapter on a data directory, its webhook on a
 * loopback port (printed as `{"port":N}` on stdout), replies to the parent's fake Graph API.
 * Environment: CRASH_DATA_DIR, CRASH_GRAPH_URL and the WHATSAPP_* credentials.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { systemClock } from '../../../bot/engine/context.js';
import { createWhatsAppCloud, whatsappCloudOptions } from '../../../channels/whatsapp-cloud/index.js';
import { channelContext } from '../helpers/channel-context.js';

const dataDir = process.env.CRASH_DATA_DIR!;
const t = channelContext({ channelId: 'whatsapp', dataDir, clock: systemClock, env: process.env });
const adapter = createWhatsAppCloud(
  t.ctx,
  whatsappCloudOptions.parse({
    graphBaseUrl: process.env.CRASH_GRAPH_URL,
    maxConcurrent: 1,
    messagesPerSecond: 500,
    perRecipientMinTimeMs: 0,
    retry: { baseMs: 50, maxMs: 500, maxAttempts: 20 },
    // This fake provider sends no status webhooks: a send cut off by the kill goes out again at once.
    inDoubtHoldMs: 0,
  }),
);
// A slow classifier keeps messages claimed but unfinished when the parent kills us (replay path).
const slowMs = Number(process.env.CRASH_SLOW_MS ?? 0);
const classifier = t.ctx.engine.deps.classifier;
t.ctx.engine.deps.classifier = {
  classify: async (text, lang) => {
    await new Promise((r) => setTimeout(r, slowMs));
    return classifier.classify(text, lang);
  },
};
const app = express();
const router = express.Router();
adapter.routes!(router);
app.use(router);
await adapter.start!();
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  void adapter.stop!()
    .then(() => t.close())
    .then(() => process.exit(0));
});
