/**
 * `npm run hostile`: an ordinary web chat message's latency while 200 hostile connections are open
 * (forged 1 MiB webhook bodies, chunked ones, slow headers, slow bodies). The server runs as
 * `tawasul start` in its own process with the WhatsApp Cloud channel enabled, the hostile clients in
 * another (test/bench/hostile-client.mjs), the measuring client here. Prints p50/p99 without and
 * with the hostile load. A measurement, not a test: nothing is asserted.
 * HOSTILE_CONNECTIONS (200) and HOSTILE_MESSAGES (300) change the counts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../bot/core/paths.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { tempDir } from '../helpers/tmp.js';

const CONNECTIONS = Number(process.env.HOSTILE_CONNECTIONS ?? 200);
const MESSAGES = Number(process.env.HOSTILE_MESSAGES ?? 300);

/** Resolves when the child prints `marker` on stdout. */
const waitFor = (child: ChildProcess, marker: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before "${marker}"`)));
  });

/** Sends MESSAGES ordinary messages one after the other (fresh conversation every 10); returns sorted latencies in ms. */
async function measure(base: string): Promise<number[]> {
  const lat: number[] = [];
  let chat = { conversationId: '', secret: '' };
  for (let i = 0; i < MESSAGES; i++) {
    if (i % 10 === 0) chat = (await (await fetch(`${base}/api/webchat/conversations`, { method: 'POST' })).json()) as typeof chat;
    const t0 = performance.now();
    const r = await fetch(`${base}/api/webchat/conversations/${chat.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${chat.secret}` },
      body: JSON.stringify({ text: i % 2 ? 'متى الدوام؟' : 'السلام عليكم', clientMessageId: `b${i}` }),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    await r.arrayBuffer();
    lat.push(performance.now() - t0);
  }
  return lat.sort((a, b) => a - b);
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux); NaN elsewhere. */
const cpuSeconds = (pid: number | undefined): number => {
  const f = `/proc/${pid}/stat`;
  if (!pid || !existsSync(f)) return NaN;
  const fields = readFileSync(f, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const pct = (lat: number[], p: number): number => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;

/** Runs the measurement and prints the table. */
export async function run(): Promise<void> {
  const t = tempDir('tawasul-hostile-');
  writeFileSync(join(t.dir, 'config.local.yaml'), 'channels:\n  - { id: whatsapp, enabled: true }\n');
  const port = await freePort();
  const env = {
    ...process.env,
    TAWASUL_LOG_LEVEL: 'warn',
    TAWASUL_AGENT_TOKENS: 'b:bench-token-0123456789abcdef',
    WHATSAPP_TOKEN: 't',
    WHATSAPP_APP_SECRET: 'bench-secret',
    WHATSAPP_VERIFY_TOKEN: 'v',
    WHATSAPP_PHONE_NUMBER_ID: '1',
  };
  const server = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bot/cli/main.ts'), 'start', '--data', t.dir, '--port', String(port)], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logLines = 0;
  server.stderr!.on('data', (d: Buffer) => {
    logLines += d.toString().split('\n').filter(Boolean).length;
  });
  server.stdout!.on('data', (d: Buffer) => {
    logLines += d
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('{')).length;
  });
  let hostile: ChildProcess | undefined;
  try {
    await waitFor(server, 'Tawasul is running');
    const base = `http://127.0.0.1:${port}`;
    await measure(base); // warm-up
    const c0 = cpuSeconds(server.pid);
    const w0 = performance.now();
    const calm = await measure(base);
    const calmCpu = (cpuSeconds(server.pid) - c0) / ((performance.now() - w0) / 1000);
    const row = (name: string, lat: number[], cpu: number): string =>
      `| ${name} | ${lat.length} | ${pct(lat, 50).toFixed(1)} ms | ${pct(lat, 99).toFixed(1)} ms | ${lat[lat.length - 1]!.toFixed(1)} ms | ${(cpu * 100).toFixed(0)}% |`;
    const rows = [row('no hostile load', calm, calmCpu)];
    const notes: string[] = [];
    for (const mode of ['direct', 'forwarded'] as const) {
      hostile = spawn(process.execPath, [join(projectRoot, 'test/bench/hostile-client.mjs'), String(port), String(CONNECTIONS), mode], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let last = '';
      hostile.stderr!.on('data', (d: Buffer) => {
        last = d.toString().trim().split('\n').pop() ?? last;
      });
      await waitFor(hostile, 'ready');
      const linesBefore = logLines;
      const t0 = performance.now();
      const cpu0 = cpuSeconds(server.pid);
      const loaded = await measure(base);
      const secs = (performance.now() - t0) / 1000;
      const cpu = (cpuSeconds(server.pid) - cpu0) / secs;
      const exited = new Promise((r) => hostile!.once('exit', r));
      hostile.kill('SIGTERM');
      await exited;
      rows.push(
        row(
          mode === 'direct'
            ? `${CONNECTIONS} hostile connections, direct from loopback (not rate-limited)`
            : `${CONNECTIONS} hostile connections via the proxy from 50 addresses (limited, then blocked)`,
          loaded,
          cpu,
        ),
      );
      notes.push(`${mode}: hostile clients (opened/answered per kind): ${last}; server log lines: ${logLines - linesBefore} in ${secs.toFixed(1)} s`);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const refused = metrics
      .split('\n')
      .filter((l) => l.startsWith('tawasul_http_refused_total{'))
      .map((l) => l.replace('tawasul_http_refused_total', ''));
    process.stdout.write(
      [
        `ordinary web chat messages, one at a time, while ${CONNECTIONS} hostile connections are open (forged 1 MiB, chunked 1 MiB, slow headers, slow bodies)`,
        '| | messages | p50 | p99 | max | server CPU |',
        '|---|---|---|---|---|---|',
        ...rows,
        ...notes,
        `refused (tawasul_http_refused_total): ${refused.join(' ')}`,
        `machine load average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${(await import('node:os')).cpus().length} cores)`,
        '',
      ].join('\n'),
    );
  } finally {
    hostile?.kill('SIGKILL');
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    t.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
