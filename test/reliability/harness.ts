/**
 * Runs `server.ts` as a child process on a data directory, kills it with SIGKILL and starts it again
 * (a new port each time), and gives clients a fetch that follows the restarts: a request cut off by
 * a kill waits for the next start and is sent again, as a real client or provider retries.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WA_ENV } from '../channels/helpers/whatsapp-cloud-harness.js';
import { Conditions } from '../helpers/conditions.js';

const SERVER = join(import.meta.dirname, 'server.ts');

/** Options of the child. */
export interface ServerOptions {
  dataDir: string;
  graphUrl?: string;
  /** Work per classification (ms), so that kills land inside turns. */
  slowMs?: number;
  /** Work between filing a request and the end of its turn (ms). */
  fileMs?: number;
  /** WhatsApp: how long an in-doubt send waits for a status webhook before going out again. */
  holdMs?: number;
  /** Called between a kill and the restart (the data directory is at rest). */
  onKilled?: () => void;
  /** Merged into the app's environment (TAWASUL_DATABASE_URL, TAWASUL_REDIS_URL, tokens). */
  appEnv?: Record<string, string>;
  /** Merged over the child's configuration patch (bot/config/load.ts mergeConfig). */
  configPatch?: Record<string, unknown>;
  /** The app's clock runs this far from the wall clock (set: the child listens for `setClock`). */
  clockOffsetMs?: number;
}

/** The server under test, across its restarts. */
export class ServerProcess {
  private proc: ChildProcess | undefined;
  private readonly events = new EventEmitter();
  /** Incremented at each start; a client that failed against generation g waits for g + 1. */
  generation = 0;
  base = '';
  kills = 0;
  /** Requests filed so far, across restarts, as the child reports them (with `fileMs`): each report comes before its turn's remaining work. */
  readonly filed = new Progress();
  private starting: Promise<void> | undefined;

  constructor(private readonly o: ServerOptions) {
    this.events.setMaxListeners(0);
  }

  /** Starts the child and resolves once it listens. */
  start(): Promise<void> {
    this.starting = new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
        env: {
          ...process.env,
          ...WA_ENV,
          REL_DATA_DIR: this.o.dataDir,
          REL_GRAPH_URL: this.o.graphUrl ?? 'http://127.0.0.1:9',
          REL_SLOW_MS: String(this.o.slowMs ?? 0),
          REL_FILE_MS: String(this.o.fileMs ?? 0),
          REL_HOLD_MS: String(this.o.holdMs ?? 0),
          REL_APP_ENV: JSON.stringify(this.o.appEnv ?? {}),
          REL_CONFIG_PATCH: JSON.stringify(this.o.configPatch ?? {}),
          REL_CLOCK_OFFSET_MS: String(this.o.clockOffsetMs ?? 0),
        },
        stdio: this.o.clockOffsetMs === undefined ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      this.proc = proc;
      const early = (code: number | null): void => reject(new Error(`server exited before listening (${code})`));
      proc.once('exit', early);
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        if (line.trim() === '{"filed":true}') {
          this.filed.inc();
          return;
        }
        const m = /^\{"port":(\d+)\}$/.exec(line.trim());
        if (!m) return;
        proc.off('exit', early);
        this.base = `http://127.0.0.1:${m[1]}`;
        this.generation++;
        this.events.emit('up', this.generation);
        resolve();
      });
    });
    return this.starting;
  }

  /** Resolves when a server of a generation after `g` is listening. */
  after(g: number): Promise<void> {
    if (this.generation > g) return Promise.resolve();
    return new Promise((resolve) => {
      const on = (gen: number): void => {
        if (gen > g) {
          this.events.off('up', on);
          resolve();
        }
      };
      this.events.on('up', on);
    });
  }

  /** Moves the app's clock to `offsetMs` from the wall clock (kept across restarts); resolves once applied. */
  async setClock(offsetMs: number): Promise<void> {
    if (this.o.clockOffsetMs === undefined) throw new Error('setClock needs the clockOffsetMs option');
    this.o.clockOffsetMs = offsetMs;
    await this.starting;
    const proc = this.proc!;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { clockOffsetMs?: number }): void => {
        if (m?.clockOffsetMs !== offsetMs) return;
        proc.off('message', onMessage);
        resolve();
      };
      proc.on('message', onMessage);
      proc.send({ clockOffsetMs: offsetMs }, (err) => err && reject(err));
    });
  }

  /** SIGKILL, then a new start on the same data directory. */
  async crash(): Promise<void> {
    const proc = this.proc!;
    const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));
    proc.kill('SIGKILL');
    await exited;
    this.kills++;
    this.o.onKilled?.();
    await this.start();
  }

  /** Graceful stop (SIGTERM), waiting for the exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    await exited;
  }

  /** Kills without restart (test clean-up). */
  kill(): void {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /**
   * fetch against the current server; a connection cut or refused by a kill is retried against the
   * next start (bounded). Returns the response and how many times it was cut off.
   */
  async fetch(path: string, init: RequestInit = {}, maxCuts = 20): Promise<{ res: Response; cuts: number }> {
    for (let cuts = 0; ; cuts++) {
      await this.starting;
      const g = this.generation;
      try {
        const res = await fetch(`${this.base}${path}`, init);
        // A body cut off mid-read is a cut too: read it here.
        const body = await res.arrayBuffer();
        return { res: new Response(body, { status: res.status, headers: res.headers }), cuts };
      } catch (err) {
        if (cuts >= maxCuts) throw err;
        await this.after(g);
      }
    }
  }
}

/** A seeded pseudo-random generator (mulberry32), so that a run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A counter whose values can be awaited (kill when n answers are in). */
export class Progress {
  private n = 0;
  private readonly changes = new Conditions();

  get value(): number {
    return this.n;
  }

  inc(): void {
    this.n++;
    this.changes.notify();
  }

  /** Resolves when the count reaches `at` (no deadline of its own: the scenario bounds the run). */
  reach(at: number): Promise<void> {
    return this.changes.until(() => this.n >= at, `${at} counted`, Infinity);
  }
}

/** Polls `cond` every few milliseconds, failing after `ms` (a bounded loop, not a sleep). */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
