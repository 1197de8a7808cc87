/**
 * Start-up does not load what it does not use: the adapters of disabled channels (and their
 * dependencies: botbuilder, imapflow, mailparser, smtp-server) are imported only when a channel of
 * their type is started. Checked in a fresh Node process, from its module cache; no timings.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../bot/core/paths.js';
import { tempDir } from '../helpers/tmp.js';

const HEAVY = ['botbuilder', 'imapflow', 'mailparser', 'smtp-server'];
let t: ReturnType<typeof tempDir>;
afterEach(() => t.cleanup());

/** Runs `body` (an ES module's text, with `dataDir`, `app` and `registry` in scope) and returns the packages it had loaded. */
function loadedPackages(body: string): string[] {
  t = tempDir();
  const mod = (p: string): string => JSON.stringify(pathToFileURL(join(projectRoot, p)).href);
  const script = join(t.dir, 'probe.mts');
  writeFileSync(
    script,
    `
    import { createRequire } from 'node:module';
    const app = await import(${mod('bot/app.ts')});
    const { silentLogger } = await import(${mod('bot/core/logger.ts')});
    const { channelRegistry: registry } = await import(${mod('channels/registry.ts')});
    const dataDir = ${JSON.stringify(join(t.dir, 'data'))};
    const classifier = { classify: async () => ({ intent: 'unknown', confidence: 0, language: 'ar', entities: {} }) };
    ${body}
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = new Set(cache.map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));
  `,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, TAWASUL_AGENT_TOKENS: 'a:probe-token-0123456789abcdef' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe('start-up imports', () => {
  it('does not import the adapters of disabled channels', { timeout: 60_000 }, () => {
    const loaded = loadedPackages(`
      const tw = await app.createTawasul({ dataDir, logger: silentLogger, classifier });
      if (![...tw.adapters.keys()].includes('webchat')) throw new Error('webchat not started');
      tw.close();
    `);
    expect(loaded).toContain('express'); // the probe sees CommonJS packages that were loaded
    for (const pkg of HEAVY) expect(loaded).not.toContain(pkg);
  });

  it("reads the trained classifier from its cache without loading NLP.js's network (needed for training only)", { timeout: 60_000 }, () => {
    const classifierModule = JSON.stringify(pathToFileURL(join(projectRoot, 'bot/nlu/classifier.ts')).href);
    const loaded = loadedPackages(`
      const { createClassifier } = await import(${classifierModule});
      const trained = await createClassifier();
      if ((await trained.classify('شكرا جزيلا')).intent !== 'thanks') throw new Error('not the trained model');
    `);
    expect(loaded).toContain('@nlpjs/lang-ar'); // the stemmers classify; the network is for training
    expect(loaded).not.toContain('@nlpjs/neural');
  });

  it('imports an adapter when its channel type is loaded', { timeout: 60_000 }, () => {
    const loaded = loadedPackages(`
      const def = await registry.botframework();
      if (typeof def.create !== 'function') throw new Error('no definition');
    `);
    expect(loaded).toContain('botbuilder');
  });
});
