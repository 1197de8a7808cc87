#!/usr/bin/env node
/** `tawasul` command line: start, chat, parse (and the SLA commands). */
import { parseArgs } from 'node:util';
import { ConfigError, StartupError } from '../core/errors.js';
import type { Command } from './command.js';

// Loaded on demand, so that `tawasul due` does not load the classifier and the whole app.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'run Tawasul (web chat, agent API, enabled channels)', load: async () => (await import('./start.js')).startCommand },
  chat: { summary: 'talk to the bot in the terminal (one JSON reply per line when piped)', load: async () => (await import('./chat.js')).chatCommand },
  parse: { summary: 'classify TEXT (or one message per input line) as JSON lines', load: async () => (await import('./parse.js')).parseCommand },
  due: { summary: 'due date and escalation instants (--service ID --from ISO-INSTANT [--json])', load: async () => (await import('./due.js')).dueCommand },
  migrate: {
    summary: 'apply pending schema migrations to the data directory (core and started channels [--channel ID])',
    load: async () => (await import('./migrate.js')).migrateCommand,
  },
  'import-sqlite': {
    summary: 'copy the data directory into the empty PostgreSQL database of TAWASUL_DATABASE_URL (one transaction)',
    load: async () => (await import('./import-sqlite.js')).importSqliteCommand,
  },
  rekey: {
    summary: 'encrypt personal data with TAWASUL_DATA_KEY (rotation: old key in TAWASUL_DATA_KEY_OLD)',
    load: async () => (await import('./rekey.js')).rekeyCommand,
  },
  'sla-report': {
    summary: 'SLA compliance report (--from DATE --to DATE [--csv|--json] [--bucket day|month])',
    load: async () => (await import('./sla-report.js')).slaReportCommand,
  },
  users: {
    summary: 'console accounts: add USERNAME --role R [--departments IDS] | list | disable | enable | reset-password',
    load: async () => (await import('./users.js')).usersCommand,
  },
};

function usage(): string {
  return ['usage: tawasul <command> [--data DIR] [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const entry = name ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`${usage()}\n`);
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  const cmd = await entry.load();
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { data: { type: 'string', default: process.env.TAWASUL_DATA_DIR ?? './data' }, ...cmd.options },
    });
  } catch (e) {
    process.stderr.write(`tawasul ${name}: ${(e as Error).message}\n`);
    return 2;
  }
  return cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tawasul: ${err instanceof ConfigError || err instanceof StartupError ? err.message : ((err as Error)?.stack ?? String(err))}\n`);
    process.exitCode = 1;
  },
);
