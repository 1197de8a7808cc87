// Bundles every browser entry (`<folder>/web/main.tsx` under bot/ and channels/) into dist/web/<folder>.js
// with esbuild at install time (`npm run build`, run by `npm ci`): no CDN, no bundler at run time.

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const entries = [];
for (const top of ['bot', 'channels']) {
  for (const d of readdirSync(join(root, top), { withFileTypes: true })) {
    const entry = join(root, top, d.name, 'web', 'main.tsx');
    if (d.isDirectory() && existsSync(entry)) entries.push({ in: entry, out: basename(d.name) });
  }
}
mkdirSync(join(root, 'dist/web'), { recursive: true });
if (entries.length > 0) {
  await build({
    entryPoints: entries,
    outdir: join(root, 'dist/web'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: true,
    logLevel: 'warning',
  });
}
console.log(`web bundles: ${entries.map((e) => e.out).join(', ') || 'none'}`);
