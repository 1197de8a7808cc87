/**
 * A throwaway Redis as a child process (no test runner needed: the bench starts one too): Debian's
 * `redis-server` on 127.0.0.1 at a free port, without persistence, its working directory in a temp
 * folder; as root it runs as the unprivileged `redis` user (or `nobody`). `TAWASUL_TEST_REDIS_URL`
 * (a server started outside) is used instead when set.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { asUser, idsOf, type ServerProcess, spawnServer } from './postgres-server.js';
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
    const done = (ok: boolean): void => {
      c.destroy();
      resolve(ok);
    };
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
  let server: ServerProcess;
  try {
    server = await spawnServer(
      'redis-server',
      (port) => {
        const argv = [
          REDIS_SERVER,
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--dir',
          tmp.dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--protected-mode',
          'yes',
          '--daemonize',
          'no',
          '--loglevel',
          'warning',
        ];
        return user ? asUser(user, argv) : [argv[0]!, argv.slice(1)];
      },
      pong,
    );
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
  const port = server.port;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    log: () => server.output(),
    async stop() {
      await server.stop('SIGTERM');
      tmp.cleanup();
    },
  };
}
