/**
 * A throwaway PostgreSQL server as a child process (no test runner needed: the bench starts one too):
 * Debian's PostgreSQL initialised in a temp directory, started on 127.0.0.1 at a free port, trust
 * authentication for loopback only, durability switched off (fsync) since the data is thrown away.
 * As root the cluster belongs to the unprivileged `postgres` user (postgres refuses to run as root).
 * `TAWASUL_TEST_DATABASE_URL` (a server started outside, e.g. by CI) is used instead when set.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../channels/helpers/dovecot.js';
import { tempDir } from './tmp.js';

/** Where Debian installs the newest PostgreSQL server binaries (`/usr/lib/postgresql/<major>/bin`). */
export const PG_BIN = process.env.TAWASUL_PG_BIN ?? newestDebianPostgres();

function newestDebianPostgres(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  return join(root, String(majors[0] ?? 15), 'bin');
}
/** True when a PostgreSQL server can be used here (installed, or given by URL). */
export const hasPostgres = Boolean(process.env.TAWASUL_TEST_DATABASE_URL) || (existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres')));
/** True when suites needing PostgreSQL must be skipped (missing and not under CI). */
export const skipPostgres = !hasPostgres && !process.env.CI;

/** A running PostgreSQL server. */
export interface PostgresServer {
  /** URL of the server's `postgres` database (superuser `tawasul`). */
  url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Creates an empty schema and returns a URL whose connections work in it (search_path): cheaper than a database. */
  createSchema(name?: string): Promise<string>;
  /** The server's output so far (for failures). */
  log(): string;
  stop(): Promise<void>;
}

let counter = 0;

function urlFor(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

async function createDatabaseOn(base: string, name = `t_${process.pid}_${++counter}`): Promise<string> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}" STRATEGY = FILE_COPY`);
  } finally {
    await c.end();
  }
  return urlFor(base, name);
}

async function createSchemaOn(base: string, name = `s_${process.pid}_${++counter}`): Promise<string> {
  const schema = name.replace(/[^a-z0-9_]/gi, '');
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await c.end();
  }
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function accepts(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** uid and gid of a system user. */
export function idsOf(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', user]).toString().trim()),
  };
}

/**
 * The command line running `argv` as `user` when this process is root (as itself otherwise).
 * setpriv execs in place, so the spawned pid is the server itself and signals reach it.
 */
export function asUser(user: string, argv: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [argv[0]!, argv.slice(1)];
  const { uid, gid } = idsOf(user);
  return ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...argv]];
}

/** A server child process listening on a loopback port. */
export interface ServerProcess {
  port: number;
  /** Its standard output and error so far (the last 20 kB). */
  output(): string;
  /** Sends `signal`, waits up to 5 s for the exit, then kills it. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `argvFor(port)` on a free loopback port and resolves once `ready(port)`; when the process
 * exits before that (another process took the port meanwhile) it is tried again on another port.
 */
export async function spawnServer(
  name: string,
  argvFor: (port: number) => [string, string[]],
  ready: (port: number) => Promise<boolean>,
): Promise<ServerProcess> {
  let output = '';
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const [cmd, args] = argvFor(port);
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer): void => {
      output = (output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', kill);
    let up = false;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      up = await ready(port);
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (up) {
      return {
        port,
        output: () => output,
        async stop(signal) {
          process.removeListener('exit', kill);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill(signal);
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            kill();
          }
        },
      };
    }
    const early = child.exitCode !== null;
    kill();
    process.removeListener('exit', kill);
    if (!early || attempt >= 3) throw new Error(`${name} did not start: ${output}`);
  }
}

/** Initialises a cluster in a temp directory and starts it; resolves once it answers a query. */
export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.TAWASUL_TEST_DATABASE_URL;
  if (external) {
    return {
      url: external,
      createDatabase: (n) => createDatabaseOn(external, n),
      createSchema: (n) => createSchemaOn(external, n),
      log: () => '',
      stop: async () => undefined,
    };
  }
  const tmp = tempDir('tawasul-pg-');
  const data = join(tmp.dir, 'data');
  const sock = join(tmp.dir, 'run');
  const urlOn = (port: number): string => `postgres://tawasul@127.0.0.1:${port}/postgres`;
  mkdirSync(sock);
  if (process.getuid?.() === 0) {
    const { uid, gid } = idsOf('postgres');
    chownSync(tmp.dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  const [initCmd, initArgs] = asUser('postgres', [
    join(PG_BIN, 'initdb'),
    '-D',
    data,
    '-U',
    'tawasul',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
    '--no-instructions',
  ]);
  try {
    execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  } catch (err) {
    tmp.cleanup();
    const e = err as { stderr?: Buffer };
    throw new Error(`initdb failed: ${e.stderr?.toString() ?? String(err)}`);
  }
  let server: ServerProcess;
  try {
    server = await spawnServer(
      'postgres',
      (port) =>
        asUser('postgres', [
          join(PG_BIN, 'postgres'),
          '-D',
          data,
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-k',
          sock,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=60',
        ]),
      (port) => accepts(urlOn(port)),
    );
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
  const url = urlOn(server.port);
  return {
    url,
    createDatabase: (n) => createDatabaseOn(url, n),
    createSchema: (n) => createSchemaOn(url, n),
    log: () => server.output(),
    async stop() {
      await server.stop('SIGINT'); // fast shutdown
      tmp.cleanup();
    },
  };
}
