/**
 * A whole Tawasul (createTawasul) with the public endpoints of three channels on loopback: the web
 * chat, WhatsApp Cloud (webhook, replies to a fake Graph API) and Bot Framework; logs captured.
 */

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { createTawasul, type Tawasul } from '../../bot/app.js';
import { createLogger } from '../../bot/core/logger.js';
import type { SecuritySettings } from '../../bot/security/settings.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { FakeGraph } from '../channels/helpers/fake-graph.js';
import { WA_ENV } from '../channels/helpers/whatsapp-cloud-harness.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

/** A running edge. */
export interface Edge {
  app: Tawasul;
  base: string;
  port: number;
  graph: FakeGraph;
  logs: string[];
  dataDir: string;
  close(): Promise<void>;
  /** The value of one series of /metrics (0 when absent). */
  metric(name: string, labels: Record<string, string>): Promise<number>;
}

/** Starts the edge; `security` overrides limits and timeouts, `env` adds variables. */
export async function startEdge(o: { security?: Partial<SecuritySettings>; env?: Record<string, string> } = {}): Promise<Edge> {
  const t = tempDir('tawasul-edge-');
  const graph = await new FakeGraph({ token: WA_ENV.WHATSAPP_TOKEN }).start();
  const logs: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _e, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const app = await createTawasul({
    dataDir: t.dir,
    logger,
    classifier: stubClassifier,
    clock: new ManualClock(new Date('2026-11-22T05:00:00Z')),
    channels: ['webchat', 'whatsapp', 'botframework'],
    env: {
      ...WA_ENV,
      TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef',
      TAWASUL_ADMIN_TOKENS: 'root:test-admin-token-0123456789abcdef',
      ...o.env,
    },
    configPatch: {
      channels: [
        { id: 'whatsapp', options: { graphBaseUrl: graph.url, perRecipientMinTimeMs: 0 } },
        { id: 'botframework', options: { pollMs: 25, retry: { baseMs: 20, maxMs: 100, maxAttempts: 2 } } },
      ],
    },
    ...(o.security ? { security: o.security } : {}),
  });
  const server = await app.listen(0);
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    port,
    graph,
    logs,
    dataDir: t.dir,
    async close() {
      await app.close();
      await graph.close();
      t.cleanup();
    },
    async metric(name, labels) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
      return line ? Number(line.split(' ').pop()) : 0;
    },
  };
}

/** A raw TCP connection to the server: write what a hostile client would; `closed` resolves with all the server wrote once it closes. */
export function rawConnection(port: number): { write(data: string | Buffer): void; end(): void; closed: Promise<string>; destroy(): void } {
  const s = connect(port, '127.0.0.1');
  let got = '';
  s.on('data', (d: Buffer) => {
    got += d.toString('latin1');
  });
  const closed = new Promise<string>((resolve) => {
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
  });
  return {
    write: (d) => {
      s.write(d);
    },
    end: () => {
      s.end();
    },
    closed,
    destroy: () => {
      s.destroy();
    },
  };
}
