/**
 * A loopback stand-in for the Bot Framework connector service (the `serviceUrl` of an activity):
 * captures `POST /v3/conversations/:id/activities/:activityId` (replies) and
 * `POST /v3/conversations/:id/activities` (new messages) and answers `{ id }`, or scripted errors
 * shaped like the connector's `ErrorResponse` (`{ error: { code, message } }`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Conditions } from '../../helpers/conditions.js';

/** One activity the bot posted. */
export interface CapturedActivity {
  conversationId: string;
  /** The activity replied to (path segment), absent for a new message. */
  replyToId?: string;
  authorization?: string;
  activity: {
    type: string;
    text?: string;
    replyToId?: string;
    locale?: string;
    textFormat?: string;
    from?: { id: string };
    recipient?: { id: string };
    suggestedActions?: { actions: Array<{ title?: string; value?: unknown }> };
  };
  /** performance.now() when the connector received it. */
  at: number;
}

/** A scripted answer: a status (with optional Retry-After and error code), or `hang` (never answers), or `reset` (drops the socket). */
export type ScriptedAnswer = { status: number; retryAfter?: string; code?: string } | 'hang' | 'reset';

/** The fake connector. */
export class FakeConnector {
  /** Activities answered 200, in arrival order. */
  readonly received: CapturedActivity[] = [];
  /** Answers used in order before falling back to 200. */
  readonly script: ScriptedAnswer[] = [];
  private server!: Server;
  private n = 0;
  private readonly changes = new Conditions();
  /** The `serviceUrl` to put in activities (with a trailing slash, as channels send it). */
  url = '';

  /** Starts listening on 127.0.0.1 (or on a given port, to come back after `close`). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** The port listened on (to restart on the same `serviceUrl`). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once `count` activities were delivered (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs = 5000): Promise<void> {
    return this.changes.until(() => this.received.length >= count, `${count} activities`, timeoutMs);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NotFound', message: 'no such route' } }));
      return;
    }
    const answer = this.script.shift() ?? { status: 200 };
    if (answer === 'hang') return;
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    if (answer.status !== 200) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      res.writeHead(answer.status, headers).end(JSON.stringify({ error: { code: answer.code ?? 'ServiceError', message: 'scripted failure' } }));
      return;
    }
    const captured: CapturedActivity = {
      conversationId: decodeURIComponent(m[1]!),
      ...(m[2] ? { replyToId: decodeURIComponent(m[2]) } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      activity: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CapturedActivity['activity'],
      at: performance.now(),
    };
    this.received.push(captured);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sent-${++this.n}` }));
    this.changes.notify();
  }

  /** Stops listening (and drops open sockets). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A message activity as the Emulator / Direct Line sends it. */
export function messageActivity(
  serviceUrl: string,
  over: Record<string, unknown> & { id?: string; text?: string; conversationId?: string } = {},
): Record<string, unknown> {
  const { conversationId = 'conv-1', ...rest } = over;
  return {
    type: 'message',
    id: 'act-1',
    timestamp: '2026-11-22T05:00:00.000Z',
    channelId: 'emulator',
    serviceUrl,
    from: { id: 'user-1', name: 'Resident', role: 'user' },
    conversation: { id: conversationId },
    recipient: { id: 'bot-1', name: 'Tawasul', role: 'bot' },
    locale: 'ar-OM',
    text: 'السلام عليكم',
    ...rest,
  };
}
