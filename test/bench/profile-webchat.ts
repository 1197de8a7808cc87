/**
 * `npx tsx test/bench/profile-webchat.ts [SECONDS] [CONNECTIONS] [REPS]`: the Tawasul target alone under
 * the web chat load, its main-thread CPU time per message per repetition (steadier than msg/s on a
 * shared machine), and RSS after load. NODE_FLAGS adds Node flags to the target; PROFILE=DIR writes a V8 CPU profile of the target there
 * (`node --cpu-prof`; read it with `npx tsx test/bench/profile-summary.ts FILE`); HEAP_PROFILE=DIR (read by
 * the target itself) a sampling profile of what it allocates from the first repetition on; BENCH_IDLE_MS
 * leaves the target idle that long before each repetition. BENCH_STORE=year
 * measures on a generated year of data; BENCH_CONFIG=postgres runs the target on a PostgreSQL and a
 * redis-server started on loopback, as the bench's `postgres` configuration does. Prints each thread's CPU per message (main thread first, then
 * the busiest others: the classifier's thread, the checkpoint worker, V8's helpers). Asserts nothing.
 */
import { tempDir } from '../helpers/tmp.js';
import { benchConfigs } from './configs.js';
import { generateYear } from './generate-year.js';
import { load, median, messageMix, openConversations, startTarget, trainedDataDir, writeLoadData } from './targets.js';

const [seconds = 5, connections = 16, reps = 3] = process.argv.slice(2).map(Number);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const t = tempDir('tawasul-profile-');
try {
  const dir = await trainedDataDir(t.dir);
  if (process.env.BENCH_STORE === 'year') await generateYear(dir, { scale: Number(process.env.BENCH_SCALE ?? 1) });
  const prof = process.env.PROFILE;
  const flags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const servers = await benchConfigs([process.env.BENCH_CONFIG ?? 'embedded'], (line) => process.stdout.write(`${line}\n`));
  const config = servers.configs[0];
  if (!config) throw new Error(`configuration ${process.env.BENCH_CONFIG} cannot run here`);
  const target = await startTarget('tawasul', dir, [...flags, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])], await config.env('empty'));
  try {
    const convs = await openConversations(target.origin, CONVERSATIONS);
    const data = writeLoadData(dir, convs, messageMix());
    await load(target.origin, data, 1, connections);
    const cpu: number[] = [];
    for (let i = 0; i < reps; i++) {
      // BENCH_IDLE_MS: the target idle this long before each repetition (as in the bench, while the other target is loaded).
      if (process.env.BENCH_IDLE_MS) await new Promise((r) => setTimeout(r, Number(process.env.BENCH_IDLE_MS)));
      const before = await target.stats();
      const r = await load(target.origin, data, seconds, connections);
      const after = await target.stats();
      const per = (after.cpuMs - before.cpuMs) / Math.max(1, r.rps * seconds);
      const all = (after.processCpuMs - before.processCpuMs) / Math.max(1, r.rps * seconds);
      cpu.push(per);
      const threads = Object.entries(after.threadCpuMs ?? {})
        .map(([tid, ms]) => ({ tid, per: (ms - (before.threadCpuMs?.[tid] ?? 0)) / Math.max(1, r.rps * seconds) }))
        .filter((t) => t.per >= 0.001)
        .sort((a, b) => (a.tid === String(after.pid) ? -1 : b.tid === String(after.pid) ? 1 : b.per - a.per))
        .map((t) => `${t.tid === String(after.pid) ? 'main' : t.tid} ${t.per.toFixed(3)}`);
      process.stdout.write(
        `rep ${i + 1}: ${r.rps.toFixed(0)} msg/s, ${per.toFixed(3)} ms CPU/msg (all threads ${all.toFixed(3)}), p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
          `event loop max block ${after.loopMaxMs.toFixed(0)} ms, in-server p99 ${after.insideP99Ms.toFixed(0)} max ${after.insideMaxMs.toFixed(0)} ms, errors ${r.errors}; ` +
          `WAL hand-backs ${(after.handBacks ?? 0) - (before.handBacks ?? 0)} (${(after.pagesOnLoop ?? 0) - (before.pagesOnLoop ?? 0)} pages copied on the event loop)\n` +
          `  threads, ms CPU/msg: ${threads.join(', ')}\n`,
      );
    }
    const s = await target.stats();
    process.stdout.write(
      `median ${median(cpu).toFixed(3)} ms CPU/msg at ${connections} connections; RSS after load ${(s.rss / 1048576).toFixed(0)} MB (JS heap ${s.heapMb.toFixed(0)} of ${s.heapTotalMb.toFixed(0)} MB, external ${s.externalMb.toFixed(0)} MB); start-up ${target.startupMs.toFixed(0)} ms\n`,
    );
  } finally {
    await target.stop();
    await servers.stop();
  }
} finally {
  t.cleanup();
}
