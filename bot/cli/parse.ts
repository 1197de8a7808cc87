import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createClassifier } from '../nlu/classifier.js';
import type { Command } from './command.js';

/** `tawasul parse [TEXT]`: prints the classification of each message as one JSON line. */
export const parseCommand: Command = {
  options: {},
  async run(values, positionals) {
    const classifier = await createClassifier({ cacheDir: join(resolve(String(values.data)), 'cache') });
    const print = async (text: string): Promise<void> => {
      const c = await classifier.classify(text);
      process.stdout.write(
        `${JSON.stringify({ language: c.language, intent: c.intent, service: c.service, confidence: Math.round(c.confidence * 100) / 100 })}\n`,
      );
    };
    if (positionals.length > 0) {
      await print(positionals.join(' '));
      return 0;
    }
    for await (const line of createInterface({ input: process.stdin })) if (line.trim()) await print(line);
    return 0;
  },
};
