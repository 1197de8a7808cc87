import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createTawasul } from '../app.js';
import { silentLogger } from '../core/logger.js';
import type { Command } from './command.js';

/** `tawasul chat`: talks to the engine in the terminal (JSON lines when stdin is not a terminal). */
export const chatCommand: Command = {
  options: { conversation: { type: 'string' } },
  async run(values) {
    const app = await createTawasul({ dataDir: resolve(String(values.data)), logger: silentLogger, channels: ['webchat'] });
    const conversationId = String(values.conversation ?? `cli-${randomUUID()}`);
    const tty = process.stdin.isTTY === true;
    const rl = createInterface({ input: process.stdin, ...(tty ? { output: process.stdout, prompt: '> ' } : {}) });
    if (tty) {
      process.stdout.write('Tawasul chat — write in Arabic or English; Ctrl-D to quit.\n');
      rl.prompt();
    }
    for await (const line of rl) {
      const { replies } = await app.engine.handle({
        channel: 'webchat',
        conversationId,
        id: randomUUID(),
        from: { id: conversationId },
        text: line,
        receivedAt: new Date(),
        raw: null,
      });
      for (const r of replies) process.stdout.write(tty ? `\n${r.text}\n\n` : `${JSON.stringify({ text: r.text })}\n`);
      if (tty) rl.prompt();
    }
    await app.close();
    return 0;
  },
};
