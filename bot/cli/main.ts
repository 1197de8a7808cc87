#!/usr/bin/env node
/** `tawasul` command line: start, chat, parse (and the SLA commands). */
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import { chatCommand } from './chat.js';
import { dueCommand } from './due.js';
import { parseCommand } from './parse.js';
import { slaReportCommand } from './sla-report.js';
import { startCommand } from './start.js';

/** One sub-command: its own flags (besides --data) and what it runs. */
export interface Command {
  summary: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  chat: chatCommand,
  parse: parseCommand,
  due: dueCommand,
  'sla-report': slaReportCommand,
};

function usage(): string {
  return ['usage: tawasul <command> [--data DIR] [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`${usage()}\n`);
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { data: { type: 'string', default: './data' }, ...cmd.options } });
  } catch (e) {
    process.stderr.write(`tawasul ${name}: ${(e as Error).message}\n`);
    return 2;
  }
  return cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`tawasul: ${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
