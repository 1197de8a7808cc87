/**
 * A real Redis for tests: Debian's `redis-server` started as a child process on 127.0.0.1 at a free
 * port, without persistence, its working directory in a temp folder. As root it runs as the
 * unprivileged `redis` user (or `nobody`).
 *
 * A suite calls `useRedis()` once: one server per test file; tests isolate themselves with key
 * prefixes. `TAWASUL_TEST_REDIS_URL` (a server started outside) is used instead when set.
 * Under `CI=true` the server is required; elsewhere suites skip with a note when it is missing.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../channels/helpers/dovecot.js';
import { asUser, idsOf } from './postgres.js';
import { tempDir } from './tmp.js';

/** Where Debian installs redis-server. */
export const REDIS_SERVER = process.env.TAWASUL_REDIS_SERVER ?? '/usr/bin/redis-server';
/** True when a Redis server can be used here (installed, or given by URL). */
export const hasRedis = Boolean(process.env.TAWASUL_TEST_REDIS_URL) || existsSync(REDIS_SERVER);
/** True when suites needing Redis must be skipped (missing and not under CI). */
export const skipRedis = !hasRedis && !process.env.CI;

/** A running Redis server. */
export interface RedisServer {
  /** `redis://127.0.0.1:port`. */
  url: string;
  port: number;
  /** The server's output so far (for failures). */
  log(): string;
  stop(): Promise<void>;
}

/** True once the server at `port` answers PING with PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => { c.destroy(); resolve(ok); };
    c.once('connect', () => c.write('PING\r\n'));
    c.once('data', (d) => done(d.toString().startsWith('+PONG')));
    c.once('error', () => done(false));
    c.setTimeout(500, () => done(false));
  });
}

function unprivilegedUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', 'redis'], { stdio: 'ignore' });
    return 'redis';
  } catch {
    return 'nobody';
  }
}

/** Starts redis-server; resolves once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const external = process.env.TAWASUL_TEST_REDIS_URL;
  if (external) return { url: external, port: Number(new URL(external).port || 6379), log: () => '', stop: async () => undefined };
  const tmp = tempDir('tawasul-redis-');
  const user = unprivilegedUser();
  if (user) {
    const { uid, gid } = idsOf(user);
    chownSync(tmp.dir, uid, gid);
  }
  const port = await freePort();
  const argv = [REDIS_SERVER, '--bind', '127.0.0.1', '--port', String(port), '--dir', tmp.dir, '--save', '',
    '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'];
  const [cmd, args] = user ? asUser(user, argv) : [argv[0]!, argv.slice(1)];
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer): void => { output = (output + d.toString()).slice(-20_000); };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', kill);
  let up = false;
  for (let i = 0; i < 100 && child.exitCode === null && !(up = await pong(port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!up) {
    kill();
    tmp.cleanup();
    throw new Error(`redis-server did not start: ${output}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    log: () => output,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        kill();
      }
      tmp.cleanup();
    },
  };
}

/** Starts one server for the calling test file (beforeAll) and stops it after (afterAll). */
export function useRedis(): { server(): RedisServer } {
  let server: RedisServer | undefined;
  if (skipRedis) console.warn(`redis-server is not installed at ${REDIS_SERVER} (apt-get install redis-server): the Redis tests are skipped`);
  beforeAll(async () => { if (!skipRedis) server = await startRedis(); });
  afterAll(async () => { await server?.stop(); });
  return {
    server() {
      if (!server) throw new Error('Redis is not running (useRedis() in a skipped suite?)');
      return server;
    },
  };
}
