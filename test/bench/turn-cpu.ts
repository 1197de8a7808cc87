/**
 * `npx tsx test/bench/turn-cpu.ts [MESSAGES] [CONCURRENCY]`: the engine's turn alone, in process (no
 * HTTP): the web chat message mix over 1,000 conversations through `engine.handle`, CONCURRENCY turns
 * in flight, and the main thread's CPU time per message (from /proc). PROFILE=DIR writes a V8 CPU
 * profile of the measured part; HEAP=DIR a sampling allocation profile (objects collected since
 * included: what the turn allocates, read with `npx tsx test/bench/profile-summary.ts FILE`). Then a shorter pass, not timed, counts the SQL statements run per
 * message (`STATEMENTS=1` lists them by text). Asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTawasul } from '../../bot/app.js';
import { timeOrderedId } from '../../bot/core/ids.js';
import { createLogger } from '../../bot/core/logger.js';
import { conversationKey, type InboundMessage } from '../../bot/core/types.js';
import { tempDir } from '../helpers/tmp.js';
import { messageMix } from './targets.js';
import { threadCpuMs } from './thread-cpu.js';

const [messages = 20_000, concurrency = 16] = process.argv.slice(2).map(Number);
const CONVERSATIONS = 1000;
/** Messages of the pass that counts statements (after the timed one). */
const COUNTED = 2000;

/**
 * Runs `fn` with every statement execution of every better-sqlite3 connection in this thread counted
 * (prepared statements' run/get/all/iterate, and `exec`), by SQL text.
 */
async function countStatements(fn: () => Promise<void>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const times = new Map<string, number>();
  const scratch = new Database(':memory:');
  const statement = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  const database = Object.getPrototypeOf(scratch) as Record<string, (...a: unknown[]) => unknown>;
  scratch.close();
  const restore: Array<() => void> = [];
  const wrap = (proto: Record<string, (...a: unknown[]) => unknown>, name: string, sqlOf: (self: unknown, args: unknown[]) => string): void => {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const sql = sqlOf(this, args);
      counts.set(sql, (counts.get(sql) ?? 0) + 1);
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        times.set(sql, (times.get(sql) ?? 0) + performance.now() - t0);
      }
    };
    restore.push(() => {
      proto[name] = original;
    });
  };
  for (const name of ['run', 'get', 'all', 'iterate']) wrap(statement, name, (self) => (self as { source: string }).source);
  wrap(database, 'exec', (_self, args) => String(args[0]));
  try {
    await fn();
  } finally {
    for (const r of restore) r();
  }
  statementTimes = times;
  return counts;
}

/** Wall time spent in each statement during the counted pass, ms (printed with STATEMENTS=1). */
let statementTimes = new Map<string, number>();

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

const t = tempDir('tawasul-turn-');
const app = await createTawasul({
  dataDir: t.dir,
  logger: createLogger({ destination: createWriteStream('/dev/null') }),
  env: { ...process.env, TAWASUL_AGENT_TOKENS: 'bench:bench-token-0123456789abcdef' },
});
try {
  const mix = messageMix();
  const convs = Array.from({ length: CONVERSATIONS }, () => randomUUID());
  const now = new Date();
  for (const c of convs) app.engine.deps.conversations.touch(conversationKey('webchat', c), 'webchat', c, 'ar', now);
  let next = 0;
  const turn = (n: number): Promise<unknown> => {
    const c = convs[n % CONVERSATIONS]!;
    const msg: InboundMessage = {
      channel: 'webchat',
      conversationId: c,
      // As the web chat mints them.
      id: timeOrderedId(),
      from: { id: c },
      text: mix[(Math.floor(n / CONVERSATIONS) + (n % CONVERSATIONS) * 13) % mix.length]!,
      receivedAt: new Date(),
      raw: null,
      client: { address: '127.0.0.1' },
    };
    return app.engine.handle(msg, { fresh: true });
  };
  const drive = async (count: number): Promise<void> => {
    const end = next + count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < end) await turn(next++);
      }),
    );
  };
  await drive(2000); // warm-up
  const session = process.env.PROFILE || process.env.HEAP ? new Session() : undefined;
  session?.connect();
  if (process.env.PROFILE) {
    await session!.post('Profiler.enable');
    await session!.post('Profiler.start');
  }
  if (process.env.HEAP) {
    await session!.post('HeapProfiler.enable');
    await session!.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  await drive(messages);
  const cpu = threadCpuMs() - cpu0;
  const wall = performance.now() - t0;
  if (process.env.PROFILE) {
    const { profile } = await session!.post('Profiler.stop');
    writeFileSync(join(process.env.PROFILE, `turn-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  }
  if (process.env.HEAP) {
    const { profile } = await session!.post('HeapProfiler.stopSampling');
    writeFileSync(join(process.env.HEAP, `turn-${Date.now()}.heapprofile`), JSON.stringify({ ...profile, messages }));
  }
  const counted = await countStatements(() => drive(COUNTED));
  // With --expose-gc: the heap that stays after a full collection (what the turns keep).
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  process.stdout.write(
    `${messages} turns, ${concurrency} in flight: ${(cpu / messages).toFixed(3)} ms CPU/msg (main thread), ${(wall / messages).toFixed(3)} ms wall/msg, ` +
      `RSS ${(mem.rss / 1048576).toFixed(0)} MB, JS heap ${(mem.heapUsed / 1048576).toFixed(0)} MB, ` +
      `${(sum(counted) / COUNTED).toFixed(2)} SQL statements/msg\n`,
  );
  if (process.env.STATEMENTS) {
    for (const [sql, n] of [...counted].sort((a, b) => b[1] - a[1])) {
      const ms = (statementTimes.get(sql) ?? 0) / COUNTED;
      process.stdout.write(`${(n / COUNTED).toFixed(3)} ×  ${ms.toFixed(4)} ms/msg  ${sql.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    }
  }
} finally {
  await app.close();
  t.cleanup();
}
