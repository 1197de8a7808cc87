/**
 * Web chat throughput and latency through the full path (HTTP → engine → classifier → SQLite →
 * reply), beside a bare Express JSON handler measured in the same run, plus classification time.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The p-th percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type LoadResult = { rps: number; p50: number; p99: number; tool: string };

/** Runs `cmd` and returns its stdout (throws on a non-zero exit). */
function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/**
 * Loads `urls` from another process: wrk (Debian's package, when installed) for `seconds`, or
 * else the Node load client for `total` requests. Either way both targets get the same client.
 */
async function load(total: number, seconds: number, concurrency: number, urls: string[]): Promise<LoadResult> {
  const bodies = MESSAGES.map((text) => JSON.stringify({ text }));
  if (existsSync(WRK)) {
    const origin = new URL(urls[0]!).origin;
    const lua = join(tmpdir(), `tawasul-bench-${process.pid}.lua`);
    writeFileSync(lua, [
      `local paths = { ${urls.map((u) => `[[${new URL(u).pathname}]]`).join(', ')} }`,
      `local bodies = { ${bodies.map((b) => `[[${b}]]`).join(', ')} }`,
      'local i = 0',
      'request = function()',
      '  i = i + 1',
      '  return wrk.format("POST", paths[(i % #paths) + 1], { ["Content-Type"] = "application/json" }, bodies[(i % #bodies) + 1])',
      'end',
      'done = function(s, latency)',
      '  local e = s.errors.status + s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout',
      '  io.write(string.format("\\nRESULT %f %f %f %d\\n", s.requests / (s.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, e))',
      'end',
    ].join('\n'));
    const out = await exec(WRK, ['-t1', `-c${concurrency}`, `-d${seconds}s`, '-s', lua, origin]);
    const m = /RESULT (\S+) (\S+) (\S+) (\d+)/.exec(out);
    if (!m) throw new Error(`unexpected wrk output: ${out}`);
    if (Number(m[4]) > 0) throw new Error(`wrk saw ${m[4]} errors`);
    return { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), tool: 'wrk' };
  }
  const out = await exec(process.execPath, [CLIENT, String(total), String(concurrency), JSON.stringify(MESSAGES.map((text) => ({ text }))), JSON.stringify(urls)]);
  return { ...(JSON.parse(out) as Omit<LoadResult, 'tool'>), tool: 'node load client' };
}

const WRK = '/usr/bin/wrk';
const CLIENT = fileURLToPath(new URL('./load-client.mjs', import.meta.url));

const listen = (app: express.Express): Promise<Server> => new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });

/** Runs the web chat benchmark and prints its figures. */
export async function run(): Promise<void> {
  const total = Number(process.env.BENCH_MESSAGES ?? 3000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
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
    (await (await fetch(`${base}/api/webchat/conversations`, { method: 'POST' })).json()) as { conversationId: string; secret: string }));

  const chatUrls = conversations.map((c) => `${base}/api/webchat/conversations/${c.conversationId}/messages#${c.secret}`);
  // Warm up both paths, then measure each with the same client.
  await load(300, 1, concurrency, [bareUrl]);
  await load(300, 1, concurrency, chatUrls);
  const b = await load(total, seconds, concurrency, [bareUrl]);
  const f = await load(total, seconds, concurrency, chatUrls);

  const times: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = performance.now();
    await classifier.classify(MESSAGES[i % MESSAGES.length]!);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);

  console.log(`webchat: concurrency ${concurrency}, load from another process (${b.tool}${b.tool === 'wrk' ? `, ${seconds} s per target` : `, ${total} messages per target`})`);
  console.log(`  bare express JSON handler: ${b.rps.toFixed(0)} msg/s, p50 ${b.p50.toFixed(2)} ms, p99 ${b.p99.toFixed(2)} ms`);
  console.log(`  tawasul full path:         ${f.rps.toFixed(0)} msg/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms`);
  console.log(`  ratio (tawasul / bare):    ${(f.rps / b.rps).toFixed(2)} (aim >= 0.5)`);
  console.log(`classification: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms per message (aim p99 < 1 ms)`);

  await app.close();
  await new Promise<void>((r) => bareServer.close(() => r()));
  t.cleanup();
}
