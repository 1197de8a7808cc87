import type { parseArgs } from 'node:util';

/** One sub-command of `tawasul`: its own flags (besides --data) and what it runs. */
export interface Command {
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}
