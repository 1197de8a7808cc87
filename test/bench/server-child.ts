/**
 * A benchmark target in its own process (forked by webchat.bench.ts with tsx): `bare` is an Express 5
 * JSON handler on the web chat's route, `tawasul` the full server on the given data directory. Sends
 * `{ ready, port, startupMs }` once listening (startupMs: from process start, Node boot included), then
 * answers `stats` with its RSS, its main thread's CPU time so far, the event loop's longest delay since the last `stats` and, for Tawasul, the backlog's progress; `stop` closes and exits.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { threadCpuMs, threadsCpuMs } from './thread-cpu.js';

const [mode, dataDir] = process.argv.slice(2);
let server: Server;
let close: () => Promise<void> = async () => undefined;
let stats: () => Record<string, number> = () => ({});

if (mode === 'bare') {
  const { default: express } = await import('express');
  const app = express();
  app.post('/api/webchat/conversations/:cid/messages', express.json({ limit: '64kb' }), (req, res) => {
    res.json({ duplicate: false, replies: [{ kind: 'answer', text: String((req.body as { text?: unknown }).text ?? '') }] });
  });
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
} else {
  const { createTawasul } = await import('../../bot/app.js');
  const { createLogger } = await import('../../bot/core/logger.js');
  // The production logger (info level), written to /dev/null.
  const app = await createTawasul({
    dataDir: dataDir!,
    logger: createLogger({ destination: createWriteStream('/dev/null') }),
    env: { ...process.env, TAWASUL_AGENT_TOKENS: 'bench:bench-token-0123456789abcdef' },
  });
  server = await app.listen(0);
  close = () => app.close();
  stats = () => ({
    ...(app.sql.db
      .prepare(
        `SELECT COUNT(*) AS pending, COALESCE(SUM(last_error IS NOT NULL), 0) AS touched FROM outbox WHERE recipient_kind IS NOT NULL AND state = 'pending'`,
      )
      .get() as Record<string, number>),
    ...app.sql.checkpointStats,
  });
}

/**
 * CPU time of the main thread (the event loop, which bounds throughput), from /proc on Linux; the whole
 * process elsewhere (then the checkpoint worker and the thread pool count too).
 */
function mainThreadCpuMs(): number {
  try {
    return threadCpuMs();
  } catch {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  }
}

// The event loop's longest block since the last `stats` (a stall on the loop, as opposed to queueing).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
// Time from the request's headers being parsed to its answer being written, inside this process.
const inside = createHistogram();
server.on('request', (_req, res) => {
  const t0 = process.hrtime.bigint();
  res.once('finish', () => inside.record(Number(process.hrtime.bigint() - t0) || 1));
});
// HEAP_PROFILE=DIR: a sampling allocation profile (collected objects included) from the first `stats` to `stop`.
const heapSession = process.env.HEAP_PROFILE ? new Session() : undefined;
let sampling = false;
process.send!({ ready: true, port: (server.address() as AddressInfo).port, startupMs: performance.now() });
process.on('message', (m: string) => {
  if (m === 'stats' && heapSession && !sampling) {
    sampling = true;
    heapSession.connect();
    void heapSession.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  if (m === 'stats') {
    const mem = process.memoryUsage();
    process.send!({
      rss: mem.rss,
      heapMb: mem.heapUsed / 1048576,
      heapTotalMb: mem.heapTotal / 1048576,
      externalMb: mem.external / 1048576,
      cpuMs: mainThreadCpuMs(),
      processCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      threadCpuMs: threadsCpuMs(),
      pid: process.pid,
      loopMaxMs: loop.max / 1e6,
      insideP99Ms: inside.count ? inside.percentile(99) / 1e6 : 0,
      insideMaxMs: inside.count ? inside.max / 1e6 : 0,
      ...stats(),
    });
    loop.reset();
    inside.reset();
  }
  if (m === 'stop') {
    const written = sampling
      ? heapSession!.post('HeapProfiler.stopSampling').then(({ profile }) => {
          writeFileSync(join(process.env.HEAP_PROFILE!, `server-${process.pid}.heapprofile`), JSON.stringify(profile));
        })
      : Promise.resolve();
    void written.then(close).then(() => server.close(() => process.exit(0)));
  }
});
