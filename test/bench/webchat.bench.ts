/**
 * Web chat throughput and latency through the full path (HTTP → engine → classifier → SQLite →
 * reply), beside a bare Express JSON handler measured in the same run, plus classification time.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createTawasul } from '../../bot/app.js';
import { silentLogger } from '../../bot/core/logger.js';
import { createClassifier } from '../../bot/nlu/classifier.js';
import { tempDir } from '../helpers/tmp.js';

const MESSAGES = [
  'السلام عليكم', 'ما هي أوقات الدوام؟', 'عندي شكوى على البلدية', 'what is the call centre number?',
  'كم يوم ياخذ طلب التدريب', 'thank you', 'أقترح زيادة الإنارة في الحي', 'hello', 'شكرا لكم',
  'how long does pest control take?',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function load(total: number, concurrency: number, send: (i: number) => Promise<void>): Promise<{ rps: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await send(i);
      lat.push(performance.now() - t0);
    }
  }));
  const secs = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { rps: total / secs, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const listen = (app: express.Express): Promise<Server> => new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });

/** Runs the web chat benchmark and prints its figures. */
export async function run(): Promise<void> {
  const total = Number(process.env.BENCH_MESSAGES ?? 3000);
  const concurrency = 16;

  const bare = express();
  bare.post('/echo', express.json({ limit: '64kb' }), (req, res) => { res.json({ replies: [{ text: String(req.body.text ?? '') }] }); });
  const bareServer = await listen(bare);
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/echo`;

  const t = tempDir('tawasul-bench-');
  const classifier = await createClassifier();
  const app = await createTawasul({ dataDir: t.dir, logger: silentLogger, classifier, channels: ['webchat'], env: { TAWASUL_AGENT_TOKENS: 'b:bench-token-0123456789abcdef' } });
  const server = await app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const conversations = await Promise.all(Array.from({ length: 64 }, async () =>
    ((await (await fetch(`${base}/api/webchat/conversations`, { method: 'POST' })).json()) as { conversationId: string }).conversationId));

  const post = async (url: string, text: string): Promise<void> => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    await r.arrayBuffer();
  };
  // Warm up both paths.
  await load(200, concurrency, (i) => post(bareUrl, MESSAGES[i % MESSAGES.length]!));
  await load(200, concurrency, (i) => post(`${base}/api/webchat/conversations/${conversations[i % 64]}/messages`, MESSAGES[i % MESSAGES.length]!));

  const b = await load(total, concurrency, (i) => post(bareUrl, MESSAGES[i % MESSAGES.length]!));
  const f = await load(total, concurrency, (i) => post(`${base}/api/webchat/conversations/${conversations[i % 64]}/messages`, MESSAGES[i % MESSAGES.length]!));

  const times: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = performance.now();
    await classifier.classify(MESSAGES[i % MESSAGES.length]!);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);

  console.log(`webchat: ${total} messages, concurrency ${concurrency}`);
  console.log(`  bare express JSON handler: ${b.rps.toFixed(0)} msg/s, p50 ${b.p50.toFixed(2)} ms, p99 ${b.p99.toFixed(2)} ms`);
  console.log(`  tawasul full path:         ${f.rps.toFixed(0)} msg/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms`);
  console.log(`  ratio (tawasul / bare):    ${(f.rps / b.rps).toFixed(2)} (aim >= 0.5)`);
  console.log(`classification: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms per message (aim p99 < 1 ms)`);

  await app.close();
  await new Promise<void>((r) => bareServer.close(() => r()));
  t.cleanup();
}
