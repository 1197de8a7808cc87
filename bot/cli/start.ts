import { resolve } from 'node:path';
import { createTawasul } from '../app.js';
import type { Command } from './command.js';

/** `tawasul start`: runs the server on the embedded default. */
export const startCommand: Command = {
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const port = Number(values.port ?? process.env.PORT ?? 3000);
    const host = String(values.host ?? process.env.HOST ?? '127.0.0.1');
    const app = await createTawasul({ dataDir });
    await app.listen(port, host);
    const shown = host === '0.0.0.0' ? 'localhost' : host;
    process.stdout.write(
      `Tawasul is running.\n  Web chat:  http://${shown}:${port}/\n  Agent API: http://${shown}:${port}/api/agent (token in ${dataDir}/agent-tokens.txt or TAWASUL_AGENT_TOKENS)\n  Data:      ${dataDir}\n  Channels:  ${[...app.adapters.keys()].join(', ')}\n`,
    );
    await new Promise<void>((done) => {
      const stop = (): void => { void app.close().then(done); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
