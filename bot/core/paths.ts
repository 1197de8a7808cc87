import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the folder holding package.json), from source or from dist/. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('tawasul: cannot find the project root');
})();

/** Default folder of the YAML configuration. */
export const defaultConfigDir = join(projectRoot, 'config');
/** Default folder of the reply templates. */
export const defaultTemplatesDir = join(projectRoot, 'templates');
