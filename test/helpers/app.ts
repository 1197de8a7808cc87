import type { AddressInfo } from 'node:net';
import { createTawasul, type Tawasul, type TawasulOptions } from '../../bot/app.js';
import { silentLogger } from '../../bot/core/logger.js';
import type { InboundMessage } from '../../bot/core/types.js';
import { createClassifier } from '../../bot/nlu/classifier.js';
import type { Classifier } from '../../bot/nlu/types.js';
import { ManualClock, tempDir } from './tmp.js';

let shared: Promise<Classifier> | undefined;
/** One trained classifier per test file (training is the slow part). */
export function sharedClassifier(): Promise<Classifier> {
  shared ??= createClassifier();
  return shared;
}

/** A web chat message from resident `cid`, received at the running app's clock time. */
export function webchatMessage(r: Running, cid: string, id: string, text: string): InboundMessage {
  return { channel: 'webchat', conversationId: cid, id, from: { id: cid }, text, receivedAt: r.clock.now(), raw: null };
}

export const AGENT_TOKEN = 'test-agent-token-0123456789abcdef';
export const OTHER_AGENT_TOKEN = 'other-agent-token-0123456789abcdef';

/** A running Tawasul on loopback with the web chat, an injected clock and a temp data dir. */
export interface Running {
  app: Tawasul;
  base: string;
  clock: ManualClock;
  dataDir: string;
  /** Stops the server; `restart` starts a new instance on the same data. */
  stop(): Promise<void>;
  restart(): Promise<Running>;
  cleanup(): Promise<void>;
}

/** Starts Tawasul for a test; Sunday 24 Nov 2026 09:00 in Muscat unless `start` says otherwise. */
export async function startTawasul(opts: Partial<TawasulOptions> & { start?: string; dataDir?: string } = {}): Promise<Running> {
  const t = opts.dataDir ? { dir: opts.dataDir, cleanup: () => undefined } : tempDir();
  const clock = opts.clock instanceof ManualClock ? opts.clock : new ManualClock(new Date(opts.start ?? '2026-11-22T05:00:00Z'));
  const app = await createTawasul({
    dataDir: t.dir,
    clock,
    logger: silentLogger,
    classifier: await sharedClassifier(),
    channels: ['webchat'],
    env: { TAWASUL_AGENT_TOKENS: `amal:${AGENT_TOKEN},badr:${OTHER_AGENT_TOKEN}` },
    ...opts,
  });
  const server = await app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const running: Running = {
    app,
    base,
    clock,
    dataDir: t.dir,
    stop: () => app.close(),
    restart: async () => {
      await app.close();
      return startTawasul({ ...opts, clock, dataDir: t.dir });
    },
    cleanup: async () => {
      await app.close().catch(() => undefined);
      t.cleanup();
    },
  };
  return running;
}

/** A web chat conversation over HTTP. */
export class ChatClient {
  private n = 0;
  constructor(
    readonly base: string,
    readonly conversationId: string,
    readonly secret: string,
  ) {}

  /** Opens a conversation (the server returns its id and secret). */
  static async open(base: string): Promise<ChatClient> {
    const r = await fetch(`${base}/api/webchat/conversations`, { method: 'POST' });
    const body = (await r.json()) as { conversationId: string; secret: string };
    return new ChatClient(base, body.conversationId, body.secret);
  }

  /** The header every read and post of this conversation carries. */
  get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.secret}` };
  }

  /** The transcript after a sequence number. */
  async transcript(after = 0): Promise<Array<{ seq: number; direction: string; author: string; text: string; kind?: string }>> {
    const r = await fetch(`${this.base}/api/webchat/conversations/${this.conversationId}/messages?after=${after}`, { headers: this.auth });
    if (!r.ok) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
    return ((await r.json()) as { messages: Array<{ seq: number; direction: string; author: string; text: string; kind?: string }> }).messages;
  }

  /** Sends a message; returns the reply texts joined by a blank line. */
  async say(text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const body = await this.post({ text, clientMessageId: `m${++this.n}-${Math.random()}`, ...extra });
    const out = body.replies.map((r) => r.text).join('\n\n');
    // A template argument nobody filled shows as {name} (or NaN in a plural): never acceptable in a reply.
    const unfilled = /\{[A-Za-z]\w*\}|NaN/.exec(out);
    if (unfilled) throw new Error(`reply with an unfilled template argument ${unfilled[0]}: ${out}`);
    return out;
  }

  /** Raw POST of a JSON body. */
  async post(body: unknown): Promise<{ duplicate: boolean; replies: Array<{ text: string; language: string; kind: string }> }> {
    const r = await fetch(`${this.base}/api/webchat/conversations/${this.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.auth },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
    return (await r.json()) as { duplicate: boolean; replies: Array<{ text: string; language: string; kind: string }> };
  }

  /** The key of this conversation in the agent API. */
  get key(): string {
    return `webchat:${this.conversationId}`;
  }
}
