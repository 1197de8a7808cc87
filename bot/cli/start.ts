import { resolve } from 'node:path';
import { createTawasul, type Tawasul } from '../app.js';
import { StartupError } from '../core/errors.js';
import type { Command } from './command.js';

/** `tawasul start`: runs the server on the embedded default; a busy port or data directory exits 1 with the reason. */
export const startCommand: Command = {
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const port = Number(values.port ?? process.env.PORT ?? 3000);
    const host = String(values.host ?? process.env.HOST ?? '127.0.0.1');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`tawasul start: --port must be an integer from 0 to 65535\n`);
      return 2;
    }
    let app: Tawasul | undefined;
    try {
      app = await createTawasul({ dataDir });
      await app.listen(port, host);
    } catch (err) {
      if (!(err instanceof StartupError)) throw err;
      await app?.close();
      process.stderr.write(`tawasul start: ${err.message}\n`);
      return 1;
    }
    const running = app;
    // Signals are handled before the banner is printed: a supervisor may stop us as soon as it reads it.
    const stopped = new Promise<void>((done) => {
      const stop = (): void => {
        void running.close().then(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const shown = host === '0.0.0.0' ? 'localhost' : host;
    process.stdout.write(
      `Tawasul is running.\n  Web chat:  http://${shown}:${port}/\n  Agent API: http://${shown}:${port}/api/agent (token in ${dataDir}/agent-tokens.txt or TAWASUL_AGENT_TOKENS)\n  Data:      ${dataDir}\n  Channels:  ${[...app.adapters.keys()].join(', ')}\n` +
        (app.encrypted
          ? '  Personal data at rest: encrypted (TAWASUL_DATA_KEY)\n'
          : '  WARNING: personal data at rest is NOT encrypted (file permissions only); set TAWASUL_DATA_KEY, see docs/security.md\n'),
    );
    await stopped;
    return 0;
  },
};
