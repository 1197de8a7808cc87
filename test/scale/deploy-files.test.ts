/** The deployment files say what docs/deploy.md says they do (no container runtime runs here to build them). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { redisUrl } from '../../bot/scale/redis.js';
import { databaseUrl } from '../../bot/store/postgres/database.js';

const root = new URL('../../', import.meta.url);
const read = (f: string): string => readFileSync(new URL(f, root), 'utf8');

/** Dockerfile stages: name → { from, lines }. */
function stages(text: string): Map<string, { from: string; lines: string[] }> {
  const out = new Map<string, { from: string; lines: string[] }>();
  let current: string[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const m = /^FROM\s+(\S+)\s+AS\s+(\S+)/i.exec(line);
    if (m) {
      current = [];
      out.set(m[2]!, { from: m[1]!, lines: current });
    } else if (!/^\s*#/.test(line)) current.push(line);
  }
  return out;
}

/** Compose-style `${VAR:?msg}` / `${VAR:-default}` substitution. */
function substitute(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::[?-][^}]*)?\}/g, (_m, name: string) => env[name] ?? '');
}

describe('Dockerfile', () => {
  const s = stages(read('Dockerfile'));

  it('builds with npm ci on Debian slim and runs as a non-root user by default', () => {
    expect(read('Dockerfile')).toMatch(/ARG NODE_IMAGE=node:20-bookworm-slim/);
    expect(s.get('build')!.lines.join('\n')).toMatch(/npm ci/);
    expect([...s.keys()].at(-1)).toBe('production'); // the default target
    expect(s.get('production')!.from).toBe('app');
    expect(
      s
        .get('app')!
        .lines.filter((l) => /^USER /.test(l))
        .at(-1),
    ).toBe('USER node');
    expect(s.get('build')!.lines.join('\n')).not.toMatch(/COPY \. /); // never the local data directory
  });

  it('installs chromium only in the whatsapp-web.js pilot stage, which still runs as non-root', () => {
    for (const [name, stage] of s) {
      if (name !== 'whatsapp-web-pilot') expect(stage.lines.join('\n'), name).not.toMatch(/chromium/);
    }
    const pilot = s.get('whatsapp-web-pilot')!.lines;
    expect(pilot.join('\n')).toMatch(/apt-get install .*chromium/);
    expect(pilot.filter((l) => /^USER /.test(l)).at(-1)).toBe('USER node');
  });
});

describe('compose.yaml', () => {
  const env = { TAWASUL_DB_PASSWORD: 'db-pass', TAWASUL_REDIS_PASSWORD: 'redis-pass' };
  const c = parse(substitute(read('compose.yaml'), env), { merge: true }) as {
    services: Record<string, { image?: string; environment?: Record<string, string>; profiles?: string[]; depends_on?: unknown }>;
    configs: Record<string, { content: string }>;
  };

  it('has PostgreSQL, Redis, two Tawasul instances and a reverse proxy balancing across both', () => {
    expect(Object.keys(c.services).sort()).toEqual(['postgres', 'proxy', 'redis', 'tawasul-1', 'tawasul-2']);
    expect(c.services.postgres!.image).toMatch(/^postgres:15/);
    expect(c.services.redis!.image).toMatch(/^redis:7/);
    expect(c.configs.caddyfile!.content).toMatch(/reverse_proxy tawasul-1:3000 tawasul-2:3000/);
  });

  it('sends traffic only to instances whose database and Redis answer (/readyz, which bot/app.ts mounts)', () => {
    expect(c.configs.caddyfile!.content).toMatch(/^\s*health_uri \/readyz$/m);
  });

  it('gives the instances URLs the code accepts, with the passwords from the environment', () => {
    for (const name of ['tawasul-1', 'tawasul-2']) {
      const e = c.services[name]!.environment!;
      expect(databaseUrl(e)).toBe('postgres://tawasul:db-pass@postgres:5432/tawasul');
      expect(redisUrl(e)).toBe('redis://:redis-pass@redis:6379/0');
    }
  });

  it('starts both instances by default, sharing agent tokens the operator must give', () => {
    expect(c.services['tawasul-1']!.profiles).toBeUndefined();
    expect(c.services['tawasul-2']!.profiles).toBeUndefined();
    expect(c.services.proxy!.depends_on).toEqual(['tawasul-1', 'tawasul-2']);
    expect(read('compose.yaml')).toMatch(/TAWASUL_AGENT_TOKENS: \$\{TAWASUL_AGENT_TOKENS:\?/);
  });
});
