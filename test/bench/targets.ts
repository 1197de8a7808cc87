/**
 * Pieces of the web chat benchmark: benchmark targets in their own processes, the message mix, and
 * the load from another process (wrk when installed, else the Node client).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { parse } from 'yaml';
import { projectRoot } from '../../bot/core/paths.js';

export const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';
/** Node flags of both targets, as `npm start` runs Tawasul (override with BENCH_NODE_FLAGS). */
export const SERVER_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=2 --heap-growing-percent=50').split(' ').filter(Boolean);
/** The environment `npm start` sets, for both targets: two malloc arenas, a fixed mmap threshold (each overridable). */
export const SERVER_ENV = {
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
};
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

/** What a target's child process reports when asked for its stats. */
export interface TargetStats {
  rss: number;
  heapMb: number;
  heapTotalMb: number;
  externalMb: number;
  cpuMs: number;
  /** CPU time of every thread of the process (the classifier's and the checkpoint's threads too), ms. */
  processCpuMs: number;
  /** CPU time of each thread so far, by thread id (the main thread's id is `pid`). */
  threadCpuMs?: Record<string, number>;
  pid?: number;
  loopMaxMs: number;
  insideP99Ms: number;
  insideMaxMs: number;
  pending?: number;
  touched?: number;
  /** Tawasul: the WAL hand-backs from the checkpoint worker so far, and the pages the event loop copied in them. */
  handBacks?: number;
  pagesOnLoop?: number;
}

/** A benchmark target running in a child process. */
export interface Target {
  name: string;
  origin: string;
  /** Process start → listening, in ms (Node boot, module loading, stores, classifier, routes). */
  startupMs: number;
  stats(): Promise<TargetStats>;
  stop(): Promise<void>;
}

/** Sources of the server, compiled file by file (as `npm run build` does, without type checking). */
function sources(dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !/[/\\]web([/\\]|$)/.test(e.parentPath))
    .map((e) => join(e.parentPath, e.name));
}

let built: string | undefined;
/**
 * Compiles the server to JavaScript with esbuild (one output file per source, like dist/) so that
 * targets start the way `npm start` does, without a TypeScript loader in the measurement.
 */
export async function buildServer(): Promise<string> {
  if (built) return built;
  const outdir = join(projectRoot, 'test/output/bench-build');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild({
    entryPoints: [
      ...sources('bot'),
      ...sources('channels'),
      ...sources('config'),
      join(projectRoot, 'test/bench/server-child.ts'),
      join(projectRoot, 'test/bench/thread-cpu.ts'),
    ],
    outdir,
    outbase: projectRoot,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'error',
  });
  built = outdir;
  return built;
}

/**
 * Forks the compiled `server-child` (`bare` or `tawasul` on `dataDir`, with Node flags `execArgv` and
 * more environment `env`, e.g. TAWASUL_DATABASE_URL and TAWASUL_REDIS_URL) and waits until it listens.
 */
export async function startTarget(mode: 'bare' | 'tawasul', dataDir = '', execArgv: string[] = [], env: Record<string, string> = {}): Promise<Target> {
  const file = join(await buildServer(), 'test/bench/server-child.js');
  const child: ChildProcess = fork(file, [mode, dataDir], {
    execArgv,
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`${mode} target exited (${code})`));
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
      child.once('exit', onExit);
    });
  return next<{ port: number; startupMs: number }>().then((ready) => ({
    name: mode,
    origin: `http://127.0.0.1:${ready.port}`,
    startupMs: ready.startupMs,
    stats: () => {
      const p = next<TargetStats>();
      child.send('stats');
      return p;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  }));
}

interface Labelled {
  text: string;
  intent: string;
}

/**
 * The message mix, from the labelled evaluation set (Arabic, Gulf, English, Arabizi): inquiries 35%,
 * intake starts (procedural requests) 20%, greetings 20%, complaints 15%, thanks 10%.
 */
export function messageMix(size = 200): string[] {
  const items = parse(readFileSync(join(projectRoot, 'test/eval/labelled.yaml'), 'utf8')) as Labelled[];
  const weights: Array<[string, number]> = [
    ['inquiry', 35],
    ['procedural_request', 20],
    ['greeting', 20],
    ['complaint', 15],
    ['thanks', 10],
  ];
  const out: string[] = [];
  for (const [intent, w] of weights) {
    const pool = items.filter((x) => x.intent === intent);
    for (let i = 0; i < Math.round((size * w) / 100); i++) out.push(pool[(i * 7) % pool.length]!.text);
  }
  // Interleave the intents (a fixed shuffle), so that each conversation meets all of them.
  return out
    .map((t, i) => [t, (i * 7919) % out.length] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
}

/** A conversation to load: its id and, when the server returned a secret, its Authorization header. */
export interface Conversation {
  id: string;
  auth?: string;
}

/** Opens `n` web chat conversations (`POST /api/webchat/conversations`), 16 at a time. */
export async function openConversations(origin: string, n: number): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for (let i = 0; i < n; i += 16) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(16, n - i) }, async () => {
          const r = await fetch(`${origin}/api/webchat/conversations`, { method: 'POST' });
          if (!r.ok) throw new Error(`POST /api/webchat/conversations: HTTP ${r.status}`);
          const b = (await r.json()) as { conversationId: string; secret?: string };
          return { id: b.conversationId, ...(b.secret ? { auth: `Bearer ${b.secret}` } : {}) };
        }),
      )),
    );
  }
  return out;
}

/**
 * Writes the load data for wrk (a Lua file) and for the Node client (JSON); returns both paths. Each
 * message carries a clientMessageId as the web chat page mints one (time-ordered), unless
 * BENCH_CLIENT_IDS=0 (then the server mints the id and skips the look-up a client's id needs) or
 * BENCH_CLIENT_IDS=legacy (random-looking ids, as the page sent before 2026-12-03).
 */
export function writeLoadData(dir: string, convs: Conversation[], texts: string[]): { lua: string; json: string } {
  const bodies = texts.map((text) => JSON.stringify({ text }));
  const clientIds = process.env.BENCH_CLIENT_IDS === 'legacy' ? 'legacy' : process.env.BENCH_CLIENT_IDS !== '0';
  const lua = join(dir, 'load-data.lua');
  const json = join(dir, 'load-data.json');
  writeFileSync(
    lua,
    `return {\n convs = {\n${convs.map((c) => `  { id = "${c.id}"${c.auth ? `, auth = [==[${c.auth}]==]` : ''} },`).join('\n')}\n },\n bodies = {\n${bodies.map((b) => `  [==[${b}]==],`).join('\n')}\n },\n clientIds = ${JSON.stringify(clientIds)},\n}\n`,
  );
  writeFileSync(json, JSON.stringify({ convs, bodies, clientIds }));
  return { lua, json };
}

/** One load run's figures (cpuMs, allCpuMs: the target's main-thread and all-threads CPU time per message, filled in by the caller). */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** The worst p99 among the slices of an interleaved measurement. */
  p99Max?: number;
  errors: number;
  cpuMs?: number;
  allCpuMs?: number;
}

/** Runs `cmd` and returns its stdout (throws on a non-zero exit). */
function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** The load tool in use. */
export const loadTool = (): string => (existsSync(WRK) ? 'wrk' : 'Node load client');

/** The last 12 hex digits of a run's client message ids, new for every run (a run's ids never repeat an earlier run's). */
const nonce = (): string => randomUUID().slice(-12);

/** Loads `origin` for `seconds` with `connections` from another process. */
export async function load(origin: string, data: { lua: string; json: string }, seconds: number, connections: number): Promise<LoadResult> {
  if (existsSync(WRK)) {
    const out = await exec(WRK, [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '30s',
      '-s',
      here('./wrk-mix.lua'),
      origin,
      '--',
      data.lua,
      nonce(),
      String(Date.now()),
    ]);
    const m = /RESULT (\S+) (\S+) (\S+) (\d+) (\d+)/.exec(out);
    if (!m) throw new Error(`unexpected wrk output: ${out}`);
    return { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), errors: Number(m[4]) + Number(m[5]) };
  }
  const out = await exec(process.execPath, [here('./load-client.mjs'), origin, data.json, String(seconds), String(connections), nonce(), String(Date.now())]);
  const r = JSON.parse(out) as LoadResult & { status: number; socket: number };
  return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.status + r.socket };
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** A data directory `run` under `root` holding a trained classifier's cache: a first start under `root/cold` trains it (not measured). */
export async function trainedDataDir(root: string): Promise<string> {
  const cold = join(root, 'cold');
  await (await startTarget('tawasul', cold)).stop();
  const dir = join(root, 'run');
  mkdirSync(dir, { recursive: true });
  cpSync(join(cold, 'cache'), join(dir, 'cache'), { recursive: true });
  return dir;
}
