import type { parseArgs } from 'node:util';
import { StartupError } from '../core/errors.js';
import { DataDirLock, secureDataDir } from '../security/data-dir.js';

/** One sub-command of `tawasul`: its own flags (besides --data) and what it runs. */
export interface Command {
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/** Secures and locks the data directory for a command; undefined (the reason on stderr) when another process holds it. */
export function lockDataDir(dataDir: string, command: string): DataDirLock | undefined {
  secureDataDir(dataDir);
  try {
    return DataDirLock.acquire(dataDir);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`tawasul ${command}: ${err.message}\n`);
    return undefined;
  }
}
