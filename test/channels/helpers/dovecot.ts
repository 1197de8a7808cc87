/**
 * A real IMAP server for tests: Debian's dovecot (package `dovecot-imapd`) started as a child
 * process with a temporary configuration — 127.0.0.1 on a free port, Maildir in a temp directory,
 * one passwd-file user, plaintext auth without TLS (loopback only). As root, mail files belong to
 * `nobody` and dovecot's own users run its internal and login processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';

/** Where the dovecot binary lives on Debian. */
export const DOVECOT = '/usr/sbin/dovecot';
/** True when dovecot is installed here. */
export const hasDovecot = existsSync(DOVECOT);

/** A running dovecot. */
export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  /** `imap://user:pass@127.0.0.1:port` for TAWASUL_IMAP_URL. */
  url: string;
  /** The server's log so far (for failures). */
  log(): string;
  stop(): Promise<void>;
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('data', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
    setTimeout(() => {
      c.destroy();
      resolve(false);
    }, 500);
  });
}

/** Starts dovecot; resolves once it greets on its port. */
export async function startDovecot(user = 'helpdesk@bur.gov.om', pass = 'helpdesk-test-password'): Promise<Dovecot> {
  const tmp = tempDir('tawasul-dovecot-');
  const dir = tmp.dir;
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const mail = join(dir, 'mail');
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(dir, 0o755);
  if (root) chownSync(mail, 65534, 65534);
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${pass}::::::\n`, { mode: 0o644 });
  const port = await freePort();
  const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mail}/%n
default_internal_user = ${root ? 'dovecot' : me.username}
default_internal_group = ${root ? 'dovecot' : me.username}
default_login_user = ${root ? 'dovenull' : me.username}
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${root ? 65534 : me.uid} gid=${root ? 65534 : me.gid} home=${mail}/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const log = (): string => `${stderr}${existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !(await reachable(port)); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode !== null || !(await reachable(port))) {
    child.kill('SIGKILL');
    const text = log();
    tmp.cleanup();
    throw new Error(`dovecot did not start: ${text}`);
  }
  return {
    port,
    user,
    pass,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      tmp.cleanup();
    },
  };
}
