/**
 * Two Tawasul instances as child processes (test/reliability/server.ts: web chat and WhatsApp Cloud),
 * each on its own data directory, both on one PostgreSQL database and one Redis, behind a round-robin
 * proxy on loopback: the topology of compose.yaml with real processes. An instance can be killed
 * with SIGKILL and restarted (a new port; the proxy follows).
 */

import { tempDir } from '../helpers/tmp.js';
import { ServerProcess } from '../reliability/harness.js';
import { RoundRobinProxy } from './proxy.js';

/** Options of the cluster. */
export interface ClusterOptions {
  /** postgres://… of the shared database (TAWASUL_DATABASE_URL of both). */
  databaseUrl: string;
  /** redis://… of the shared Redis (TAWASUL_REDIS_URL of both). */
  redisUrl: string;
  /** The fake Graph API both instances send to. */
  graphUrl: string;
  /** The app clock's distance from the wall clock (both instances; moved with `setClock`). */
  clockOffsetMs: number;
  /** More environment of both apps (tokens). */
  env?: Record<string, string>;
  /** Configuration merged over the child's own patch (both). */
  configPatch?: Record<string, unknown>;
  /** WhatsApp: how long an in-doubt send waits for Meta's status webhook. */
  holdMs?: number;
  instances?: number;
}

/** What `Cluster.fetch` returns: the response, read, and how many times it was sent again. */
export interface Fetched {
  status: number;
  text: string;
  retries: number;
}

/** The running cluster. */
export class Cluster {
  readonly instances: ServerProcess[];
  readonly proxy: RoundRobinProxy;
  private readonly dirs: Array<ReturnType<typeof tempDir>>;
  /** Instances killed and not listening again yet. */
  private down = 0;
  private upAgain: Array<() => void> = [];

  private constructor(o: ClusterOptions) {
    this.dirs = Array.from({ length: o.instances ?? 2 }, (_, i) => tempDir(`tawasul-cluster-${i}-`));
    this.instances = this.dirs.map(
      (d) =>
        new ServerProcess({
          dataDir: d.dir,
          graphUrl: o.graphUrl,
          holdMs: o.holdMs ?? 0,
          clockOffsetMs: o.clockOffsetMs,
          appEnv: { TAWASUL_DATABASE_URL: o.databaseUrl, TAWASUL_REDIS_URL: o.redisUrl, ...o.env },
          ...(o.configPatch ? { configPatch: o.configPatch } : {}),
        }),
    );
    this.proxy = new RoundRobinProxy(() => this.instances.map((s) => s.base));
  }

  /** Starts the instances together (they migrate the shared database at the same time) and the proxy. */
  static async start(o: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(o);
    try {
      await Promise.all(c.instances.map((s) => s.start()));
      await c.proxy.start();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** The proxy's origin (what residents and Meta reach). */
  get url(): string {
    return this.proxy.url;
  }

  /** SIGKILL of instance `i`, then its restart on the same data directory; resolves once it listens again. */
  async crash(i: number): Promise<void> {
    this.down++;
    try {
      await this.instances[i]!.crash();
    } finally {
      this.down--;
      if (this.down === 0) for (const f of this.upAgain.splice(0)) f();
    }
  }

  /** Resolves when no instance is down (at once when none is). */
  allUp(): Promise<void> {
    if (this.down === 0) return Promise.resolve();
    return new Promise((resolve) => this.upAgain.push(resolve));
  }

  /**
   * A request through the proxy. A connection cut, a 502 (the backend died with the request) or a 503
   * is sent again at once (the proxy picks another instance); with `retry(status, text)` true the
   * answer is sent again once every instance is up (a turn held by a killed instance is recovered by
   * its restart). Bounded: after `max` sends the last answer is returned.
   */
  async fetch(path: string, init: RequestInit = {}, retry?: (f: Fetched) => boolean, max = 30): Promise<Fetched> {
    let last: Fetched = { status: 0, text: '', retries: 0 };
    for (let n = 0; n < max; n++) {
      try {
        const res = await fetch(`${this.proxy.url}${path}`, init);
        last = { status: res.status, text: await res.text(), retries: n };
      } catch {
        last = { status: 0, text: 'connection cut', retries: n };
        continue;
      }
      if (last.status === 502 || last.status === 503) continue;
      if (!retry?.(last)) return last;
      await this.allUp();
    }
    return last;
  }

  /** Moves the app clock of every instance (and of their restarts). */
  async setClock(offsetMs: number): Promise<void> {
    await Promise.all(this.instances.map((s) => s.setClock(offsetMs)));
  }

  /** Kills the instances, stops the proxy, removes the data directories. */
  async close(): Promise<void> {
    for (const s of this.instances) s.kill();
    await this.proxy.close().catch(() => undefined);
    for (const d of this.dirs) d.cleanup();
  }
}
