/**
 * The web chat through the full path (HTTP → engine → classifier → SQLite → reply) against a bare
 * Express 5 JSON handler on the same route, measured in the same run with the same load from another
 * process: many conversations, a realistic message mix, repetitions with the order rotated and the
 * ratio per repetition, at several connection counts; on an empty store, a pre-filled year and a
 * notification backlog; with start-up time and RSS after load. Prints one table; asserts nothing.
 * Two configurations of Tawasul, each against the bare handler of its own measurement: `embedded`
 * (SQLite in the data directory, quotas in process) and `postgres` (TAWASUL_DATABASE_URL and
 * TAWASUL_REDIS_URL on a throwaway PostgreSQL and redis-server started on loopback for the run; the
 * empty store only, since the pre-filled ones are generated as SQLite files).
 *
 * Environment: BENCH_SECONDS (5), BENCH_SLICE_SECONDS (1: each repetition alternates the targets slice by
 * slice, A B B A…), BENCH_REPS (3), BENCH_CONNECTIONS ("16,64"), BENCH_CONVERSATIONS
 * (1000), BENCH_STORES ("empty,year,backlog"), BENCH_SCALE (1 = a year: 100k conversations, 1M
 * transcript lines, 200k requests), BENCH_BACKLOG (380000), BENCH_CONFIGS ("embedded,postgres"),
 * BENCH_KEEP=1 keeps the data directories.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClassifier } from '../../bot/nlu/classifier.js';
import { tempDir } from '../helpers/tmp.js';
import { type BenchConfig, benchConfigs } from './configs.js';
import { generateYear } from './generate-year.js';
import { type LoadResult, load, loadTool, median, messageMix, openConversations, SERVER_ENV, SERVER_FLAGS, startTarget, writeLoadData } from './targets.js';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const REPS = Number(env.BENCH_REPS ?? 3);
const CONNECTIONS = (env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number);
const CONVERSATIONS = Number(env.BENCH_CONVERSATIONS ?? 1000);
const STORES = (env.BENCH_STORES ?? 'empty,year,backlog').split(',');
const SCALE = Number(env.BENCH_SCALE ?? 1);
const BACKLOG = Number(env.BENCH_BACKLOG ?? 380_000);
const CONFIGS = (env.BENCH_CONFIGS ?? 'embedded,postgres').split(',');
/** Seconds per slice: a repetition alternates the targets slice by slice (ABBA), so that a drift of the machine's speed hits both alike. */
const SLICE = Math.max(1, Math.min(SECONDS, Number(env.BENCH_SLICE_SECONDS ?? 1)));

interface Row {
  config: string;
  store: string;
  connections: number;
  bare: LoadResult[];
  tawasul: LoadResult[];
  ratios: string[];
  /** Tawasul's own p99 (request parsed → answer written) and its event loop's longest block, per repetition. */
  inside: Array<{ p99: number; loopMax: number }>;
  startupMs: number;
  rssMb: number;
  note: string;
}

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

type Target = Awaited<ReturnType<typeof startTarget>>;

/**
 * One repetition: SECONDS of load on each target, in slices of SLICE seconds alternating A B B A A B…
 * (`order` gives A), so that both see the machine alike even when its speed drifts within the
 * repetition. Per target: msg/s and CPU per message over all its slices, p50 and p99 the median of
 * the slices' (a slice's first requests wait for its connections to open: at 64 connections that alone
 * can reach a few hundred ms at wrk's end, so the worst slice's p99 is kept apart, `p99Max`), Tawasul's
 * own p99 and longest block the worst slice's.
 */
async function interleaved(
  order: [Target, Target],
  data: Parameters<typeof load>[1],
  connections: number,
): Promise<{ bare: LoadResult; tawasul: LoadResult; inside: { p99: number; loopMax: number } }> {
  const slices = Math.max(1, Math.round(SECONDS / SLICE));
  const acc = new Map<string, { msgs: number; secs: number; cpu: number; all: number; p50: number[]; p99: number[]; errors: number }>();
  const inside = { p99: 0, loopMax: 0 };
  for (let i = 0; i < 2 * slices; i++) {
    const t = order[(i + 1) % 4 < 2 ? 0 : 1];
    const before = await t.stats();
    const r = await load(t.origin, data, SLICE, connections);
    const after = await t.stats();
    const a = acc.get(t.name) ?? { msgs: 0, secs: 0, cpu: 0, all: 0, p50: [], p99: [], errors: 0 };
    acc.set(t.name, a);
    a.msgs += r.rps * SLICE;
    a.secs += SLICE;
    a.cpu += after.cpuMs - before.cpuMs;
    a.all += after.processCpuMs - before.processCpuMs;
    a.p50.push(r.p50);
    a.p99.push(r.p99);
    a.errors += r.errors;
    if (t.name === 'tawasul') {
      inside.p99 = Math.max(inside.p99, after.insideP99Ms);
      inside.loopMax = Math.max(inside.loopMax, after.loopMaxMs);
    }
  }
  const result = (name: string): LoadResult => {
    const a = acc.get(name)!;
    const n = Math.max(1, a.msgs);
    return {
      rps: a.msgs / a.secs,
      p50: median(a.p50),
      p99: median(a.p99),
      p99Max: Math.max(...a.p99),
      errors: a.errors,
      cpuMs: a.cpu / n,
      allCpuMs: a.all / n,
    };
  };
  return { bare: result('bare'), tawasul: result('tawasul'), inside };
}

/** Prepares a store's data directory (warm classifier cache copied in). */
async function prepare(store: string, dir: string, cache: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  cpSync(cache, join(dir, 'cache'), { recursive: true });
  if (store === 'empty') return '';
  const t0 = performance.now();
  const counts = await generateYear(dir, store === 'year' ? { scale: SCALE } : { empty: true, backlog: BACKLOG });
  if (store === 'backlog') {
    // The sweep runs every second, so the backlog is being worked through during the measurement.
    writeFileSync(join(dir, 'config.local.yaml'), 'sla:\n  sweep:\n    intervalSeconds: 1\n');
  }
  const what = Object.entries(counts)
    .filter(([k]) => !k.endsWith('Ms'))
    .map(([k, v]) => `${fmt(v)} ${k}`)
    .join(', ');
  process.stdout.write(`  ${store}: generated ${what} in ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
  return what;
}

/**
 * Measures one store at every connection count. Every repetition starts a fresh pair of processes
 * (bare and Tawasul on the same data directory): one process of the same code can run 10–20% faster
 * or slower than another for its whole life (measured on the bare handler, interleaved), so a pair
 * kept for every repetition would carry one pair's luck into all of them.
 */
async function measureStore(config: BenchConfig, store: string, dir: string, cache: string, mix: string[]): Promise<Row[]> {
  await prepare(store, dir, cache);
  const targetEnv = { ...SERVER_ENV, ...(await config.env(store)) };
  // The same Node flags as `npm start` for both targets (a 2 MB young generation keeps RSS under 200 MB).
  const first = await startTarget('tawasul', dir, SERVER_FLAGS, targetEnv);
  let data: Parameters<typeof load>[1];
  try {
    data = writeLoadData(dir, await openConversations(first.origin, CONVERSATIONS), mix);
  } finally {
    await first.stop();
  }
  const rows: Row[] = [];
  const starts: number[] = [];
  let last: Awaited<ReturnType<Target['stats']>> | undefined;
  const connections = store === 'backlog' ? [16] : CONNECTIONS;
  for (const c of connections) {
    const row: Row = { config: config.name, store, connections: c, bare: [], tawasul: [], ratios: [], inside: [], startupMs: 0, rssMb: 0, note: '' };
    for (let rep = 0; rep < REPS; rep++) {
      const bare = await startTarget('bare', '', SERVER_FLAGS, SERVER_ENV);
      const tawasul = await startTarget('tawasul', dir, SERVER_FLAGS, targetEnv);
      try {
        starts.push(tawasul.startupMs);
        await load(bare.origin, data, 1, 16); // warm-up of both paths
        await load(tawasul.origin, data, 1, 16);
        // Rotate the order: bare first on even repetitions, Tawasul first on odd ones.
        const got = await interleaved(rep % 2 === 0 ? [bare, tawasul] : [tawasul, bare], data, c);
        last = await tawasul.stats();
        row.inside.push(got.inside);
        row.bare.push(got.bare);
        row.tawasul.push(got.tawasul);
        row.ratios.push(`${(got.tawasul.rps / got.bare.rps).toFixed(2)}${rep % 2 ? 'ᵗ' : 'ᵇ'}`);
        process.stdout.write(
          `  ${config.name} ${store} c=${c} rep ${rep + 1}: bare ${fmt(got.bare.rps)}/s ${fmt(got.bare.cpuMs!, 3)} ms CPU/msg, ` +
            `tawasul ${fmt(got.tawasul.rps)}/s ${fmt(got.tawasul.cpuMs!, 3)} ms CPU/msg p99 ${fmt(got.tawasul.p99, 1)} ms\n`,
        );
      } finally {
        await bare.stop();
        await tawasul.stop();
      }
    }
    rows.push(row);
  }
  // The slowest warm start of the store; RSS after the last repetition's load.
  for (const r of rows) {
    r.startupMs = Math.max(...starts);
    r.rssMb = (last?.rss ?? 0) / 1048576;
  }
  if (store === 'backlog') rows[0]!.note = `${fmt(last?.touched ?? 0)} of ${fmt(BACKLOG)} pending rows deferred by the sweep during the run`;
  return rows;
}

/** Runs the web chat benchmark and prints its table. */
export async function run(): Promise<void> {
  const t = tempDir('tawasul-bench-');
  const mix = messageMix();
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const { configs, stop } = await benchConfigs(CONFIGS, say);
  try {
    // Train the classifier once (cold start), then every store starts warm from the cached weights.
    const cold = join(t.dir, 'cold');
    const first = await startTarget('tawasul', cold);
    await first.stop();
    const again = await startTarget('tawasul', cold);
    await again.stop();
    process.stdout.write(`  start-up: first start ${fmt(first.startupMs)} ms (trains the classifier), warm ${fmt(again.startupMs)} ms\n`);

    const rows: Row[] = [];
    for (const config of configs) {
      for (const store of config.stores(STORES))
        rows.push(...(await measureStore(config, store, join(t.dir, `${config.name}-${store}`), join(cold, 'cache'), mix)));
    }

    const times: number[] = [];
    const classifier = await createClassifier({ cacheDir: join(cold, 'cache') });
    for (let i = 0; i < 5000; i++) {
      const t0 = performance.now();
      await classifier.classify(mix[i % mix.length]!);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);

    const out: string[] = [];
    out.push(
      `\nweb chat, ${fmt(CONVERSATIONS)} conversations, ${mix.length}-message mix, ${SECONDS} s per target and repetition in ${SLICE} s slices alternating A B B A, load from another process (${loadTool()}); medians of ${REPS} repetitions`,
    );
    out.push("ratio per repetition: ᵇ bare measured first, ᵗ Tawasul first. CPU ms/msg: the server's main-thread (event loop) CPU time per");
    out.push('message, median; its ratio (bare / Tawasul) is the throughput ratio when both are CPU-bound, steadier than msg/s on a shared machine.');
    out.push("All threads: Tawasul's CPU time per message over every thread of its process (the classifier's thread, the WAL checkpoints)\n");
    out.push(
      '| config | store | conn | bare msg/s | Tawasul msg/s | ratio per repetition | CPU ms/msg bare / Tawasul (ratio) | all threads | Tawasul p50 | Tawasul p99 | errors | start-up | RSS after load |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const tw = r.tawasul;
      const cpuBare = median(r.bare.map((x) => x.cpuMs!));
      const cpuTw = median(tw.map((x) => x.cpuMs!));
      out.push(
        `| ${r.config} | ${r.store} | ${r.connections} | ${fmt(median(r.bare.map((x) => x.rps)))} | ${fmt(median(tw.map((x) => x.rps)))} | ${r.ratios.join(' ')} | ` +
          `${fmt(cpuBare, 3)} / ${fmt(cpuTw, 3)} (${(cpuBare / cpuTw).toFixed(2)}) | ${fmt(median(tw.map((x) => x.allCpuMs!)), 3)} | ` +
          `${fmt(median(tw.map((x) => x.p50)), 1)} ms | ${fmt(median(tw.map((x) => x.p99)), 1)} ms (worst slice ${fmt(Math.max(...tw.map((x) => x.p99Max ?? x.p99)), 1)}) | ` +
          `${tw.reduce((a, x) => a + x.errors, 0) + r.bare.reduce((a, x) => a + x.errors, 0)} | ${fmt(r.startupMs)} ms | ${fmt(r.rssMb)} MB |`,
      );
    }
    out.push(`\nwarm start-up, empty store: ${fmt(again.startupMs)} ms (aim < 2,000); first start ${fmt(first.startupMs)} ms (trains the classifier)`);
    for (const r of rows.filter((x) => x.note)) out.push(`${r.config} ${r.store}: ${r.note}`);
    // Each configuration's throughput against the bare handler measured beside it (median of the repetitions' ratios).
    const ratio = (r: Row): string => median(r.tawasul.map((x, i) => x.rps / r.bare[i]!.rps)).toFixed(2);
    out.push(
      `ratio to the bare Express handler (msg/s, median per repetition): ${rows.map((r) => `${r.config} ${r.store} c=${r.connections} ${ratio(r)}`).join('; ')}`,
    );
    out.push(
      'Tawasul inside its own process (request parsed → answer written: p99 per repetition; event loop longest block), to tell a stall of the server from queueing outside it:',
    );
    for (const r of rows)
      out.push(
        `  ${r.config} ${r.store} c=${r.connections}: p99 ${r.inside.map((x) => fmt(x.p99, 1)).join(' / ')} ms; longest block ${r.inside.map((x) => fmt(x.loopMax)).join(' / ')} ms`,
      );
    out.push(
      `classification alone: p50 ${times[Math.floor(times.length / 2)]!.toFixed(3)} ms, p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(3)} ms (aim p99 < 1 ms)`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stop();
    if (env.BENCH_KEEP) process.stdout.write(`data kept in ${t.dir}\n`);
    else t.cleanup();
  }
}
