/**
 * A loopback stand-in for graph.facebook.com (WhatsApp Cloud API): the messages endpoint, media
 * lookup and media download, with responses and error bodies shaped like Meta's documentation.
 * A message counts as accepted when its 200 response is written; a client that disconnects first
 * (killed mid-send) leaves nothing recorded, as a provider that never answered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Conditions } from '../../helpers/conditions.js';

/** One message the fake accepted. */
export interface GraphSent {
  phoneNumberId: string;
  to: string;
  body: Record<string, unknown>;
  wamid: string;
  /** performance.now() when the request arrived. */
  at: number;
}

/** How the next sends fail. */
export type GraphFailure = 'throttle' | 'pair-limit' | 'network' | 'permanent' | 'window-closed' | 'token' | 'server';

/** Options of the fake. */
export interface FakeGraphOptions {
  token: string;
  /** Milliseconds before a send is answered (the crash test's slow provider). */
  delayMs?: number;
  /**
   * Record a send as accepted when its request arrives (as the real provider does), not when the
   * response is written: a sender killed during the delay then leaves a send the provider made.
   */
  acceptOnArrival?: boolean;
  /** Called for each accepted send (a test posts Meta's status webhook from here). */
  onAccepted?: (sent: GraphSent) => void;
  /** Media served by id: bytes and mime type. */
  media?: Record<string, { bytes: Buffer; mimeType: string; declaredSize?: number }>;
}

const ERRORS: Record<Exclude<GraphFailure, 'network'>, { status: number; code: number; message: string; details: string }> = {
  throttle: {
    status: 400,
    code: 130429,
    message: '(#130429) Rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  },
  'pair-limit': {
    status: 400,
    code: 131056,
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time',
  },
  permanent: { status: 400, code: 131026, message: '(#131026) Message undeliverable', details: 'Unable to deliver message' },
  'window-closed': {
    status: 400,
    code: 131047,
    message: '(#131047) Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  token: { status: 401, code: 190, message: 'Error validating access token: Session has expired', details: 'The access token has expired' },
  server: { status: 500, code: 131000, message: '(#131000) Something went wrong', details: 'Message failed to send due to an unknown error.' },
};

function errorBody(e: (typeof ERRORS)[keyof typeof ERRORS]): string {
  return JSON.stringify({
    error: {
      message: e.message,
      type: 'OAuthException',
      code: e.code,
      error_data: { messaging_product: 'whatsapp', details: e.details },
      fbtrace_id: 'AbCdEfGhIjK',
    },
  });
}

/** The running fake. */
export class FakeGraph {
  readonly sent: GraphSent[] = [];
  readonly mediaRequests: string[] = [];
  /** Send requests that arrived (accepted or not). */
  requests = 0;
  /** Notified at each send request, delay start and accepted send: `changes.until(cond, what)` waits on them. */
  readonly changes = new Conditions();
  private readonly delaying = new Set<{ gone: boolean }>();
  private failures: GraphFailure[] = [];
  private server!: Server;
  private n = 0;
  url = '';

  constructor(private readonly o: FakeGraphOptions) {}

  /** Starts listening on 127.0.0.1 (a random port). */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next `n` sends fail this way. */
  failNext(n: number, mode: GraphFailure): void {
    for (let i = 0; i < n; i++) this.failures.push(mode);
  }

  /** Sends waiting in the provider's delay right now. */
  get pending(): number {
    return this.delaying.size;
  }

  /** The client died (call it in the same tick as the kill): sends in flight are not accepted. */
  abortPending(): void {
    for (const d of this.delaying) d.gone = true;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    if (url.pathname.startsWith('/media-download/')) {
      const id = decodeURIComponent(url.pathname.slice('/media-download/'.length));
      const m = this.o.media?.[id];
      if (req.headers.authorization !== `Bearer ${this.o.token}`) return json(401, errorBody(ERRORS.token));
      if (!m) return json(404, '{}');
      res.writeHead(200, { 'content-type': m.mimeType, 'content-length': m.bytes.length }).end(m.bytes);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.o.token}`) return json(401, errorBody(ERRORS.token));
    const parts = url.pathname.split('/').filter(Boolean); // [version, id, 'messages'?]
    if (req.method === 'GET' && parts.length === 2) {
      const id = parts[1]!;
      this.mediaRequests.push(id);
      const m = this.o.media?.[id];
      if (!m) return json(400, errorBody({ status: 400, code: 100, message: 'Invalid parameter', details: 'Unsupported get request' }));
      return json(
        200,
        JSON.stringify({
          messaging_product: 'whatsapp',
          url: `${this.url}/media-download/${encodeURIComponent(id)}`,
          mime_type: m.mimeType,
          sha256: 'x',
          file_size: String(m.declaredSize ?? m.bytes.length),
          id,
        }),
      );
    }
    if (req.method !== 'POST' || parts.length !== 3 || parts[2] !== 'messages') return json(404, '{}');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return json(400, errorBody({ status: 400, code: 100, message: '(#100) Invalid parameter', details: 'malformed JSON' }));
    }
    const at = performance.now();
    if (body.messaging_product !== 'whatsapp' || typeof body.to !== 'string' || typeof body.type !== 'string') {
      return json(400, errorBody({ status: 400, code: 100, message: '(#100) Invalid parameter', details: 'messaging_product, to and type are required' }));
    }
    this.requests++;
    this.changes.notify();
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    const failure = this.failures.shift();
    if (failure === 'network') {
      req.socket.destroy();
      return;
    }
    if (failure) {
      const e = ERRORS[failure];
      return json(e.status, errorBody(e));
    }
    if (this.o.acceptOnArrival) {
      const wamid = `wamid.HBgM${++this.n}`;
      const accepted = { phoneNumberId: parts[1]!, to: body.to, body, wamid, at };
      this.sent.push(accepted);
      this.changes.notify();
      this.o.onAccepted?.(accepted);
      if (this.o.delayMs) await new Promise((r) => setTimeout(r, this.o.delayMs));
      if (res.destroyed || req.socket.destroyed) return;
      return json(200, JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] }));
    }
    if (this.o.delayMs) {
      const d = { gone: false };
      this.delaying.add(d);
      this.changes.notify();
      await new Promise((r) => setTimeout(r, this.o.delayMs));
      this.delaying.delete(d);
      gone ||= d.gone;
    }
    if (gone || res.destroyed || req.socket.destroyed) return; // the client went away: nothing accepted
    const wamid = `wamid.HBgM${++this.n}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] }));
    this.sent.push({ phoneNumberId: parts[1]!, to: body.to, body, wamid, at });
    this.changes.notify();
  }
}

/** The text a Graph message shows the user (text body, interactive body, template parameter). */
export function graphText(body: Record<string, unknown>): string {
  const b = body as {
    text?: { body?: string };
    interactive?: { body?: { text?: string } };
    template?: { name?: string; components?: Array<{ parameters?: Array<{ text?: string }> }> };
  };
  return b.text?.body ?? b.interactive?.body?.text ?? b.template?.components?.[0]?.parameters?.[0]?.text ?? `[template ${b.template?.name ?? '?'}]`;
}
