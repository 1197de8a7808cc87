import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTawasul } from '../../bot/app.js';
import { StartupError } from '../../bot/core/errors.js';
import { silentLogger } from '../../bot/core/logger.js';
import { projectRoot } from '../../bot/core/paths.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { tempDir } from '../helpers/tmp.js';

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

const ENV = { ...process.env, TAWASUL_LOG_LEVEL: 'silent', TAWASUL_AGENT_TOKENS: 'cli:cli-token-0123456789abcdef' };

/** Starts `tawasul start` from source; resolves on exit or once it says it is running. */
function start(
  data: string,
  port: number,
): { child: ChildProcess; result: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>; running: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bot/cli/main.ts'), 'start', '--data', data, '--port', String(port)], {
    cwd: projectRoot,
    env: ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let ready: () => void;
  const running = new Promise<void>((r) => {
    ready = r;
  });
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('Tawasul is running')) ready();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const result = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, out, err })),
  );
  return { child, result, running };
}

describe('one instance per data directory, and a busy port', () => {
  it('refuses a second instance on the same data directory in the same process, and allows it after close', async () => {
    const t = tempDir('tawasul-lock-');
    dirs.push(t);
    const opts = {
      dataDir: t.dir,
      logger: silentLogger,
      classifier: stubClassifier,
      channels: ['webchat'],
      env: { TAWASUL_AGENT_TOKENS: 'a:token-0123456789abcdef0123' },
    };
    const first = await createTawasul(opts);
    const second = createTawasul(opts);
    await expect(second).rejects.toBeInstanceOf(StartupError);
    await expect(createTawasul(opts)).rejects.toThrow(/in use by another Tawasul instance/);
    await first.close();
    const third = await createTawasul(opts);
    await third.close();
  });

  it('a busy port: `tawasul start` exits 1 naming the port; a second start on a held data directory exits 1; a SIGKILLed holder leaves no stale lock', async () => {
    const t = tempDir('tawasul-port-');
    dirs.push(t);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as AddressInfo).port;
    // The same data directory throughout: the classifier trained by the first run is cached there.
    const onBusy = await start(join(t.dir, 'b'), busy).result;
    blocker.close();
    expect(onBusy.code).toBe(1);
    expect(onBusy.err).toContain(`port ${busy} on 127.0.0.1 is already in use`);
    expect(onBusy.out).not.toContain('Tawasul is running');

    const holder = start(join(t.dir, 'b'), await freePort());
    await holder.running;
    const second = await start(join(t.dir, 'b'), await freePort()).result;
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/data directory .* is in use by another Tawasul instance/);

    holder.child.kill('SIGKILL');
    expect((await holder.result).signal).toBe('SIGKILL');
    const after = start(join(t.dir, 'b'), await freePort());
    await after.running;
    after.child.kill('SIGTERM');
    expect((await after.result).code).toBe(0);
  }, 180_000);
});
